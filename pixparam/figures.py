"""Matplotlib figures. ``plot_*`` build and return a Figure; ``draw_*`` draw into an Axes.

Library code never calls ``plt.show()``; figures use the object API (no
pyplot state) so they work headless.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ._io import atomic_path

__all__ = ["draw_image", "plot_strip", "save_figure"]

_CAPTION_SIZE = 7.5


def draw_image(ax: Axes, img: np.ndarray, caption: str | None = None) -> Axes:
    """Show an ``(H, W, C)`` image in ``[0, 1]`` as pixels, with a caption below.

    Gray images use a gray colour map with ``vmin=0, vmax=1``; pixels are
    drawn as blocks (``interpolation="nearest"``).
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
        ax.set_xlabel(caption, fontsize=_CAPTION_SIZE, labelpad=2)
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
        Inches per panel; the figure stays ≤ 7.2 in wide for up to 4 columns.

    Returns
    -------
    matplotlib.figure.Figure
    """
    labels = list(rows)
    ncols = max(len(v) for v in rows.values()) + 1
    h, w = original.shape[:2]
    fig = Figure(
        figsize=(panel_width * ncols, len(labels) * (0.9 * panel_width * h / w + 0.3) + 0.3),
        layout="constrained",
    )
    axes = fig.subplots(len(labels), ncols, squeeze=False)
    for r, label in enumerate(labels):
        for c in range(ncols):
            ax = axes[r, c]
            if c == 0:
                if r == 0:
                    draw_image(ax, original, original_caption)
                else:
                    ax.axis("off")
                continue
            panels = rows[label]
            if c - 1 < len(panels):
                img, caption = panels[c - 1]
                draw_image(ax, img, caption)
                if c == 1:
                    ax.set_ylabel(label, fontsize=9)
                if r == 0 and c - 1 < len(column_titles):
                    ax.set_title(column_titles[c - 1], fontsize=9)
            else:
                ax.axis("off")
    return fig


def save_figure(fig: Figure, path: str | os.PathLike, *, dpi: int = 150) -> Path:
    """Save a figure atomically; the format follows the suffix (png, svg, pdf, ...)."""
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in fig.canvas.get_supported_filetypes():
        supported = ", ".join(sorted(fig.canvas.get_supported_filetypes()))
        raise ValueError(f"cannot save a figure as {str(path)!r}; use one of: {supported}")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi)
    return path
