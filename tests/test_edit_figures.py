"""The editing-suite figures build, carry measured captions, and stay within 7.2 in."""

from __future__ import annotations

import numpy as np
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


@pytest.fixture(scope="module")
def two_images():
    from pixparam.gallery.edits import pair_images

    return pair_images(pp.load_image("astronaut", size=20), pp.load_image("coffee", size=30))


def test_pixel_crossfade_endpoints_are_the_two_images_counterparts(two_images):
    from pixparam.figures import pixel_crossfades

    A, B = two_images
    s = pixel_crossfades(A, B, 300, [0, 0.5, 1])
    pa, pb = pp.pixelate(A, 300), pp.pixelate(B, 300)
    np.testing.assert_array_equal(s.renders[0], pa.render(mode="nearest"))
    np.testing.assert_array_equal(s.renders[-1], pb.render(mode="nearest"))
    assert s.at("a", 0) == pa.psnr and s.at("b", 1) == pb.psnr  # judged against each endpoint image
    assert s.at("a", 0.5) < pa.psnr and s.at("b", 0.5) < pb.psnr
    with pytest.raises(pp.EditError, match="images of one shape"):
        pixel_crossfades(A, B[:10], 300)


def test_network_blends_against_both_images_and_plot_blends(two_images):
    from pixparam.figures import network_blends, pixel_crossfades, plot_blends

    A, B = two_images
    fa = pp.fit(A, 300, "siren", steps=5, seed=1, progress=False)
    fb = pp.fit(B, fa.arch, steps=5, seed=1, progress=False)
    refs = {"astronaut": A, "coffee": B}
    rows = [network_blends(fa, fb, [0, 0.5, 1], references=refs), pixel_crossfades(A, B, 300, [0, 0.5, 1])]
    assert set(rows[0].psnr) == {"astronaut", "coffee"} and set(network_blends(fa, fb, [0]).psnr) == {"a", "b"}
    assert rows[0].at("astronaut", 0) == pytest.approx(fa.psnr) and rows[0].at("coffee", 1) == pytest.approx(fb.psnr)
    fig = plot_blends(rows, family="siren", baselines={"flat": 10.0})
    assert len(fig.axes) == 2 * 3 + 1 and fig.get_size_inches()[0] <= 7.2
    assert fig.axes[0].get_xlabel().count("dB") == 2  # both references in each caption
    assert len(fig.axes[-1].get_lines()) == 2 * 2 + 1  # each row against each image, and the baseline
    with pytest.raises(pp.EditError, match="align="):
        network_blends(fa, fb, [0.5], align="rotate")


def test_prune_strip_has_a_healed_row_and_names_the_dct_twin(tiny_fits):
    a = tiny_fits["siren"]
    fig = plot_edit_strip(a, "prune", [0, 0.5], heal_steps=2)
    labels = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
    assert len(fig.axes) == 3 * 2 and len(labels) == 3
    assert "healing, mask kept" in labels[1] and "DCT coefficients" in labels[2]
    assert fig.get_size_inches()[0] <= 7.2


def test_quantize_strip_shows_per_channel_grids_and_real_byte_counts(tiny_fits, tmp_path):
    from pixparam.figures import edit_bytes, edit_series

    a, bits = tiny_fits["siren"], [16, 8, 4]
    series = edit_series(a, "quantize", bits, per_channel=True)
    assert list(series) == ["network", "per_channel", "pixels"]
    sizes = edit_bytes(series)
    for key, per_channel in (("network", False), ("per_channel", True)):
        for b, got in zip(bits, sizes[key], strict=True):
            q = pp.edit.quantize(a, b, per_channel=per_channel)
            path = pp.pack(q, tmp_path / "q.ppk", bits=b, per_channel=per_channel)
            assert got == path.stat().st_size == pp.store.packed.packed_size(a, bits=b, per_channel=per_channel)
    n = series["pixels"][0].n_values
    assert [s["raw"] for s in sizes["pixels"]] == [-(-n * b // 8) for b in bits]
    assert sizes["pixels"][0]["png"] is None and all(s["png"] > 0 for s in sizes["pixels"][1:])
    fig = plot_edit_strip(a, "quantize", bits, series=series, sizes=True)
    labels = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
    assert "per-tensor grid" in labels[0] and "per-channel grids" in labels[1] and "posterised" in labels[2]
    captions = [ax.get_xlabel() for ax in fig.axes]
    assert f"{sizes['per_channel'][1]:,} B packed" in captions[len(bits) + 1]
    assert (
        f"{sizes['pixels'][2]['raw']:,} B raw" in captions[-1]
        and f"{sizes['pixels'][2]['png']:,} B PNG" in captions[-1]
    )
