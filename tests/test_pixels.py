from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pixparam as pp
from pixparam import pixel_edits as pe
from pixparam.pixels import counterpart_shape

#: Library code must not use its own deprecated call forms (the tests' own deliberate calls are caught by pytest.warns).
pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning:pixparam")


@settings(max_examples=200, deadline=None)
@given(h=st.integers(2, 300), w=st.integers(2, 300), c=st.sampled_from([1, 3, 4]), budget=st.integers(4, 400_000))
def test_counterpart_holds_at_most_budget_values_and_keeps_aspect(h, w, c, budget):
    ph, pw = counterpart_shape((h, w, c), budget)
    assert 1 <= ph <= h and 1 <= pw <= w
    assert ph * pw * c <= budget
    if ph * pw < h * w:
        # each side within a pixel (plus rounding) of the other side's exact-aspect length
        assert abs(pw - ph * w / h) <= 1 + 1e-9 or abs(ph - pw * h / w) <= 1 + 1e-9
        # at least as many pixels as plain scaling by sqrt(budget / values), rounded down
        scale = math.sqrt(budget / (h * w * c))
        assert ph * pw >= math.floor(h * scale) * math.floor(w * scale)


def test_values_match_examples():
    assert counterpart_shape((64, 64, 3), 4096) == (37, 36)  # 3,996 values
    assert counterpart_shape((300, 451, 3), 4096) == (30, 45)
    assert counterpart_shape((64, 64, 3), 10**9) == (64, 64)


def test_pixelate_values(rgb32):
    pix = pp.pixelate(rgb32, 1000)
    assert pix.n_values <= 1000 and pix.n_values == pix.small.size
    assert pix.small.dtype == np.float32 and pix.bits_per_value == 32
    assert pix.render().shape == rgb32.shape
    assert pix.caption() == f"{pix.shape[0]}×{pix.shape[1]} px · {pp.format_count(pix.n_values)} values"


def test_pixelate_bits_is_8_bit_with_4x_the_values(rgb32):
    values = pp.pixelate(rgb32, 500)
    bits = pp.pixelate(rgb32, 500, match="bits")
    assert bits.n_values <= 500 * 32 // 8 and bits.n_values > values.n_values
    assert bits.n_bits <= 500 * 32
    np.testing.assert_array_equal(np.round(bits.small * 255) / 255, bits.small)
    half = pp.pixelate(rgb32, 500, match="bits", param_bits=16)
    assert half.n_values <= 1000


def test_area_average_preserves_the_mean():
    img = pp.load_image("camera", size=48)
    pix = pp.pixelate(img, 24 * 24)  # exactly 2×2 blocks
    assert pix.shape == (24, 24)
    assert pix.small.mean() == pytest.approx(img.mean(), abs=1e-5)


def test_render_modes(rgb32):
    pix = pp.pixelate(rgb32, 300)
    blocks = pix.render(mode="nearest")
    assert len(np.unique(blocks.reshape(-1, 3), axis=0)) <= pix.shape[0] * pix.shape[1]
    for mode in ("bilinear", "bicubic", "lanczos"):
        out = pix.render(mode=mode)
        assert out.shape == rgb32.shape and 0 <= out.min() and out.max() <= 1
    assert pix.render(mode="nearest", size=(7, 9)).shape == (7, 9, 3)
    with pytest.raises(pp.ConfigError, match="mode='blocky'"):
        pix.render(mode="blocky")
    with pytest.raises(ValueError, match="mode='blocky'"):  # ConfigError is a ValueError, as before
        pix.render(mode="blocky")


def test_positional_render_options_are_deprecated(rgb32):
    pix = pp.pixelate(rgb32, 300)
    with pytest.warns(DeprecationWarning, match=r"write Pixels\.render\(mode=\.\.\.\)"):
        old = pix.render("nearest")
    np.testing.assert_array_equal(old, pix.render(mode="nearest"))
    with pytest.warns(DeprecationWarning, match="mode=..., size=..."):
        old = pix.render("bilinear", (7, 9))
    np.testing.assert_array_equal(old, pix.render(mode="bilinear", size=(7, 9)))
    with pytest.raises(TypeError, match="multiple values"):
        pix.render("nearest", mode="bicubic")


def test_positional_match_is_deprecated(rgb32):
    with pytest.warns(DeprecationWarning, match=r"pixelate\(image, budget, match=\.\.\.\)"):
        old = pp.pixelate(rgb32, 500, "bits")
    new = pp.pixelate(rgb32, 500, match="bits")
    np.testing.assert_array_equal(old.small, new.small)
    assert old.match == new.match == "bits"


def test_pixels_metrics_use_bicubic(rgb32):
    pix = pp.pixelate(rgb32, 1000)
    assert pix.psnr == pytest.approx(pp.psnr(rgb32, pix.render(mode="bicubic")))
    assert pp.pixelate(rgb32, 10**6).psnr == math.inf


def test_more_values_never_hurt_much(rgb32):
    psnrs = [pp.pixelate(rgb32, b).psnr for b in (300, 1000, 3000)]
    assert psnrs == sorted(psnrs)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"budget": 2}, pp.BudgetError, "less than one 3-channel pixel"),
        ({"budget": 100, "match": "bytes"}, pp.ConfigError, "match='bytes'"),
        ({"budget": 100, "match": "bits", "param_bits": 0}, pp.ConfigError, "param_bits=0"),
        ({"budget": "lots"}, pp.BudgetError, "not a number of parameters"),
    ],
)
def test_pixelate_errors(rgb32, kwargs, error, match):
    with pytest.raises(error, match=match):
        pp.pixelate(rgb32, **kwargs)


