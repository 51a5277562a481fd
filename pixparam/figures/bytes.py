"""Quality against bytes on disk: packed networks beside codecs and pixels, each at its real file size.

:func:`plot_equal_bytes` draws :func:`pixparam.capacity_table` records made
with ``packed_bits``: one PSNR panel against bytes (log x, the values those
bytes hold at 32 bits on a top axis), every series labelled at its line's
end, lossless points as arrows at the top edge.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..errors import ConfigError
from ._capacity_axes import bytes_axis, count_axis
from .style import MAX_WIDTH, clamp_width, color_for, style

__all__ = ["draw_equal_bytes", "equal_bytes_series", "plot_equal_bytes", "plot_hero"]

_CODECS = {"jpeg": "JPEG", "webp": "WebP", "avif": "AVIF"}


def equal_bytes_series(records: Sequence[dict[str, Any]], bits: int) -> dict[str, str]:
    """The series an equal-bytes panel draws for packed ``bits``, each with its label, networks first.

    Parameters
    ----------
    records : sequence of dict
        From :func:`pixparam.capacity_table` with ``bits`` in ``packed_bits``.
    bits : int
        The packed bit depth to show.

    Returns
    -------
    dict
        ``series -> label``: every ``'{family}/packed{bits}'``, then the codecs
        at those files' bytes, PNG pixels at the same bytes, and raw 8-bit
        pixels (``'pixels/bits32'``: a byte a value).
    """
    present = list(dict.fromkeys(r["series"] for r in records))
    out = {s: f"{s.split('/')[0]}, {bits}-bit file" for s in present if s.endswith(f"/packed{bits}") and
           next(r["kind"] for r in records if r["series"] == s) == "packed"}  # fmt: skip
    out.update({f"{c}/packed{bits}": name for c, name in _CODECS.items() if f"{c}/packed{bits}" in present})
    if f"pixels/png-packed{bits}" in present:
        out[f"pixels/png-packed{bits}"] = "pixels, PNG"
    if "pixels/bits32" in present:
        out["pixels/bits32"] = "pixels, raw 8-bit"
    return out


def _points(records: Sequence[dict[str, Any]], series: str, metric: str) -> tuple[np.ndarray, np.ndarray]:
    rows = [r for r in records if r["series"] == series and not r.get("no_file") and r.get("n_bytes")]
    rows.sort(key=lambda r: r["n_bytes"])
    y = [math.inf if r.get(metric) is None and metric == "psnr" else r[metric] for r in rows]
    return np.array([r["n_bytes"] for r in rows], dtype=float), np.array(y, dtype=float)


def _spread(ys: list[float], gap: float) -> list[float]:
    """``ys`` moved apart (in order) so that neighbours are at least ``gap`` apart, staying centred."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    placed = [ys[i] for i in order]
    for _ in range(50):
        moved = False
        for j in range(1, len(placed)):
            if placed[j] - placed[j - 1] < gap:
                push = (gap - (placed[j] - placed[j - 1])) / 2
                placed[j - 1] -= push
                placed[j] += push
                moved = True
        if not moved:
            break
    out = [0.0] * len(ys)
    for i, y in zip(order, placed):
        out[i] = y
    return out


def draw_equal_bytes(ax: Axes, records: Sequence[dict[str, Any]], *, bits: int = 8, metric: str = "psnr") -> Axes:
    """Draw ``metric`` against bytes on disk for every series of :func:`equal_bytes_series`.

    Measured points are joined (no fitted laws); each series is labelled at
    its last finite point by a label in one column right of every curve,
    the labels moved apart so none overlap. Points at
    which a series is lossless (infinite PSNR) are arrows at the top edge.

    Parameters
    ----------
    ax : Axes
        Where to draw.
    records : sequence of dict
        From :func:`pixparam.capacity_table` with ``bits`` in ``packed_bits``.
    bits : int
        The packed bit depth shown.
    metric : {"psnr", "ssim"}

    Returns
    -------
    Axes
        ``ax``.

    Raises
    ------
    ConfigError
        The records hold no packed networks at ``bits``.
    """
    series = equal_bytes_series(records, bits)
    if not any(s.endswith(f"/packed{bits}") for s in series):
        raise ConfigError(f"no networks packed at {bits} bits in these records; pass packed_bits=({bits},)")
    ends, lossless = [], []
    finite_y = []
    for s, label in series.items():
        x, y = _points(records, s, metric)
        keep = np.isfinite(y)
        kind = next(r["kind"] for r in records if r["series"] == s)
        color = "0.5" if s == "pixels/bits32" else color_for(s)
        ls = "-" if kind == "packed" else ":" if kind == "codec" else "--"
        marker = "o" if kind == "packed" else "D" if kind == "codec" else "s"
        hollow = s == "pixels/bits32"
        if keep.any():
            ax.plot(x[keep], y[keep], ls=ls, lw=1.1, marker=marker, ms=3.5, color=color,
                    mfc="white" if hollow else color, zorder=3)  # fmt: skip
            ends.append((x[keep][-1], y[keep][-1], label, color))
            finite_y += list(y[keep])
        lossless += [(xi, color, label) for xi in x[~keep]]
    lo, hi = min(finite_y), max(finite_y)
    pad = 0.06 * (hi - lo or 1.0)
    top = hi + (3 if lossless else 1) * pad
    ax.set_ylim(lo - pad, top)
    for xi, color, _ in lossless:  # lossless: an arrow up to the top edge
        ax.annotate("", xy=(xi, top), xytext=(xi, top - 2.2 * pad),
                    arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.0}, zorder=4)  # fmt: skip
    if lossless:
        first = min(lossless, key=lambda t: t[0])
        ax.annotate(f"{first[2]}: lossless from here", (first[0], top - 2.4 * pad), xytext=(-4, 0),
                    textcoords="offset points", ha="right", va="center", fontsize=6, color=first[1])  # fmt: skip
    # Every label in one column right of every curve (a label at a line that ends early would sit on the
    # curves that go on), spread so none overlap, each joined to its line's end by a faint leader.
    xs = [e[0] for e in ends] + [t[0] for t in lossless]
    column = max(xs) * 1.3
    placed = _spread([e[1] for e in ends], gap=0.05 * (top - lo + pad))
    for (xe, ye, label, color), yl in zip(ends, placed):
        ax.annotate(label, (xe, ye), xytext=(column, yl), textcoords="data", ha="left", va="center",
                    fontsize=6.5, color=color, arrowprops={"arrowstyle": "-", "color": color, "lw": 0.4,
                                                           "alpha": 0.5, "shrinkA": 1, "shrinkB": 1})  # fmt: skip
    ax.set_xscale("log")
    count_axis(ax.xaxis)
    lo_x = min(min(_points(records, s, metric)[0], default=math.inf) for s in series)
    ax.set_xlim(lo_x / 1.25, column * 2.6)  # room for the labels at the right
    bytes_axis(ax)
    ax.set_ylabel("PSNR (dB)" if metric == "psnr" else metric.upper())
    ax.grid(True, which="major")
    return ax


