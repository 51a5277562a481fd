from __future__ import annotations

import math

import numpy as np
import pytest

import pixparam as pp


def test_psnr_against_the_formula():
    rng = np.random.default_rng(0)
    a = rng.random((16, 16, 3))
    b = np.clip(a + rng.normal(0, 0.05, a.shape), 0, 1)
    mse = np.mean((a - b) ** 2)
    assert pp.psnr(a, b) == pytest.approx(10 * math.log10(1 / mse))


def test_psnr_identical_is_inf():
    a = np.random.default_rng(1).random((8, 8, 1))
    assert pp.psnr(a, a.copy()) == math.inf


def test_ssim_reference_values():
    a = pp.load_image("camera", size=64)
    assert pp.ssim(a, a) == pytest.approx(1.0)
    # constant offset: luminance term only, SSIM stays high but below 1
    assert 0.9 < pp.ssim(a, np.clip(a + 0.05, 0, 1)) < 1.0
    noisy = np.clip(a + np.random.default_rng(0).normal(0, 0.2, a.shape), 0, 1)
    assert pp.ssim(a, noisy) < 0.5


def test_ssim_gray_channel_axis_is_squeezed():
    a = np.random.default_rng(2).random((20, 20, 1))
    b = np.random.default_rng(3).random((20, 20, 1))
    assert pp.ssim(a, b) == pytest.approx(pp.ssim(a[..., 0], b[..., 0]))


def test_ssim_small_images_use_a_smaller_window():
    a = np.random.default_rng(4).random((6, 9, 3))
    assert pp.ssim(a, a) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="at least 3×3"):
        pp.ssim(a[:2], a[:2])


@pytest.mark.parametrize("fn", [pp.psnr, pp.ssim])
def test_shape_mismatch_says_what_to_do(fn):
    with pytest.raises(ValueError, match=r"shapes \(8, 8, 3\) and \(4, 4, 3\).*render"):
        fn(np.zeros((8, 8, 3)), np.zeros((4, 4, 3)))


def test_nan_rejected():
    a = np.zeros((8, 8))
    b = a.copy()
    b[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        pp.psnr(a, b)


def test_format_db():
    assert pp.metrics.format_db(27.349) == "27.3 dB"
    assert pp.metrics.format_db(math.inf) == "lossless"


def test_psnr_from_mse_has_one_meaning_for_edge_values():
    assert pp.metrics.psnr_from_mse(0.01) == pytest.approx(20.0)
    assert pp.metrics.psnr_from_mse(0.0) == math.inf  # lossless
    assert pp.metrics.psnr_from_mse(math.inf) == -math.inf
    assert math.isnan(pp.metrics.psnr_from_mse(math.nan)) and math.isnan(pp.metrics.psnr_from_mse(-1.0))


def test_mse_is_the_float64_mean_and_psnr_agrees_with_scikit_image():
    rng = np.random.default_rng(0)
    a, b = rng.random((9, 7, 3), dtype=np.float32), rng.random((9, 7, 3), dtype=np.float32)
    m = pp.metrics.mse(a, b)
    assert m == float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    assert pp.metrics.psnr_from_mse(m) == pytest.approx(pp.psnr(a, b), abs=1e-9)
    assert pp.metrics.mse(a.reshape(-1, 3), b.reshape(-1, 3)) == m  # points (N, C) as well as images
    with pytest.raises(pp.ImageError, match="shapes"):
        pp.metrics.mse(a, b[:2])