# --------------------------------------------------------------------------- pixel twins of the edits


@pytest.fixture(scope="module")
def pix32(rgb32):
    return pp.pixelate(rgb32, 1500)


def _dct(small):
    from scipy.fft import dctn

    return dctn(small.astype(np.float64), axes=(0, 1), norm="ortho")


@pytest.mark.parametrize("method", ["magnitude", "random"])
@pytest.mark.parametrize("amount", [0.0, 0.5, 0.9])
def test_prune_pixels_drops_the_fraction(pix32, method, amount):
    out = pe.prune_pixels(pix32, amount, method=method)
    k = round(amount * pix32.n_values)
    coef = _dct(out.small)
    assert abs(int((np.abs(coef) < 1e-5).sum()) - k) <= 1  # float32 pixels: zeros up to ~1e-7
    assert out.n_effective == pix32.n_values - k and out.shape == pix32.shape
    np.testing.assert_allclose(coef[0, 0], _dct(pix32.small)[0, 0])  # the means are kept
    assert out.edits[-1] == {
        "name": "prune",
        "amount": amount,
        "method": method,
        **({"seed": 0} if method == "random" else {}),
    }
    if amount == 0:
        np.testing.assert_allclose(out.small, pix32.small, atol=1e-6)
    else:
        assert out.psnr < pix32.psnr


def test_prune_pixels_magnitude_beats_random(pix32):
    assert pe.prune_pixels(pix32, 0.8).psnr > pe.prune_pixels(pix32, 0.8, method="random").psnr


def test_prune_pixels_structured_is_smaller(pix32):
    out = pe.prune_pixels(pix32, 0.5, method="neurons")
    assert out.n_values <= pix32.n_values // 2 and out.n_values > 0.4 * pix32.n_values


@pytest.mark.parametrize("bits", [8, 4, 3, 2])
def test_posterize_levels(pix32, bits):
    out = pe.posterize(pix32, bits)
    assert np.unique(out.small).size <= 2**bits
    assert out.bits_per_value == bits and np.abs(out.small - pix32.small).max() <= 0.5 / (2**bits - 1) + 1e-6


def test_posterize_identity_and_half(pix32):
    np.testing.assert_array_equal(pe.posterize(pix32, 32).small, pix32.small)
    half = pe.posterize(pix32, 16).small
    np.testing.assert_array_equal(half, half.astype(np.float16).astype(np.float32))


def test_noise_pixels(pix32):
    np.testing.assert_array_equal(pe.noise_pixels(pix32, 0).small, pix32.small)
    a, b = pe.noise_pixels(pix32, 0.2, seed=1), pe.noise_pixels(pix32, 0.2, seed=1)
    np.testing.assert_array_equal(a.small, b.small)
    assert a.psnr < pix32.psnr and 0.0 <= a.small.min() and a.small.max() <= 1.0


def test_positional_pixel_edit_options_are_deprecated(pix32):
    with pytest.warns(DeprecationWarning, match=r"noise_pixels\(pix, scale, seed=\.\.\.\)"):
        old = pe.noise_pixels(pix32, 0.2, 1)
    np.testing.assert_array_equal(old.small, pe.noise_pixels(pix32, 0.2, seed=1).small)
    assert old.edits == pe.noise_pixels(pix32, 0.2, seed=1).edits
    with pytest.warns(DeprecationWarning, match=r"prune_pixels\(pix, amount, method=\.\.\.\)"):
        old = pe.prune_pixels(pix32, 0.5, "random")
    np.testing.assert_array_equal(old.small, pe.prune_pixels(pix32, 0.5, method="random").small)


def test_paste_and_crossfade(rgb32, pix32):
    other = pp.pixelate(rgb32[::-1].copy(), 1500)
    np.testing.assert_array_equal(pe.crossfade(pix32, other, 0).small, pix32.small)
    np.testing.assert_array_equal(pe.crossfade(pix32, other, 1).small, other.small)
    np.testing.assert_array_equal(pe.paste(pix32, pix32, channels=[0, 1]).small, pix32.small)
    top = pe.paste(pix32, other, region=(0, 0, 16, 32))
    h = pix32.shape[0]
    np.testing.assert_array_equal(top.small[: h // 2], other.small[: h // 2])
    np.testing.assert_array_equal(top.small[-(h // 2) + 1 :], pix32.small[-(h // 2) + 1 :])
    red = pe.paste(pix32, other, channels=[0])
    np.testing.assert_array_equal(red.small[..., 0], other.small[..., 0])
    np.testing.assert_array_equal(red.small[..., 1:], pix32.small[..., 1:])
    with pytest.raises(pp.EditError, match="same budget"):
        pe.crossfade(pix32, pp.pixelate(rgb32, 600), 0.5)
    with pytest.raises(pp.EditError, match="region"):
        pe.paste(pix32, other)


def test_pixel_twins_do_not_mutate(pix32, rgb32):
    before = pix32.small.copy()
    other = pp.pixelate(rgb32[::-1].copy(), 1500)
    for out in (
        pe.prune_pixels(pix32, 0.7),
        pe.posterize(pix32, 3),
        pe.noise_pixels(pix32, 0.5),
        pe.paste(pix32, other, channels=[2]),
        pe.crossfade(pix32, other, 0.5),
    ):
        assert out is not pix32 and out.small is not pix32.small
    np.testing.assert_array_equal(pix32.small, before)
    assert pix32.edits == ()
