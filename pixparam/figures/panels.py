"""Panels: ``draw_*`` helpers that draw one image-like panel into an Axes; the grid and saving."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .._deprecate import keyword_only
from .._io import atomic_path, check_writable
from ..errors import ConfigError, ImageError, OutputError
from ..limits import check_memory
from .style import CAPTION_SIZE, clamp_width, panel_size, style

__all__ = ["draw_error", "draw_image", "draw_inset", "error_map", "plot_strip", "save_figure"]


@keyword_only("caption")
def draw_image(ax: Axes, img: np.ndarray, *, caption: str | None = None) -> Axes:
    """Show an ``(H, W, C)`` image in ``[0, 1]`` as pixels, with a caption below.

    Gray images use a gray colour map with ``vmin=0, vmax=1``; pixels are
    drawn as blocks (``interpolation="nearest"``).

    Parameters
    ----------
    ax : Axes
        Where to draw.
    img : (H, W, C) ndarray
        Values in ``[0, 1]``; ``C`` is 1, 3 or 4.
    caption : str, optional
        Text under the image (its x label).

    Returns
    -------
    Axes
        ``ax``.
    """
    if img.shape[2] == 1:
        ax.imshow(img[..., 0], cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    else:
        ax.imshow(np.clip(img, 0.0, 1.0), interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    if caption:
        ax.set_xlabel(caption, fontsize=CAPTION_SIZE, labelpad=2)
    return ax


def plot_strip(
    original: np.ndarray,
    rows: Mapping[str, Sequence[tuple[np.ndarray, str]]],
    *,
    column_titles: Sequence[str] = (),
    original_caption: str = "original",
    panel_width: float = 1.3,
) -> Figure:
    """A grid of images: the original top-left, then one row per label.

    Parameters
    ----------
    original : (H, W, C) ndarray
        Shown once, in the first column of the first row.
    rows : mapping of str to sequence of (image, caption)
        Row label -> panels, one per column; all rows the same length.
    column_titles : sequence of str
        Titles over the panel columns (e.g. budgets).
    original_caption : str
        Caption under the original.
    panel_width : float
        Inches per panel, shrunk so the figure stays ≤ 7.2 in wide (from 6
        columns on at the default).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ConfigError
        ``rows`` is empty, or ``panel_width`` is not a positive number.
    """
    labels = list(rows)
    if not labels:
        raise ConfigError("rows is empty; pass a mapping of row label to [(image, caption), ...]")
    ncols = max(len(v) for v in rows.values()) + 1
    pw = panel_size(ncols, largest=panel_width, requested=panel_width)
    h, w = original.shape[:2]
    with style():
        fig = Figure(
            figsize=(clamp_width(pw * ncols), len(labels) * (0.9 * pw * h / w + 0.3) + 0.3), layout="constrained"
        )
        axes = fig.subplots(len(labels), ncols, squeeze=False)
        for r, label in enumerate(labels):
            for c in range(ncols):
                ax = axes[r, c]
                if c == 0:
                    if r == 0:
                        draw_image(ax, original, caption=original_caption)
                    else:
                        ax.axis("off")
                    continue
                panels = rows[label]
                if c - 1 < len(panels):
                    img, caption = panels[c - 1]
                    draw_image(ax, img, caption=caption)
                    if c == 1:
                        ax.set_ylabel(label, fontsize=9)
                    if r == 0 and c - 1 < len(column_titles):
                        ax.set_title(column_titles[c - 1], fontsize=9)
                else:
                    ax.axis("off")
    return fig


#: The dpi range :func:`save_figure` accepts.
DPI_RANGE = (10, 2400)

#: Raster formats, whose memory grows with the dpi squared.
_RASTER = {"png", "jpg", "jpeg", "tif", "tiff", "webp", "avif", "gif", "raw", "rgba"}


def check_figure_path(path: str | os.PathLike, *, dpi: float | None = None) -> str:
    """Fail now when a figure cannot be saved at ``path`` (and ``dpi``); return the format.

    Raises
    ------
    OutputError
        The suffix is not a format matplotlib writes, or the folder is
        missing or not writable.
    ConfigError
        ``dpi`` is not a number in :data:`DPI_RANGE`.

    Parameters
    ----------
    path : str or path
        The figure file to write; its suffix picks the format.
    dpi : float, optional
        The resolution it will be saved at (checked against the memory limit).
    """
    from matplotlib.backend_bases import FigureCanvasBase

    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    supported = FigureCanvasBase.get_supported_filetypes()
    if fmt not in supported:
        raise OutputError(f"cannot save a figure as {str(path)!r}; use one of: {', '.join(sorted(supported))}")
    if dpi is not None:
        lo, hi = DPI_RANGE
        if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not lo <= dpi <= hi:
            raise ConfigError(f"dpi={dpi!r}; pass a resolution from {lo} to {hi} dots per inch (150 is the default)")
    check_writable(path)
    return fmt


def save_figure(fig: Figure, path: str | os.PathLike, *, dpi: int = 150) -> Path:
    """Save a figure atomically; the format follows the suffix (png, svg, pdf, ...).

    Parameters
    ----------
    fig : Figure
        The figure.
    path : str or path
        Where to write; its folder must exist.
    dpi : int
        Resolution of raster formats.

    Returns
    -------
    Path

    Raises
    ------
    OutputError
        The suffix is not a format matplotlib writes, or the folder is
        missing or not writable (:func:`check_figure_path`).
    ConfigError
        ``dpi`` is outside :data:`DPI_RANGE`, or a raster at that dpi would
        need more memory than :func:`pixparam.limits.memory_limit` allows.
    """
    path = Path(path)
    fmt = check_figure_path(path, dpi=dpi)
    if fmt in _RASTER:
        w, h = fig.get_size_inches()
        px = int(w * dpi) * int(h * dpi)
        check_memory(8 * px, f"a {w:.1f}×{h:.1f} in figure at dpi={dpi}", "pass a smaller dpi", ConfigError)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi)
    return path


def error_map(ref: np.ndarray, test: np.ndarray) -> np.ndarray:
    """Per-pixel ``|ref - test|`` of two ``(H, W, C)`` images, averaged over channels: an ``(H, W)`` array.

    Parameters
    ----------
    ref, test : (H, W, C) ndarray
        Two images of one shape (render the network at the image's size).

    Returns
    -------
    (H, W) ndarray of float32

    Raises
    ------
    ImageError
        The shapes differ.
    """
    ref, test = np.asarray(ref, dtype=np.float32), np.asarray(test, dtype=np.float32)
    if ref.shape != test.shape:
        raise ImageError(f"cannot map the error between shapes {ref.shape} and {test.shape}; render at one size")
    return np.abs(ref - test).mean(axis=-1)


def draw_error(ax: Axes, error: np.ndarray, *, vmax: float, caption: str | None = None, cmap: str = "magma") -> Axes:
    """Show an ``(H, W)`` error map (e.g. :func:`error_map`) on the colour scale ``[0, vmax]``.

    Give every panel of a figure the same ``vmax`` so their colours compare;
    ``ax.images[0]`` is the mappable for a colourbar.

    Parameters
    ----------
    ax : Axes
        Where to draw.
    error : (H, W) ndarray
        Absolute errors, e.g. from :func:`error_map`.
    vmax : float
        Top of the colour scale, positive.
    caption : str, optional
        Text under the panel.
    cmap : str
        A matplotlib colour map.

    Returns
    -------
    Axes
        ``ax``.
    """
    if not vmax > 0:
        raise ConfigError(f"vmax={vmax!r}; the error colour scale needs a positive upper end")
    ax.imshow(error, cmap=cmap, vmin=0.0, vmax=vmax, interpolation="nearest")
    _bare(ax)
    if caption:
        ax.set_xlabel(caption, fontsize=CAPTION_SIZE, labelpad=2)
    return ax


def draw_inset(
    ax: Axes, box: Sequence[float], *, size: float = 0.45, color: str = "white", loc: str = "lower right"
) -> Axes:
    """Zoom into ``box`` of the image already drawn in ``ax``, in an inset in one corner.

    Parameters
    ----------
    ax : Axes
        An Axes holding one image (from :func:`draw_image` or :func:`draw_error`).
    box : (top, left, height, width)
        The crop, as fractions of the image's height and width (``0`` to ``1``),
        so the same box crops renders of any resolution alike.
    size : float
        Inset side as a fraction of the panel.
    color : str
        Colour of the inset frame and of the rectangle marking the crop.
    loc : {"lower right", "lower left", "upper right", "upper left"}
        Corner of the inset.

    Returns
    -------
    Axes
        The inset Axes (same colour map and scale as the panel).
    """
    from matplotlib.patches import Rectangle

    top, left, bh, bw = (float(v) for v in box)
    if not (0 <= top < 1 and 0 <= left < 1 and 0 < bh and 0 < bw and top + bh <= 1 and left + bw <= 1):
        raise ConfigError(f"inset box {tuple(box)} must be (top, left, height, width) fractions inside [0, 1]")
    if not ax.images:
        raise ConfigError("draw_inset needs an Axes that already shows an image; call draw_image first")
    im = ax.images[0]
    data = im.get_array()
    h, w = data.shape[:2]
    y0, x0 = top * h - 0.5, left * w - 0.5
    corners = {
        "lower right": (1 - size, 0.0),
        "lower left": (0.0, 0.0),
        "upper right": (1 - size, 1 - size),
        "upper left": (0.0, 1 - size),
    }
    if loc not in corners:
        raise ConfigError(f"loc={loc!r}; choose one of {', '.join(corners)}")
    ins = ax.inset_axes([*corners[loc], size, size])
    ins.imshow(data, cmap=im.get_cmap(), norm=im.norm, interpolation="nearest")
    ins.set_xlim(x0, x0 + bw * w)
    ins.set_ylim(y0 + bh * h, y0)
    _bare(ins, keep_frame=True)
    for spine in ins.spines.values():
        spine.set_edgecolor(color)
        spine.set_linewidth(0.8)
    ax.add_patch(Rectangle((x0, y0), bw * w, bh * h, fill=False, edgecolor=color, linewidth=0.7))
    return ins


def _bare(ax: Axes, keep_frame: bool = False) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(keep_frame)
