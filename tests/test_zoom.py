"""The zoom figure (gallery #19, point 4): the same crops of the original, a network drawn finer, bicubic pixels."""

from __future__ import annotations

import numpy as np
import pytest

import pixparam as pp
from pixparam.figures.zoom import crop_box, plot_zoom


@pytest.fixture(scope="module")
def setup():
    img = pp.load_image("astronaut", size=24)
    return img, pp.fit(img, 600, "siren", steps=5, device="cpu", progress=False), pp.pixelate(img, 600)


def test_crop_box_is_whole_source_pixels_scaled():
    rows, cols = crop_box((20, 40, 3), (0.25, 0.5, 0.5, 0.25), scale=4)
    assert (rows.start, rows.stop, cols.start, cols.stop) == (20, 60, 80, 120)  # rows 5–15, columns 20–30, ×4
    assert crop_box((20, 40, 3), (0.0, 0.0, 0.001, 0.001)) == (slice(0, 1), slice(0, 1))  # never empty


@pytest.mark.parametrize(
    ("box", "match"),
    [((0.5, 0.5, 0.6, 0.1), "reaches past the image"), ((0.1, 0.1, 0.2), "as fractions in"), ((0, 0, 2, 1), "in")],
)
def test_crop_box_refuses_bad_crops(box, match):
    with pytest.raises(pp.ConfigError, match=match):
        crop_box((20, 40, 3), box)


def test_zoom_figure_shows_the_same_area_three_ways(setup):
    img, fit, pix = setup
    crops = {"eyes": (0.15, 0.38, 0.25, 0.25), "patch": (0.6, 0.2, 0.25, 0.25)}
    fig = plot_zoom(img, fit, pix, crops, scale=4)
    axes = fig.axes
    assert len(axes) == 8
    for row in (axes[0:4], axes[4:8]):
        shapes = [ax.images[0].get_array().shape[:2] for ax in row[1:]]
        assert len(set(shapes)) == 1  # original blocks, network and pixels cover the same area
        rows, cols = crop_box(img.shape, crops["eyes" if row is axes[0:4] else "patch"], 4)
        assert shapes[0] == (rows.stop - rows.start, cols.stop - cols.start)
    net = axes[2].images[0].get_array()
    rows, cols = crop_box(img.shape, crops["eyes"], 4)
    assert np.allclose(net, fit.render(size=(96, 96))[rows, cols], atol=1e-6)  # the network evaluated 4× finer
    assert [ax.get_xlabel() for ax in axes[1:4]] == [
        "original, 24×24 px (blocks)",
        "siren, evaluated 4× finer",
        f"pixels {pix.shape[0]}×{pix.shape[1]}, bicubic 4×",
    ]


@pytest.mark.parametrize(("kw", "match"), [({"scale": 1}, "scale=1"), ({"scale": 2.5}, "whole number")])
def test_zoom_refuses_bad_scale_and_no_crops(setup, kw, match):
    img, fit, pix = setup
    with pytest.raises(pp.ConfigError, match=match):
        plot_zoom(img, fit, pix, {"c": (0, 0, 0.5, 0.5)}, **kw)
    with pytest.raises(pp.ConfigError, match="crops is empty"):
        plot_zoom(img, fit, pix, {})
