"""Pixel counterparts: the image downsampled to (about) a network's number of values.

``pixelate(img, budget)`` keeps the aspect ratio as closely as whole pixels
allow and holds at most ``budget`` values (``match="values"``), or at most
``budget * param_bits / 8`` values of 8 bits (``match="bits"``: the same
number of bytes as the parameters). Downsampling averages areas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from ._deprecate import keyword_only
from .budget import format_count, parse_budget
from .errors import BudgetError, ConfigError
from .images import ImageSource, Size, area_downsample, load_image, resolve_size, upsample
from .metrics import Measured

__all__ = ["PARAM_BITS", "Pixels", "check_param_bits", "counterpart_shape", "pixelate"]

Match = Literal["values", "bits"]
RenderMode = Literal["nearest", "bilinear", "bicubic", "lanczos"]


@dataclass(eq=False)
class Pixels(Measured):
    """A downsampled image standing in for a network of the same size.

    Attributes
    ----------
    small : (h, w, C) ndarray of float32
        The stored pixels (quantised to 8 bits when ``match="bits"``).
    budget : int
        The parameter budget it matches.
    match : {"values", "bits"}
        What was matched.
    bits_per_value : int
        32 (float values) or 8 (bytes).
    image_shape : (int, int, int)
        Shape of the full image.
    image : (H, W, C) ndarray of float32 or None
        The full image (for metrics).
    metrics : dict
        ``psnr`` and ``ssim`` of the bicubic reconstruction, once measured.
    edits : tuple of dict
        Pixel edits applied (:mod:`pixparam.pixel_edits`), oldest first.
    n_stored : int or None
        Values an edit left to store (e.g. the DCT coefficients kept by
        pruning); ``None`` means all ``n_values``.
    """

    small: np.ndarray
    budget: int
    match: str
    bits_per_value: int
    image_shape: tuple[int, int, int]
    image: np.ndarray | None = field(default=None, repr=False)
    metrics: dict[str, float] = field(default_factory=dict, repr=False)
    edits: tuple[dict, ...] = ()
    n_stored: int | None = None

    @property
    def n_effective(self) -> int:
        """Values stored after edits (``n_values`` unless pruned)."""
        return self.n_values if self.n_stored is None else self.n_stored

    @property
    def n_values(self) -> int:
        """Stored values: ``h * w * C``."""
        return int(self.small.size)

    @property
    def n_bits(self) -> int:
        """Stored bits: ``n_values * bits_per_value``."""
        return self.n_values * self.bits_per_value

    @property
    def shape(self) -> tuple[int, int]:
        """``(h, w)`` of the stored pixels."""
        return int(self.small.shape[0]), int(self.small.shape[1])

    @keyword_only("mode", "size")
    def render(self, *, mode: RenderMode = "bicubic", size: Size = None) -> np.ndarray:
        """Upsample to the full image's size (or ``size``).

        Parameters
        ----------
        mode : {"nearest", "bilinear", "bicubic", "lanczos"}
            ``nearest`` shows pixels as blocks (the visual metaphor);
            ``bicubic`` and ``lanczos`` are the fair reconstructions.
        size : int or (int, int), optional
            Output size; default the full image's ``(H, W)``.

        Returns
        -------
        (H, W, C) ndarray of float32 in ``[0, 1]``

        Raises
        ------
        ConfigError
            ``mode`` is not one of the four.
        """
        h, w = self.image_shape[:2] if size is None else resolve_size(size, self.image_shape[:2])
        return upsample(self.small, (h, w), mode=mode)

    def reconstruct(self, size: tuple[int, int]) -> np.ndarray:
        """Bicubic upsampling to ``size`` ``(H, W)``, the fair reconstruction metrics use: an ``(H, W, C)`` array."""
        return self.render(mode="bicubic", size=size)

    def caption(self) -> str:
        """``'36×37 px · 4.0k values'``."""
        h, w = self.shape
        unit = "values" if self.match == "values" else "bytes"
        return f"{h}×{w} px · {format_count(self.n_values)} {unit}"

    def _repr_png_(self) -> bytes:
        """The pixels as blocks at a whole-number multiple of the full image's size, as PNG, for notebooks."""
        from .web.notebook import display_size, image_png

        return image_png(self.render(mode="nearest", size=display_size(self.image_shape)))

    def __repr__(self) -> str:
        h, w = self.shape
        c = self.small.shape[2]
        return f"Pixels({h}×{w}×{c}, n_values={self.n_values}, budget={self.budget}, match={self.match!r})"


