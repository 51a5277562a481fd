"""JPEG at a byte budget: the baseline that stores an image in the same number of bytes as a network.

``jpeg_at_most(img, n_bytes)`` encodes with Pillow at the highest quality whose
file (headers included) holds at most ``n_bytes`` bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from .codecs import at_size, encode
from .errors import BudgetError, ImageError
from .images import ImageSource, load_image, to_uint8
from .metrics import Measured

__all__ = ["Jpeg", "jpeg_at_most"]

#: Every Pillow JPEG quality. Pillow advises against going above 95 (files grow fast for little gain), but
#: at equal bytes those files are the point: a budget that holds a quality-100 file gets it (issue #16).
QUALITIES = range(1, 101)


@dataclass(eq=False)
class Jpeg(Measured):
    """An image stored as a JPEG file of at most ``max_bytes`` bytes.

    Attributes
    ----------
    decoded : (H, W, C) ndarray of float32
        The decoded file, in ``[0, 1]``.
    n_bytes : int
        Size of the file, headers included (``<= max_bytes``).
    max_bytes : int
        The byte budget.
    quality : int
        The Pillow quality used: the largest in 1–100 that fits.
    image : (H, W, C) ndarray of float32 or None
        The encoded image (for metrics).
    metrics : dict
        ``psnr`` and ``ssim`` against ``image``, once measured.
    """

    decoded: np.ndarray
    n_bytes: int
    max_bytes: int
    quality: int
    image: np.ndarray | None = field(default=None, repr=False)
    metrics: dict[str, float] = field(default_factory=dict, repr=False)

    def reconstruct(self, size: tuple[int, int]) -> np.ndarray:
        """The decoded image (resampled bicubic if ``size`` differs)."""
        return at_size(self.decoded, size)

    def caption(self) -> str:
        """``'JPEG q 37 · 3,912 B'``."""
        return f"JPEG q {self.quality} · {self.n_bytes:,} B"


def jpeg_at_most(image: ImageSource, max_bytes: int) -> Jpeg:
    """Encode ``image`` as the best JPEG of at most ``max_bytes`` bytes.

    Every quality from 1 to 100 is tried (Huffman tables optimised, 4:2:0
    chroma for colour); the largest quality whose file fits wins, so the
    result does not rely on file size growing monotonically with quality.

    Parameters
    ----------
    image : path, sample name, PIL image or ndarray
        A gray or RGB image (JPEG has no alpha).
    max_bytes : int
        The byte budget, e.g. ``4 * n_params`` for 32-bit parameters.

    Returns
    -------
    Jpeg
        The decoded image, its byte count and quality.

    Raises
    ------
    BudgetError
        Even quality 1 needs more than ``max_bytes`` bytes (JPEG headers
        alone take a few hundred), or ``max_bytes`` is not a positive whole number.
    ImageError
        The image has an alpha channel.

    Examples
    --------
    >>> import pixparam as pp
    >>> from pixparam.jpeg import jpeg_at_most
    >>> j = jpeg_at_most(pp.load_image("astronaut", size=64), 4 * 1000)
    >>> j.n_bytes <= 4000
    True
    """
    img = load_image(image)
    if img.shape[2] not in (1, 3):
        raise ImageError(f"JPEG stores gray or RGB images; this one has {img.shape[2]} channels (drop the alpha)")
    if isinstance(max_bytes, bool) or int(max_bytes) != max_bytes or max_bytes < 1:
        raise BudgetError(f"max_bytes={max_bytes!r}; it must be a positive whole number of bytes")
    u8 = to_uint8(img)
    u8 = u8[..., 0] if u8.shape[2] == 1 else u8
    best: tuple[int, bytes] | None = None
    smallest = None
    for q in QUALITIES:
        data = encode(u8, "jpeg", q)  # Pillow's default chroma subsampling, as always here
        smallest = len(data) if smallest is None else min(smallest, len(data))
        if len(data) <= max_bytes:
            best = (q, data)
    if best is None:
        raise BudgetError(
            f"no JPEG of this {img.shape[0]}×{img.shape[1]} image fits in {int(max_bytes):,} bytes "
            f"(quality 1 takes {smallest:,}); raise the budget"
        )
    q, data = best
    with Image.open(io.BytesIO(data)) as pil:
        decoded = np.asarray(pil, dtype=np.float32) / 255.0
    decoded = decoded.reshape(img.shape).astype(np.float32)
    return Jpeg(decoded=decoded, n_bytes=len(data), max_bytes=int(max_bytes), quality=q, image=img)
