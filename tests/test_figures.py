from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from pixparam.figures import draw_image, plot_strip, save_figure


def _strip(rgb32):
    rows = {
        "pixels": [(rgb32, "a"), (rgb32, "b")],
        "siren": [(rgb32, "c"), (rgb32, "d")],
    }
    return plot_strip(rgb32, rows, column_titles=["1k", "4k"])


def test_plot_strip_panels(rgb32):
    fig = _strip(rgb32)
    assert isinstance(fig, Figure)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 1 + 4  # original + 2 rows × 2 budgets
    assert [ax.get_xlabel() for ax in shown] == ["original", "a", "b", "c", "d"]
    assert shown[1].get_ylabel() == "pixels" and shown[1].get_title() == "1k"
    assert fig.get_size_inches()[0] <= 7.2


def test_draw_image_gray_uses_unit_range(gray24):
    fig = Figure()
    ax = draw_image(fig.add_subplot(), gray24, "cap")
    im = ax.images[0]
    assert im.get_clim() == (0.0, 1.0) and im.get_interpolation() == "nearest"


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_save_figure_formats(rgb32, tmp_path, suffix):
    path = save_figure(_strip(rgb32), tmp_path / f"f.{suffix}", dpi=60)
    data = path.read_bytes()
    magic = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}[suffix]
    assert data.startswith(magic)
    if suffix == "png":
        with Image.open(path) as im:
            assert np.asarray(im).std() > 10  # not blank
    assert [p.name for p in tmp_path.iterdir()] == [f"f.{suffix}"]


def test_save_figure_rejects_unknown_format(rgb32, tmp_path):
    with pytest.raises(ValueError, match="cannot save a figure as"):
        save_figure(_strip(rgb32), tmp_path / "f.doc")
