"""Capacity curves: draw :mod:`pixparam.capacity` records, quality against number of values (log x).

:func:`draw_capacity` draws one metric into an Axes; :func:`plot_capacity`
draws PSNR and SSIM with the legend; :func:`capacity_curve` measures and draws.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ..budget import FAMILIES, format_count
from ..capacity import PIXELS, _points, _series, capacity_table, crossovers, power_law, series_label
from ..images import ImageSource
from ..result import Fit
from .style import MAX_WIDTH, color_for, style

__all__ = ["capacity_curve", "capacity_notes", "draw_capacity", "plot_capacity"]


def draw_capacity(
    ax: Axes,
    records: Sequence[dict[str, Any]],
    metric: str = "psnr",
    *,
    fit_lines: bool = True,
    crossover: str | None = PIXELS,
    notes: bool = True,
) -> Axes:
    """Draw one quality metric against ``N`` (log x) for every series in ``records``.

    Measured points are markers; with ``fit_lines`` the fitted law
    ``metric = a + b·log10 N`` is a line (its coefficients are in the label),
    otherwise markers are joined. Crossovers against ``crossover`` are marked
    with a cross and their count. Lossless points (infinite PSNR) are left out
    and saturated ones (see :func:`pixparam.capacity.power_law`) are not
    fitted; with ``notes`` both are noted in the upper left corner
    (:func:`capacity_notes` gives the same lines).
    """
    name = "PSNR" if metric == "psnr" else metric.upper()
    lossless: list[str] = []
    for series in _series(records):
        n, y, fitted = _points(records, series, metric)
        kind = next(r["kind"] for r in records if r["series"] == series)
        color = color_for(series)
        dashed = series.endswith("bits16")
        marker = {"network": "o", "pixels": "s", "jpeg": "D"}[kind]
        fill = "white" if series.startswith("pixels/bits") or dashed else color
        keep = np.isfinite(y)
        if (~keep).any():
            lossless.append(f"{series_label(series)}: lossless from {format_count(n[~keep].min())}")
        elif (~fitted).any():
            why = "top quality" if kind == "jpeg" else "full resolution"
            lossless.append(f"{series_label(series)}: {why} at {format_count(n[~fitted].min())}, not fitted")
        law = power_law(records, series, metric) if fit_lines else None
        label = series_label(series)
        ls = "--" if dashed else "-"
        if law is not None:
            a, b = law
            label += f": a={a:.1f}, b={b:.2f}"
            xs = np.geomspace(n[fitted].min(), n[fitted].max(), 50)
            ax.plot(xs, a + b * np.log10(xs), color=color, ls=ls, lw=1.1, zorder=2)
            ax.plot(n[keep], y[keep], ls="none", marker=marker, mfc=fill, color=color, label=label, zorder=3)
        else:
            ax.plot(n[keep], y[keep], ls=ls, lw=0.9, marker=marker, mfc=fill, color=color, label=label, zorder=3)
    if crossover is not None and metric == "psnr" and fit_lines:
        base = power_law(records, crossover, metric)
        for fam, c in crossovers(records, crossover, metric).items():
            if c["n"] is None or base is None:
                continue
            x = c["n"]
            y = base[0] + base[1] * math.log10(x)
            ax.plot([x], [y], marker="X", ms=7, color=color_for(fam), mec="white", mew=0.6, ls="none", zorder=4)
            ax.annotate(
                format_count(x),
                (x, y),
                xytext=(0, -10),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=6.5,
                color=color_for(fam),
            )
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_count(v)))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("number of values N (parameters, or their bytes' worth)")
    ax.set_ylabel(f"{name} (dB)" if metric == "psnr" else name)
    ax.grid(True, which="major")
    if notes and lossless:
        ax.text(0.02, 0.98, "\n".join(lossless), transform=ax.transAxes, ha="left", va="top", fontsize=6)
    return ax


def capacity_notes(records: Sequence[dict[str, Any]], metric: str = "psnr") -> list[str]:
    """Lines saying which points are lossless (not drawn) or saturated (not fitted)."""
    from matplotlib.figure import Figure as _Figure

    ax = _Figure().subplots()
    draw_capacity(ax, records, metric, crossover=None, notes=True)
    return [line for t in ax.texts for line in t.get_text().splitlines()]


def plot_capacity(
    records: Sequence[dict[str, Any]],
    *,
    ssim: bool = True,
    fit_lines: bool = True,
    crossover: str | None = PIXELS,
    title: str | None = None,
    width: float = MAX_WIDTH,
) -> Figure:
    """Draw :func:`capacity_table` records: PSNR (and SSIM) against N, legend below.

    Crosses mark where a family's fitted PSNR law overtakes the ``crossover``
    baseline's (equal values by default).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not records:
        raise ValueError("no records to draw; compute them with capacity_table(image, budgets)")
    with style():
        n_series = len(_series(records)) + 1
        legend_rows = math.ceil(n_series / (2 if width >= 6 else 1)) + len(capacity_notes(records)) + 1
        fig = Figure(figsize=(width, 2.7 + 0.15 * legend_rows), layout="constrained")
        axes = fig.subplots(1, 2 if ssim else 1, squeeze=False)[0]
        draw_capacity(axes[0], records, "psnr", fit_lines=fit_lines, crossover=crossover, notes=False)
        if ssim:
            draw_capacity(axes[1], records, "ssim", fit_lines=False, crossover=None, notes=False)
            axes[0].set_title("PSNR: markers measured, lines fitted", loc="left")
            axes[1].set_title("SSIM", loc="left")
        handles, labels = axes[0].get_legend_handles_labels()
        if crossover is not None and fit_lines and any(c["n"] for c in crossovers(records, crossover).values()):
            from matplotlib.lines import Line2D

            handles.append(Line2D([], [], marker="X", ls="none", color="0.3", ms=6))
            labels.append(f"a family overtakes {series_label(crossover)} (fitted)")
        title_lines = capacity_notes(records)
        if fit_lines:
            title_lines.insert(
                0, "markers: measured · lines: PSNR = a + b·log10 N, least squares per series (a, b below)"
            )
        legend_title = "\n".join(title_lines) or None
        fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=2 if width >= 6 else 1,
            title=legend_title,
            title_fontsize=7,
        )
        if title:
            fig.suptitle(title)
    return fig


def capacity_curve(
    image: ImageSource,
    budgets: Sequence[int | str],
    families: Sequence[str] = FAMILIES,
    *,
    fits: Sequence[Fit] = (),
    param_bits: Sequence[int] = (32,),
    jpeg: bool = True,
    ssim: bool = True,
    crossover: str | None = PIXELS,
    title: str | None = None,
    **fit_kwargs: Any,
) -> Figure:
    """Quality against number of values for networks, pixels and JPEG.

    Runs :func:`capacity_table` (training only the fits not given) and draws
    it with :func:`plot_capacity`. The records are kept on the figure as
    ``fig.pixparam_records``.

    Parameters
    ----------
    image, budgets, families, fits, param_bits, jpeg, **fit_kwargs
        As for :func:`capacity_table`.
    ssim, crossover, title
        As for :func:`plot_capacity`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    records = capacity_table(image, budgets, families, fits=fits, param_bits=param_bits, jpeg=jpeg, **fit_kwargs)
    fig = plot_capacity(records, ssim=ssim, crossover=crossover, title=title)
    fig.pixparam_records = records  # type: ignore[attr-defined]
    return fig