def counterpart_shape(image_shape: tuple[int, ...], n_values: int) -> tuple[int, int]:
    """The ``(h, w)`` with most pixels such that ``h * w * C <= n_values``, aspect kept.

    Candidates pair each side with the other side's exact-aspect length
    rounded down or up by one pixel; among them the largest pixel count
    wins, then the closest aspect. Never larger than the image itself.

    Parameters
    ----------
    image_shape : (int, int) or (int, int, int)
        ``(H, W[, C])`` of the image.
    n_values : int
        The most values the counterpart may hold.

    Returns
    -------
    (int, int)
        ``(h, w)``.

    Raises
    ------
    BudgetError
        ``n_values`` is less than one pixel's channels.
    """
    H, W = int(image_shape[0]), int(image_shape[1])
    C = int(image_shape[2]) if len(image_shape) > 2 else 1
    max_px = n_values // C
    if max_px < 1:
        raise BudgetError(f"{n_values} values hold less than one {C}-channel pixel; raise the budget to at least {C}")
    if max_px >= H * W:
        return H, W
    target = math.log(H / W)
    best: tuple[int, float, int, int] | None = None

    def consider(h: int, w: int) -> None:
        nonlocal best
        if 1 <= h <= H and 1 <= w <= W and h * w <= max_px:
            key = (h * w, -abs(math.log(h / w) - target), h, w)
            if best is None or key > best:
                best = key

    for h in range(1, H + 1):
        w = math.floor(h * W / H)
        consider(h, w)
        consider(h, w + 1)
    for w in range(1, W + 1):
        h = math.floor(w * H / W)
        consider(h, w)
        consider(h + 1, w)
    assert best is not None
    return best[2], best[3]


#: Bits a parameter can be stored at: float32, float16, and the grids :func:`pixparam.edit.quantize` offers.
PARAM_BITS = (32, 16, 8, 6, 4, 3, 2)


def check_param_bits(param_bits: Any) -> int:
    """``param_bits`` when it is one of :data:`PARAM_BITS`, else a :class:`~pixparam.ConfigError`.

    Parameters
    ----------
    param_bits : int
        Bits per parameter, one of :data:`PARAM_BITS`.
    """
    if isinstance(param_bits, bool) or not isinstance(param_bits, (int, np.integer)) or param_bits not in PARAM_BITS:
        raise ConfigError(
            f"param_bits={param_bits!r}; bits per parameter is one of {', '.join(map(str, PARAM_BITS))} "
            f"(32: float32, 16: a half-precision cast, fewer: a quantisation grid)"
        )
    return int(param_bits)


@keyword_only("match")
def pixelate(image: ImageSource, budget: int | str, *, match: Match = "values", param_bits: int = 32) -> Pixels:
    """The pixel counterpart of a ``budget``-parameter network.

    Parameters
    ----------
    image : path, sample name, PIL image or ndarray
        The full image.
    budget : int or str
        Parameters of the network to match (``4096``, ``"4k"``).
    match : {"values", "bits"}
        ``values``: at most ``budget`` float values. ``bits``: at most
        ``budget * param_bits / 8`` 8-bit values (equal storage).
    param_bits : int
        Bits per parameter for ``match="bits"`` (32; 16 after a half cast).

    Returns
    -------
    Pixels
        Area-averaged small image; 8-bit quantised for ``match="bits"``.

    Raises
    ------
    BudgetError
        The budget is not a number of parameters, or holds less than one pixel.
    ConfigError
        ``match`` or ``param_bits`` is not one of the choices.

    Examples
    --------
    >>> import pixparam as pp
    >>> pix = pp.pixelate(pp.load_image("astronaut", size=64), 4096)
    >>> pix.shape, pix.n_values
    ((37, 36), 3996)
    """
    img = load_image(image)
    budget = parse_budget(budget)
    if match == "values":
        n_values, bits = budget, 32
    elif match == "bits":
        n_values, bits = budget * check_param_bits(param_bits) // 8, 8
    else:
        raise ConfigError(f"match={match!r}; choose 'values' or 'bits'")
    h, w = counterpart_shape(img.shape, n_values)
    small = img if (h, w) == img.shape[:2] else area_downsample(img, (h, w))
    if bits == 8:
        small = (np.round(small * 255.0) / 255.0).astype(np.float32)
    return Pixels(small=small, budget=budget, match=match, bits_per_value=bits, image_shape=img.shape, image=img)
