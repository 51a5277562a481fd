"""The rate–distortion figure: PSNR against bits per pixel for packed networks, codecs and pixels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ..errors import ConfigError
from .style import OKABE_ITO, TOL_MUTED, clamp_width, color_for, style

__all__ = ["draw_rate_distortion", "frontier", "plot_rate_distortion"]

_CODEC_LABEL = {
    "jpeg": "JPEG",
    "webp": "WebP",
    "avif": "AVIF",
    "pixels/png": "pixels (PNG)",
    "pixels/raw": "pixels (raw 8-bit)",
}
_BIT_MARKERS = {4: "v", 6: "s", 8: "o", 16: "D", 32: "^"}
_CODEC_STYLE = {"jpeg": "--", "webp": "-.", "avif": ":", "pixels/png": "-", "pixels/raw": "-"}
_CODEC_COLOR = {
    "jpeg": OKABE_ITO["orange"],
    "webp": TOL_MUTED["teal"],
    "avif": "0.35",
    "pixels/png": "black",
    "pixels/raw": "0.6",
}


def frontier(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points no other point beats: each better than every point at a lower or equal rate.

    Parameters
    ----------
    points : sequence of (rate, quality)

    Returns
    -------
    list of (rate, quality)
        Sorted by rate; quality strictly increasing.
    """
    out: list[tuple[float, float]] = []
    for x, y in sorted(points, key=lambda p: (p[0], -p[1])):
        if not out or y > out[-1][1]:
            out.append((x, y))
    return out


def draw_rate_distortion(
    ax: Any,
    records: Sequence[dict[str, Any]],
    *,
    references: Sequence[dict[str, Any]] = (),
    metric: str = "psnr",
) -> None:
    """Draw PSNR (or SSIM) against bits per pixel (log x) into ``ax``.

    Each family's packed files (every budget and bit depth below 32) are
    small faint marks; its frontier, the files no other of its files beats
    at an equal or lower rate, is a line whose marker gives each point's
    bit depth (▼ 4, ■ 6, ● 8). Float32 files are left out (their packed
    twins always beat them). Codecs and pixels are lines.

    Parameters
    ----------
    ax : matplotlib Axes
    records : sequence of dict
        Rows with ``kind`` (``"network"``, ``"codec"``), ``series``, ``bpp`` and
        ``metric``; networks also ``family`` and ``bits``. ``None`` metrics (no
        file fits) are skipped.
    references : sequence of dict
        Published points (``label``, ``bpp``, ``psnr``) drawn as thin grey
        marks: other images, so no like-for-like comparison.
    metric : {"psnr", "ssim"}
    """
    nets = [r for r in records if r["kind"] == "network" and r.get(metric) is not None and r["bits"] < 32]
    for fam in dict.fromkeys(r["family"] for r in nets):
        rows = [r for r in nets if r["family"] == fam]
        color = color_for(fam)
        ax.plot([r["bpp"] for r in rows], [r[metric] for r in rows], ls="none", marker=".", ms=2.5,
                color=color, alpha=0.35)  # fmt: skip
        best = frontier([(r["bpp"], r[metric]) for r in rows])
        ax.plot(*zip(*best), color=color, lw=1.1, label=f"{fam}, packed")
        for x, y in best:
            bits = next(r["bits"] for r in rows if (r["bpp"], r[metric]) == (x, y))
            ax.plot([x], [y], ls="none", marker=_BIT_MARKERS.get(bits, "o"), ms=3.5, color=color)
    for series in _CODEC_LABEL:
        pts = sorted((r["bpp"], r[metric]) for r in records if r["series"] == series and r.get(metric) is not None)
        if pts:
            x, y = zip(*pts)
            ax.plot(x, y, color=_CODEC_COLOR[series], ls=_CODEC_STYLE[series], lw=1.3, label=_CODEC_LABEL[series])
    if references and metric == "psnr":
        for i, ref in enumerate(references):
            ax.plot([ref["bpp"]], [ref["psnr"]], marker="+", ms=6, color="0.55", ls="none",
                    label="Kodak, from the papers" if i == 0 else None)  # fmt: skip
            ax.annotate(ref["label"], (ref["bpp"], ref["psnr"]), xytext=(3, 2 if i % 2 == 0 else -7),
                        textcoords="offset points", fontsize=5.5, color="0.45")  # fmt: skip
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("bits per pixel (file size × 8 / pixels)")
    ax.set_ylabel("PSNR (dB)" if metric == "psnr" else "SSIM")
    ax.grid(alpha=0.3)


def plot_rate_distortion(
    records: Sequence[dict[str, Any]],
    *,
    image: str | None = None,
    references: Sequence[dict[str, Any]] = (),
    width: float = 7.2,
    title: str | None = None,
) -> Figure:
    """PSNR and SSIM against bits per pixel: packed networks beside JPEG, WebP, AVIF and PNG pixels.

    Parameters
    ----------
    records : sequence of dict
        From ``benchmarks/rate_distortion.py`` (see :func:`draw_rate_distortion`).
    image : str, optional
        Keep only the records of this image (``record["image"]``).
    references : sequence of dict
        Published Kodak points, drawn on the PSNR panel.
    width : float
        Figure width in inches, at most 7.2 (wider is clamped).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ConfigError
        No records (for that image).
    """
    rows = [r for r in records if image is None or r.get("image") == image]
    if not rows:
        raise ConfigError(f"no rate-distortion records{'' if image is None else f' for image {image!r}'}")
    with style():
        w = clamp_width(width)
        fig = Figure(figsize=(w, w * 0.5), layout="constrained")
        axes = fig.subplots(1, 2)
        draw_rate_distortion(axes[0], rows, references=references, metric="psnr")
        draw_rate_distortion(axes[1], rows, metric="ssim")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=6, frameon=False)
        if title:
            fig.suptitle(title, fontsize=9)
        y = [r["psnr"] for r in rows if r.get("psnr") is not None and np.isfinite(r["psnr"])]
        if y:
            axes[0].set_ylim(min(y) - 1, max(y) + 1)
    return fig
