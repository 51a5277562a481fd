"""Image codecs at a byte budget: JPEG, WebP and AVIF through Pillow, and pixels as PNG.

:func:`at_most` finds the best file of a codec that holds at most a number of
bytes (headers included); :func:`png_pixels_at_most` the largest pixel
counterpart whose PNG does. Both return ``None`` when nothing fits: at a few
hundred bytes a JPEG header alone is too big, and that is a result, not an
error.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, features

from .errors import BudgetError, ConfigError, ImageError
from .images import ImageSource, load_image, to_uint8, upsample
from .metrics import Measured, psnr
from .pixels import Pixels, pixelate

__all__ = ["CODECS", "Coded", "at_most", "at_size", "available", "decode", "encode", "png_bytes", "png_pixels_at_most"]

#: Codecs :func:`at_most` knows, in the order figures show them.
CODECS: tuple[str, ...] = ("jpeg", "webp", "avif")
_FORMAT = {"jpeg": "JPEG", "webp": "WEBP", "avif": "AVIF"}
#: JPEG chroma subsamplings tried for colour images.
JPEG_SUBSAMPLINGS: tuple[str, ...] = ("4:2:0", "4:4:4")


def available(codec: str) -> bool:
    """Whether this Pillow can write ``codec`` (AVIF needs Pillow >= 11.3 wheels or libavif).

    Parameters
    ----------
    codec : str
        ``"jpeg"``, ``"webp"`` or ``"avif"``.

    Returns
    -------
    bool
    """
    return codec == "jpeg" or (codec in _FORMAT and bool(features.check(codec)))


@dataclass(eq=False)
class Coded(Measured):
    """An image stored by a codec in at most ``max_bytes`` bytes.

    Attributes
    ----------
    codec : str
        ``"jpeg"``, ``"webp"`` or ``"avif"``.
    decoded : (H, W, C) ndarray of float32
        The decoded file, in ``[0, 1]``.
    n_bytes : int
        Size of the file, headers included (``<= max_bytes``).
    max_bytes : int
        The budget.
    quality : int
        The codec's quality setting (0/1–100).
    subsampling : str or None
        JPEG's chroma subsampling (``"4:2:0"``, ``"4:4:4"``), else ``None``.
    data : bytes
        The file.
    image : (H, W, C) ndarray or None
        The encoded image (for metrics).
    metrics : dict
        ``psnr`` and ``ssim`` against ``image``, once measured.
    """

    codec: str
    decoded: np.ndarray = field(repr=False)
    n_bytes: int
    max_bytes: int
    quality: int
    subsampling: str | None = None
    data: bytes = field(default=b"", repr=False)
    image: np.ndarray | None = field(default=None, repr=False)
    metrics: dict[str, float] = field(default_factory=dict, repr=False)

    def reconstruct(self, size: tuple[int, int]) -> np.ndarray:
        """The decoded image (resampled bicubic if ``size`` differs)."""
        return at_size(self.decoded, size)

    def caption(self) -> str:
        """``'WebP q 37 · 3,912 B'``."""
        name = {"jpeg": "JPEG", "webp": "WebP", "avif": "AVIF"}[self.codec]
        sub = f" {self.subsampling}" if self.subsampling else ""
        return f"{name}{sub} q {self.quality} · {self.n_bytes:,} B"


def at_size(decoded: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A decoded file's pixels at ``size``: themselves, or resampled bicubic.

    Parameters
    ----------
    decoded : (H, W, C) ndarray of float32
        Decoded pixels in ``[0, 1]``.
    size : (int, int)
        ``(h, w)`` wanted.

    Returns
    -------
    (h, w, C) ndarray of float32
    """
    if tuple(size) == decoded.shape[:2]:
        return decoded
    return upsample(decoded, size, mode="bicubic")


def encode(u8: np.ndarray, codec: str, quality: int, subsampling: str | None = None) -> bytes:
    """The file ``codec`` writes for an ``(H, W)`` or ``(H, W, 3)`` uint8 image at ``quality``.

    JPEG optimises its Huffman tables; WebP uses its slowest, smallest method;
    AVIF speed 6 (Pillow's default). Gray images go to WebP and AVIF as RGB.

    Parameters
    ----------
    u8 : (H, W) or (H, W, 3) ndarray of uint8
        The image.
    codec : {"jpeg", "webp", "avif"}
    quality : int
        The codec's quality setting.
    subsampling : str, optional
        JPEG's chroma subsampling (``"4:2:0"``, ``"4:4:4"``); default Pillow's.

    Returns
    -------
    bytes
    """
    if codec not in _FORMAT:
        raise ConfigError(f"unknown codec {codec!r}; choose one of {', '.join(CODECS)}")
    pil = Image.fromarray(u8)
    buf = io.BytesIO()
    if codec == "jpeg":
        extra = {} if subsampling is None else {"subsampling": subsampling}
        pil.save(buf, format="JPEG", quality=int(quality), optimize=True, **extra)
    elif codec == "webp":
        pil.convert("RGB").save(buf, format="WEBP", quality=int(quality), method=6)
    else:
        pil.convert("RGB").save(buf, format="AVIF", quality=int(quality), speed=6)
    return buf.getvalue()


def decode(data: bytes, channels: int) -> np.ndarray:
    """A file's pixels as ``(H, W, channels)`` float32 in ``[0, 1]`` (gray: the mean of RGB).

    Parameters
    ----------
    data : bytes
        An image file.
    channels : int
        1 or 3.

    Returns
    -------
    (H, W, channels) ndarray of float32
    """
    with Image.open(io.BytesIO(data)) as pil:
        a = np.asarray(pil.convert("L" if pil.mode == "L" else "RGB"), dtype=np.float32) / 255.0
    if a.ndim == 2:
        a = a[..., None]
    if channels == 1 and a.shape[2] == 3:
        a = a.mean(axis=2, keepdims=True)
    return np.ascontiguousarray(a, dtype=np.float32)


