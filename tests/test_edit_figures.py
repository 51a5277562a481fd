"""The editing-suite figures build, carry measured captions, and stay within 7.2 in."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

import pixparam as pp
from pixparam.figures import plot_blend_strip, plot_edit_curve, plot_edit_strip

#: Library code must not use its own deprecated call forms (the tests' own deliberate calls are caught by pytest.warns).
pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning:pixparam")


@pytest.mark.parametrize(("op", "values"), [("prune", [0, 0.5, 0.9]), ("quantize", [32, 4]), ("noise", [0, 0.3])])
def test_plot_edit_strip(tiny_fits, op, values, tmp_path):
    fig = plot_edit_strip(tiny_fits["relu"], op, values)
    assert isinstance(fig, Figure) and fig.get_size_inches()[0] <= 7.2
    captions = [ax.get_xlabel() for ax in fig.axes]
    assert len(captions) == 2 * len(values) and all("dB" in c or "lossless" in c for c in captions)
    assert pp.figures.save_figure(fig, tmp_path / "s.png").stat().st_size > 1000


def test_plot_edit_curve_and_blend_strip(tiny_fits, rgb32, tmp_path):
    a = tiny_fits["siren"]
    fig = plot_edit_curve(a, "quantize", [32, 8, 2], heal_steps=2)
    assert len(fig.axes[0].get_lines()) == 3
    b = pp.fit(rgb32, a.arch, steps=3, init_from=a, progress=False)
    fig = plot_blend_strip(a, b, [0, 0.5, 1], shared=b)
    assert len(fig.axes) == 4 * 3 and fig.get_size_inches()[0] <= 7.2
    with pytest.raises(pp.EditError, match="op="):
        plot_edit_strip(a, "rotate", [1])
