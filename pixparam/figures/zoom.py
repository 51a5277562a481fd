"""Zooming into detail: the original's pixels, a network rendered finer than the image, and bicubic pixels, same crops.

A network is a function of continuous coordinates, so it can be drawn at any
resolution; the pixels it is compared with can only be interpolated. The
figure puts the same crops side by side at ``scale`` times the image's
resolution: the original as blocks (there is nothing finer to show), the
network evaluated on the finer grid, and its pixel counterpart upsampled
bicubic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..errors import ConfigError
from ..images import ImageSource, load_image
from .panels import draw_image
from .style import MAX_WIDTH, clamp_width, style

__all__ = ["crop_box", "plot_zoom"]

Box = Sequence[float]


def crop_box(shape: Sequence[int], box: Box, scale: int = 1) -> tuple[slice, slice]:
    """Rows and columns of a crop given as fractions ``(top, left, height, width)`` of an image.

    Parameters
    ----------
    shape : (H, W, ...)
        The image's shape at scale 1.
    box : (top, left, height, width)
        Fractions in ``[0, 1]``; the box must lie inside the image.
    scale : int
        The crop is taken from the image upsampled ``scale`` times.

    Returns
    -------
    (slice, slice)
        Rows and columns of the ``scale`` times larger image, aligned to
        whole source pixels (so the three panels show the same area).

    Raises
    ------
    ConfigError
        The box is not four fractions inside the image, or is empty.
    """
    if len(box) != 4 or not all(isinstance(v, (int, float)) and 0 <= v <= 1 for v in box):
        raise ConfigError(f"crop {tuple(box)!r}: give (top, left, height, width) as fractions in [0, 1]")
    top, left, bh, bw = box
    if top + bh > 1 + 1e-9 or left + bw > 1 + 1e-9:
        raise ConfigError(f"crop {tuple(box)!r} reaches past the image; top + height and left + width must be ≤ 1")
    h, w = int(shape[0]), int(shape[1])
    r0, c0 = round(top * h), round(left * w)
    r1, c1 = min(h, max(r0 + 1, round((top + bh) * h))), min(w, max(c0 + 1, round((left + bw) * w)))
    return slice(r0 * scale, r1 * scale), slice(c0 * scale, c1 * scale)


def plot_zoom(
    image: ImageSource,
    fit: Any,
    pixels: Any,
    crops: Mapping[str, Box],
    *,
    scale: int = 8,
    title: str | None = None,
    width: float = MAX_WIDTH,
) -> Figure:
    """The same crops, ``scale`` times finer than the image: original pixels, the network, bicubic pixels.

    Parameters
    ----------
    image : path, sample name, PIL image or ndarray
        The image the fit was made on.
    fit : Fit
        The network, rendered at ``scale`` times the image's size.
    pixels : Pixels
        Its pixel counterpart (:func:`pixparam.pixelate`), upsampled bicubic.
    crops : mapping of str to (top, left, height, width)
        Named crops as fractions of the image (:func:`crop_box`).
    scale : int
        How much finer than the image the crops are drawn (2–16).
    title : str, optional
    width : float
        Figure width in inches, at most 7.2.

    Returns
    -------
    matplotlib.figure.Figure
        One row per crop: the whole image with the crop outlined, the
        original's pixels as blocks, the network, the bicubic pixels.

    Raises
    ------
    ConfigError
        No crops, a crop outside the image, or ``scale`` not a whole number in 2–16.
    """
    img = load_image(image)
    if isinstance(scale, bool) or not isinstance(scale, int) or not 2 <= scale <= 16:
        raise ConfigError(f"scale={scale!r}; use a whole number from 2 to 16")
    if not crops:
        raise ConfigError("crops is empty; pass named (top, left, height, width) fractions, e.g. {'eyes': ...}")
    boxes = {name: crop_box(img.shape, box, scale) for name, box in crops.items()}  # all checked before rendering
    h, w = img.shape[:2]
    big = (h * scale, w * scale)
    net = fit.render(size=big)
    pix = pixels.render(mode="bicubic", size=big)
    blocks = np.repeat(np.repeat(img, scale, axis=0), scale, axis=1)
    ph, pw = pixels.shape
    with style():
        wd = clamp_width(width)
        fig = Figure(figsize=(wd, len(boxes) * wd / 4 * 1.05 + 0.5), layout="constrained")
        axes = fig.subplots(len(boxes), 4, squeeze=False)
        for i, (name, (rows, cols)) in enumerate(boxes.items()):
            ax = axes[i, 0]
            draw_image(ax, img, caption=name)
            r, c = rows.start / scale, cols.start / scale
            ax.add_patch(Rectangle((c - 0.5, r - 0.5), (cols.stop - cols.start) / scale,
                                   (rows.stop - rows.start) / scale, fill=False, ec="#E69F00", lw=1.2))  # fmt: skip
            draw_image(axes[i, 1], blocks[rows, cols], caption=f"original, {h}×{w} px (blocks)")
            draw_image(axes[i, 2], net[rows, cols], caption=f"{fit.family}, evaluated {scale}× finer")
            draw_image(axes[i, 3], pix[rows, cols], caption=f"pixels {ph}×{pw}, bicubic {scale}×")
        if title:
            fig.suptitle(title)
    return fig