def at_most(
    image: ImageSource,
    max_bytes: int,
    codec: str = "jpeg",
    *,
    qualities: Sequence[int] = range(1, 101),
) -> Coded | None:
    """The best ``codec`` file of ``image`` that holds at most ``max_bytes`` bytes, or ``None``.

    A binary search finds the highest quality whose file fits (file size
    grows with quality, though not strictly: the neighbouring qualities are
    tried too); among the files that fit, the one with the highest PSNR wins.
    For colour JPEG both 4:2:0 and 4:4:4 chroma are searched.

    Parameters
    ----------
    image : path, sample name, PIL image or ndarray
        A gray or RGB image.
    max_bytes : int
        The budget, headers included.
    codec : {"jpeg", "webp", "avif"}
    qualities : sequence of int
        The quality settings allowed, increasing.

    Returns
    -------
    Coded or None
        ``None`` when even the lowest quality needs more than ``max_bytes``.

    Raises
    ------
    ConfigError
        An unknown codec, or one this Pillow cannot write.
    ImageError
        An image with alpha.
    BudgetError
        ``max_bytes`` is not a positive whole number.

    Examples
    --------
    >>> import pixparam as pp
    >>> img = pp.load_image("astronaut", size=64)
    >>> c = at_most(img, 1500, "webp")
    >>> c.n_bytes <= 1500, at_most(img, 50, "jpeg") is None
    (True, True)
    """
    img = load_image(image)
    if codec not in _FORMAT:
        raise ConfigError(f"unknown codec {codec!r}; choose one of {', '.join(CODECS)}")
    if not available(codec):
        raise ConfigError(f"this Pillow cannot write {codec.upper()}; upgrade Pillow (>= 11.3 ships AVIF)")
    if img.shape[2] not in (1, 3):
        raise ImageError(f"{codec.upper()} stores gray or RGB here; this image has {img.shape[2]} channels")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, np.integer)) or max_bytes < 1:
        raise BudgetError(f"max_bytes={max_bytes!r}; it must be a positive whole number of bytes")
    u8 = to_uint8(img)
    u8 = u8[..., 0] if u8.shape[2] == 1 else u8
    qs = list(qualities)
    subs: Sequence[str | None] = JPEG_SUBSAMPLINGS if codec == "jpeg" and img.shape[2] == 3 else (None,)
    best: Coded | None = None
    for sub in subs:
        sizes: dict[int, bytes] = {}

        def size(i: int, sub: str | None = sub, sizes: dict[int, bytes] = sizes) -> int:
            if i not in sizes:
                sizes[i] = encode(u8, codec, qs[i], sub)
            return len(sizes[i])

        if size(0) > max_bytes:
            continue
        lo, hi = 0, len(qs) - 1  # the highest index that fits, if sizes grow with quality
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if size(mid) <= max_bytes else (lo, mid - 1)
        for i in range(max(0, lo - 3), min(len(qs), lo + 4)):
            if size(i) > max_bytes:
                continue
            decoded = decode(sizes[i], img.shape[2])
            cand = Coded(codec, decoded, len(sizes[i]), int(max_bytes), qs[i], sub, sizes[i], image=img)
            cand.metrics["psnr"] = psnr(img, decoded)
            if best is None or cand.metrics["psnr"] > best.metrics["psnr"]:
                best = cand
    return best


def png_bytes(img: np.ndarray) -> int:
    """The size in bytes of ``img`` written as an 8-bit PNG (Pillow's optimiser), headers included.

    Parameters
    ----------
    img : (H, W, C) ndarray
        Values in ``[0, 1]`` (rounded to 8 bits; clipped first); ``C`` is 1, 3 or 4.

    Returns
    -------
    int

    Examples
    --------
    >>> import numpy as np
    >>> from pixparam.codecs import png_bytes
    >>> png_bytes(np.zeros((8, 8, 1), np.float32)) < png_bytes(np.random.default_rng(0).random((8, 8, 1)))
    True
    """
    small = to_uint8(np.asarray(img))
    buf = io.BytesIO()
    Image.fromarray(small[..., 0] if small.shape[2] == 1 else small).save(buf, format="PNG", optimize=True)
    return len(buf.getvalue())


def png_pixels_at_most(image: ImageSource, max_bytes: int) -> tuple[Pixels, int] | None:
    """The largest pixel counterpart whose PNG file holds at most ``max_bytes`` bytes, and that size.

    The counterpart is the image area-downsampled (aspect kept, as
    :func:`pixparam.pixelate`); its 8-bit PNG is written with Pillow's
    optimiser. ``None`` when even one pixel's PNG is larger.

    Parameters
    ----------
    image : path, sample name, PIL image or ndarray
    max_bytes : int
        The budget, headers included.

    Returns
    -------
    (Pixels, int) or None
        The counterpart and its PNG's size in bytes.
    """
    img = load_image(image)
    h, w, c = img.shape

    def png_size(n_values: int) -> tuple[Pixels, int]:
        pix = pixelate(img, n_values)
        return pix, png_bytes(pix.small)

    lo, hi = c, h * w * c
    first = png_size(lo)
    if first[1] > max_bytes:
        return None
    best = first
    while lo < hi:  # the most values whose PNG fits (sizes grow with the values, near enough)
        mid = (lo + hi + 1) // 2
        got = png_size(mid)
        if got[1] <= max_bytes:
            lo, best = mid, got
        else:
            hi = mid - 1
    return best
