"""The pixel twins of :mod:`pixparam.edit`: the same edits applied to a pixel counterpart.

Each function takes a :class:`~pixparam.Pixels` and returns a new one (input
untouched) with ``edits`` extended; metrics are measured against the full
image exactly as for networks (bicubic reconstruction, PSNR and SSIM).

=============================  ====================================================
network edit                   pixel twin
=============================  ====================================================
``prune(magnitude)``           :func:`prune_pixels` ``"magnitude"``: zero the
                               smallest orthonormal-DCT detail coefficients
``prune(random)``              :func:`prune_pixels` ``"random"``: zero random DCT
                               detail coefficients
``prune(neurons)``             :func:`prune_pixels` ``"neurons"``: a smaller pixel
                               grid (area downsampling), a genuinely smaller image
``quantize(bits)``             :func:`posterize`: ``2**bits`` levels in ``[0, 1]``
``noise(scale)``               :func:`noise_pixels`: ``scale * std`` Gaussian noise
``splice(region / layers)``    :func:`paste`: b's pixels in a region or channels
``blend(alpha)``               :func:`crossfade`
=============================  ====================================================

The DCT (type II, orthonormal, ``scipy.fft.dctn`` per channel) is the
pixels' "weights": an orthonormal transform, so zeroing its smallest
coefficients is the least-squares-optimal way to drop that many values. The
DC coefficient of each channel (the mean) is never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import torch

from ._checks import number as _number
from ._deprecate import keyword_only
from .errors import EditError
from .images import area_downsample
from .pixels import Pixels, counterpart_shape

__all__ = ["crossfade", "noise_pixels", "paste", "posterize", "prune_pixels", "stored_bytes"]


def _check(pix: object, what: str = "pix") -> Pixels:
    if not isinstance(pix, Pixels):
        raise EditError(f"{what} must be a pixparam Pixels (from pp.pixelate), got {type(pix).__name__}")
    return pix


def _derived(pix: Pixels, small: np.ndarray, edit: dict, **changes: object) -> Pixels:
    return replace(pix, small=small.astype(np.float32), metrics={}, edits=(*pix.edits, edit), **changes)  # type: ignore[arg-type]


@keyword_only("method")
def prune_pixels(pix: Pixels, amount: float, *, method: str = "magnitude", seed: int = 0) -> Pixels:
    """Drop a fraction of a pixel counterpart's values and reconstruct.

    Parameters
    ----------
    pix : Pixels
        The counterpart (left untouched).
    amount : float in [0, 1]
        Fraction of its ``n_values`` to drop: ``k = round(amount * n_values)``
        (at most all but one DC coefficient per channel).
    method : {"magnitude", "random", "neurons"}
        ``magnitude``: zero the ``k`` smallest DCT detail coefficients (all
        channels together) and invert the transform. ``random``: zero ``k``
        random detail coefficients (``seed``). ``neurons`` (the twin of
        structured pruning): area-downsample to the largest grid holding at
        most ``n_values - k`` values.
    seed : int
        Seeds ``random`` (a CPU torch generator).

    Returns
    -------
    Pixels
        Reconstructed pixels (not clipped; rendering clips), with
        ``n_effective`` the values kept.
    """
    from scipy.fft import dctn, idctn

    _check(pix)
    amount = _number(amount, "amount", 0.0, 1.0)
    n, c = pix.n_values, pix.small.shape[2]
    edit: dict = {"name": "prune", "amount": amount, "method": method}
    if method == "neurons":
        keep = max(c, n - round(amount * n))
        shape = counterpart_shape(pix.small.shape, keep)
        small = pix.small if shape == pix.shape else area_downsample(pix.small, shape)
        return _derived(pix, small, edit)
    if method not in ("magnitude", "random"):
        raise EditError(f"method={method!r}; choose one of magnitude, random, neurons")
    k = min(round(amount * n), n - c)
    coef = dctn(pix.small.astype(np.float64), axes=(0, 1), norm="ortho")
    if method == "magnitude":
        score = np.abs(coef)
    else:
        gen = torch.Generator().manual_seed(int(seed))
        score = torch.rand(coef.shape, generator=gen, dtype=torch.float64).numpy()
        edit["seed"] = int(seed)
    score[0, 0, :] = np.inf  # the DC coefficient (mean) of each channel is kept
    drop = np.argsort(score, axis=None, kind="stable")[:k]
    flat = coef.reshape(-1)
    flat[drop] = 0.0
    small = idctn(flat.reshape(coef.shape), axes=(0, 1), norm="ortho")
    return _derived(pix, small, edit, n_stored=n - k)


def posterize(pix: Pixels, bits: int) -> Pixels:
    """Round every pixel value to one of ``2**bits`` levels, the twin of :func:`pixparam.edit.quantize`.

    Parameters
    ----------
    pix : Pixels
        The counterpart (left untouched).
    bits : int
        2 to 15: levels ``k / (2**bits - 1)`` over ``[0, 1]``; 16: float16
        cast; 32 or more: no change.

    Returns
    -------
    Pixels
        With ``bits_per_value`` set to ``bits`` (below 32).
    """
    _check(pix)
    if isinstance(bits, bool) or not isinstance(bits, int) or not (2 <= bits <= 16 or bits == 32):
        raise EditError(f"bits={bits!r}; use an integer from 2 to 15 (levels), 16 (float16) or 32 (no change)")
    edit = {"name": "quantize", "bits": bits}
    if bits == 32:
        return _derived(pix, pix.small.copy(), edit)
    if bits == 16:
        small = pix.small.astype(np.float16).astype(np.float32)
    else:
        levels = 2**bits - 1
        small = np.round(np.clip(pix.small, 0.0, 1.0) * levels) / levels
    return _derived(pix, small, edit, bits_per_value=min(bits, pix.bits_per_value))


def stored_bytes(pix: Pixels) -> dict[str, int | None]:
    """What a pixel counterpart takes to store at its ``bits_per_value``: raw bits, and as a PNG.

    The pixels' side of a byte count beside :func:`pixparam.store.packed.packed_size`.

    Parameters
    ----------
    pix : Pixels
        A counterpart, e.g. after :func:`posterize`.

    Returns
    -------
    dict
        ``"raw"``: ``ceil(n_values * bits_per_value / 8)``, the values packed
        bit to bit with no header. ``"png"``: the size of its 8-bit PNG
        (:func:`pixparam.codecs.png_bytes`) when ``bits_per_value <= 8``
        (posterised levels survive 8-bit rounding exactly), else ``None``.
    """
    from .codecs import png_bytes

    _check(pix)
    raw = -(-pix.n_values * pix.bits_per_value // 8)
    return {"raw": int(raw), "png": png_bytes(pix.small) if pix.bits_per_value <= 8 else None}


@keyword_only("seed")
def noise_pixels(pix: Pixels, scale: float, *, seed: int = 0) -> Pixels:
    """Add Gaussian noise of ``scale`` times the pixel values' standard deviation.

    The twin of :func:`pixparam.edit.noise` (one "tensor": all stored values).

    Parameters
    ----------
    pix : Pixels
        The counterpart (left untouched).
    scale : float, >= 0
        Noise standard deviation as a fraction of the standard deviation of
        ``pix.small``, the ``(h, w, C)`` stored values.
    seed : int
        Seeds a CPU torch generator.

    Returns
    -------
    Pixels
        Noisy pixels, clipped to ``[0, 1]`` (the range pixels can hold).
    """
    _check(pix)
    scale = _number(scale, "scale", 0.0)
    gen = torch.Generator().manual_seed(int(seed))
    z = torch.randn(pix.small.shape, generator=gen, dtype=torch.float64).numpy()
    small = np.clip(pix.small + scale * float(pix.small.std()) * z, 0.0, 1.0) if scale > 0 else pix.small.copy()
    return _derived(pix, small, {"name": "noise", "scale": scale, "seed": int(seed)})


def _pair(a: Pixels, b: Pixels, op: str) -> None:
    _check(a, "a")
    _check(b, "b")
    if a.small.shape != b.small.shape:
        raise EditError(
            f"cannot {op} pixels of shapes {a.small.shape} and {b.small.shape}; pixelate both at the same budget "
            "from images of the same shape"
        )


def paste(
    a: Pixels,
    b: Pixels,
    *,
    region: tuple[int, int, int, int] | None = None,
    channels: Sequence[int] | None = None,
) -> Pixels:
    """``a``'s pixels with a region and/or channels taken from ``b``: the twin of :func:`pixparam.edit.splice`.

    An analogy, not an equivalence: a network's layers and units do not map
    to places or colours, but a hash grid's table entries do map to a region.

    Parameters
    ----------
    a, b : Pixels
        Same shapes.
    region : (y0, x0, y1, x1), optional
        In pixel coordinates of the **full** image (as for
        :func:`pixparam.edit.splice`), mapped to the stored grid outward
        (every stored pixel overlapping the rectangle).
    channels : sequence of int, optional
        Channels taken from ``b`` (within ``region`` if given).
    """
    _pair(a, b, "paste")
    if region is None and channels is None:
        raise EditError("paste needs region= or channels= to say what to take from b")
    H, W = a.image_shape[:2]
    h, w = a.shape
    rows, cols = slice(0, h), slice(0, w)
    if region is not None:
        y0, x0, y1, x1 = (int(v) for v in region)
        if not (0 <= y0 < y1 <= H and 0 <= x0 < x1 <= W):
            raise EditError(f"region={region!r} is not a non-empty rectangle inside the {H}×{W} image (y0, x0, y1, x1)")
        rows = slice(y0 * h // H, -(-y1 * h // H))
        cols = slice(x0 * w // W, -(-x1 * w // W))
    chans = list(range(a.small.shape[2])) if channels is None else [int(ch) for ch in channels]
    if any(not 0 <= ch < a.small.shape[2] for ch in chans):
        raise EditError(f"channels={channels!r}; the image has {a.small.shape[2]} channels")
    small = a.small.copy()
    small[rows, cols, chans] = b.small[rows, cols, chans]
    edit = {"name": "splice", "region": None if region is None else [int(v) for v in region], "channels": chans}
    return _derived(a, small, edit)


def crossfade(a: Pixels, b: Pixels, alpha: float) -> Pixels:
    """``(1 - alpha) * a + alpha * b`` on pixel values: the twin of :func:`pixparam.edit.blend`.

    Parameters
    ----------
    a, b : Pixels
        Counterparts of one shape.
    alpha : float
        In ``[0, 1]``; 0 gives ``a``, 1 gives ``b``.

    Returns
    -------
    Pixels
        A new counterpart; its ``edits`` record the blend.
    """
    _pair(a, b, "cross-fade")
    alpha = _number(alpha, "alpha", 0.0, 1.0)
    small = (1.0 - alpha) * a.small + alpha * b.small
    return _derived(a, small, {"name": "blend", "alpha": alpha})