def plot_equal_bytes(
    records: Sequence[dict[str, Any]],
    *,
    bits: int = 8,
    title: str | None = None,
    width: float = MAX_WIDTH,
) -> Figure:
    """One PSNR panel against bytes on disk: packed networks, JPEG, WebP, AVIF and pixels at equal bytes.

    Parameters
    ----------
    records : sequence of dict
        From :func:`pixparam.capacity_table` with ``packed_bits=(bits,)``.
    bits : int
        The packed bit depth shown.
    title : str, optional
    width : float
        Figure width in inches, at most 7.2 (wider is clamped).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ConfigError
        No packed networks at ``bits`` in ``records``.
    """
    with style():
        w = clamp_width(width)
        fig = Figure(figsize=(w, w * 0.55), layout="constrained")
        ax = fig.subplots()
        draw_equal_bytes(ax, records, bits=bits)
        ax.set_title("markers measured; networks packed after quantisation-aware fine-tuning", loc="left",
                     fontsize=7)  # fmt: skip
        if title:
            fig.suptitle(title)
    return fig


def plot_hero(
    image: np.ndarray,
    columns: Sequence[dict[str, Any]],
    *,
    title: str | None = None,
    width: float = MAX_WIDTH,
) -> Figure:
    """One image, a budget ladder: the best packed network, pixels and JPEG, each in the same bytes.

    Parameters
    ----------
    image : (H, W, C) ndarray
        The original, drawn at the top left.
    columns : sequence of dict
        One per budget, in order: ``budget``, ``n_bytes`` (the network file's
        size) and ``rows``, a list of ``(label, picture, caption)`` where
        ``picture`` is an (H, W, C) array or ``None`` (no file fits).
    title : str, optional
    width : float
        Figure width in inches, at most 7.2.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ConfigError
        ``columns`` is empty.
    """
    from ..budget import format_count
    from .panels import draw_image

    if not columns:
        raise ConfigError("no columns to draw; pass one dict per budget")
    n_rows = len(columns[0]["rows"])
    h, w = image.shape[:2]
    with style():
        wd = clamp_width(width)
        pw = wd / (len(columns) + 1)
        fig = Figure(figsize=(wd, n_rows * (0.82 * pw * h / w + 0.36) + 0.45), layout="constrained")
        axes = fig.subplots(n_rows, len(columns) + 1, squeeze=False)
        draw_image(axes[0, 0], image, caption=f"original\n{h}×{w} px")
        for i in range(1, n_rows):
            axes[i, 0].axis("off")
        for j, col in enumerate(columns, start=1):
            axes[0, j].set_title(f"{format_count(col['budget'])} params · {col['n_bytes']:,} B", fontsize=7.5)
            for i, (label, picture, caption) in enumerate(col["rows"]):
                ax = axes[i, j]
                if picture is None:
                    ax.axis("off")
                    ax.text(0.5, 0.5, f"{label}\n{caption}", ha="center", va="center", fontsize=7,
                            transform=ax.transAxes)  # fmt: skip
                else:
                    draw_image(ax, picture, caption=caption)
                if j == 1:
                    ax.set_ylabel(label, fontsize=8)
        if title:
            fig.suptitle(title)
    return fig
