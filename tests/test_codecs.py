"""Codecs at a byte budget: every file within its budget, the best one found, 'no file' as a result."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import pixparam as pp
from pixparam.codecs import CODECS, at_most, available, decode, encode, png_pixels_at_most

SKIP_AVIF = pytest.mark.skipif(not available("avif"), reason="this Pillow has no AVIF")


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return pp.load_image("coffee", size=48)


@pytest.mark.parametrize("codec", [c if c != "avif" else pytest.param(c, marks=SKIP_AVIF) for c in CODECS])
@pytest.mark.parametrize("budget", [400, 900, 2500])
def test_each_file_fits_its_budget_and_decodes_to_what_it_reports(photo, codec, budget):
    c = at_most(photo, budget, codec)
    if c is None:  # a result, not an error: the smallest file is larger
        assert len(encode(pp.images.to_uint8(photo), codec, 1 if codec == "jpeg" else 0)) > budget
        return
    assert c.n_bytes == len(c.data) <= budget and c.max_bytes == budget
    assert np.array_equal(c.decoded, decode(c.data, 3)) and c.decoded.shape == photo.shape
    assert c.psnr == pytest.approx(pp.psnr(photo, c.decoded))
    with Image.open(io.BytesIO(c.data)) as im:
        assert im.format == {"jpeg": "JPEG", "webp": "WEBP", "avif": "AVIF"}[codec]


def test_the_search_finds_the_best_fitting_quality(photo):
    u8 = pp.images.to_uint8(photo)
    budget = 1500
    c = at_most(photo, budget, "jpeg", qualities=range(1, 101))
    exhaustive = max(
        (pp.psnr(photo, decode(d, 3)), q, s)
        for s in ("4:2:0", "4:4:4")
        for q in range(1, 101)
        if len(d := encode(u8, "jpeg", q, s)) <= budget
    )
    assert c.psnr == pytest.approx(exhaustive[0])  # binary search plus neighbours found the exhaustive best


def test_more_bytes_never_hurt(photo):
    psnrs = [at_most(photo, b, "webp").psnr for b in (600, 1200, 2400)]
    assert psnrs == sorted(psnrs)


def test_gray_images_and_bad_arguments(photo):
    gray = pp.load_image("camera", size=40)
    c = at_most(gray, 800, "webp")
    assert c.decoded.shape == (40, 40, 1) and c.n_bytes <= 800
    assert "WebP q" in c.caption() and f"{c.n_bytes:,} B" in c.caption()
    with pytest.raises(pp.ConfigError, match="unknown codec 'gif'"):
        at_most(photo, 1000, "gif")
    with pytest.raises(pp.BudgetError, match="max_bytes=0"):
        at_most(photo, 0, "jpeg")
    with pytest.raises(pp.ImageError, match="4 channels"):
        at_most(np.zeros((8, 8, 4), np.float32), 1000, "jpeg")


def test_png_pixels_are_the_largest_counterpart_that_fits(photo):
    pix, n = png_pixels_at_most(photo, 1000)
    assert n <= 1000
    bigger = pp.pixelate(photo, pix.n_values + 3 * 50)
    buf = io.BytesIO()
    Image.fromarray(pp.images.to_uint8(bigger.small)).save(buf, format="PNG", optimize=True)
    assert len(buf.getvalue()) > 1000 or bigger.n_values == pix.n_values  # a larger counterpart does not fit
    assert png_pixels_at_most(photo, 10) is None
