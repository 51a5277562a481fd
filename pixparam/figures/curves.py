"""Capacity curves: draw :mod:`pixparam.capacity` records, quality against number of values (log x).

:func:`draw_capacity` draws one metric into an Axes; :func:`plot_capacity`
draws PSNR and SSIM with the legend; :func:`capacity_curve` measures and draws.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal, overload

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from .._deprecate import keyword_only, warn_deprecated
from ..budget import format_count
from ..capacity import (
    PIXELS,
    capacity_table,
    crossovers,
    power_law,
    series_label,
    series_names,
    series_points,
)
from ..errors import ConfigError
from ..images import ImageSource
from ..result import Fit
from .style import MAX_WIDTH, clamp_width, color_for, style

__all__ = ["capacity_curve", "capacity_notes", "draw_capacity", "plot_capacity"]


@keyword_only("metric")
def draw_capacity(
    ax: Axes,
    records: Sequence[dict[str, Any]],
    *,
    metric: str = "psnr",
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

    Parameters
    ----------
    ax : Axes
        Where to draw.
    records : sequence of dict
        From :func:`pixparam.capacity.capacity_table`.
    metric : {"psnr", "ssim"}
        The quality on the y axis.
    fit_lines : bool
        Draw each series' fitted law (else join the markers).
    crossover : str, optional
        The baseline series whose crossovers are marked (PSNR with
        ``fit_lines`` only); ``None`` marks none.
    notes : bool
        Note lossless and saturated points in the corner.

    Returns
    -------
    Axes
        ``ax``.
    """
    name = "PSNR" if metric == "psnr" else metric.upper()
    lossless: list[str] = []
    for series in series_names(records):
        n, y, fitted = series_points(records, series, metric=metric)
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
        law = power_law(records, series, metric=metric) if fit_lines else None
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
        base = power_law(records, crossover, metric=metric)
        for fam, c in crossovers(records, against=crossover, metric=metric).items():
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


@keyword_only("metric")
def capacity_notes(records: Sequence[dict[str, Any]], *, metric: str = "psnr") -> list[str]:
    """Lines saying which points are lossless (not drawn) or saturated (not fitted).

    Parameters
    ----------
    records : sequence of dict
        As :func:`~pixparam.capacity_table` returns them.
    metric : {"psnr", "ssim"}
        The quality whose points are checked.

    Returns
    -------
    list of str
        One line per series with such points, as :func:`draw_capacity` notes them.
    """
    ax = Figure().subplots()
    draw_capacity(ax, records, metric=metric, crossover=None, notes=True)
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

    Parameters
    ----------
    records : sequence of dict
        From :func:`pixparam.capacity.capacity_table`.
    ssim : bool
        A second panel of SSIM against N.
    fit_lines, crossover
        As for :func:`draw_capacity`.
    title : str, optional
        Figure title.
    width : float
        Figure width in inches, at most 7.2 (wider is clamped).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ConfigError
        ``records`` is empty, or ``width`` is not a positive number.
    """
    return _plot_capacity(records, ssim=ssim, fit_lines=fit_lines, crossover=crossover, title=title, width=width)


def _plot_capacity(
    records: Sequence[dict[str, Any]],
    *,
    ssim: bool,
    fit_lines: bool,
    crossover: str | None,
    title: str | None,
    width: float,
    figure_class: type[Figure] = Figure,
) -> Figure:
    if not records:
        raise ConfigError("no records to draw; compute them with capacity_table(image, budgets)")
    width = clamp_width(width)
    with style():
        n_series = len(series_names(records)) + 1
        legend_rows = math.ceil(n_series / (2 if width >= 6 else 1)) + len(capacity_notes(records)) + 1
        fig = figure_class(figsize=(width, 2.7 + 0.15 * legend_rows), layout="constrained")
        axes = fig.subplots(1, 2 if ssim else 1, squeeze=False)[0]
        draw_capacity(axes[0], records, metric="psnr", fit_lines=fit_lines, crossover=crossover, notes=False)
        if ssim:
            draw_capacity(axes[1], records, metric="ssim", fit_lines=False, crossover=None, notes=False)
            axes[0].set_title("PSNR: markers measured, lines fitted", loc="left")
            axes[1].set_title("SSIM", loc="left")
        handles, labels = axes[0].get_legend_handles_labels()
        if crossover is not None and fit_lines and any(c["n"] for c in crossovers(records, against=crossover).values()):
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


class _RecordsFigure(Figure):
    """A Figure that still answers the deprecated ``pixparam_records`` attribute, with a warning."""

    _records: list[dict[str, Any]]

    @property
    def pixparam_records(self) -> list[dict[str, Any]]:
        """Deprecated: the records :func:`capacity_curve` drew."""
        warn_deprecated(
            "fig.pixparam_records is deprecated; write fig, records = capacity_curve(..., return_records=True)"
        )
        return self._records


@overload
def capacity_curve(
    image: ImageSource,
    budgets: Sequence[int | str],
    families: Sequence[str] | None = ...,
    *,
    return_records: Literal[False] = ...,
    fits: Sequence[Fit] = ...,
    param_bits: Sequence[int] = ...,
    jpeg: bool = ...,
    ssim: bool = ...,
    crossover: str | None = ...,
    title: str | None = ...,
    **fit_kwargs: Any,
) -> Figure: ...


@overload
def capacity_curve(
    image: ImageSource,
    budgets: Sequence[int | str],
    families: Sequence[str] | None = ...,
    *,
    return_records: Literal[True],
    fits: Sequence[Fit] = ...,
    param_bits: Sequence[int] = ...,
    jpeg: bool = ...,
    ssim: bool = ...,
    crossover: str | None = ...,
    title: str | None = ...,
    **fit_kwargs: Any,
) -> tuple[Figure, list[dict[str, Any]]]: ...


def capacity_curve(
    image: ImageSource,
    budgets: Sequence[int | str],
    families: Sequence[str] | None = None,
    *,
    return_records: bool = False,
    fits: Sequence[Fit] = (),
    param_bits: Sequence[int] = (32,),
    jpeg: bool = True,
    ssim: bool = True,
    crossover: str | None = PIXELS,
    title: str | None = None,
    **fit_kwargs: Any,
) -> Figure | tuple[Figure, list[dict[str, Any]]]:
    """Quality against number of values for networks, pixels and JPEG.

    Runs :func:`capacity_table` (training only the fits not given) and draws
    it with :func:`plot_capacity`. To keep the numbers, ask for them with
    ``return_records=True``, or call those two functions yourself.

    Parameters
    ----------
    image, budgets, fits, param_bits, jpeg, **fit_kwargs
        As for :func:`capacity_table`.
    families : sequence of str, optional
        Network families; default every registered family.
    return_records : bool
        Return ``(fig, records)`` instead of the figure alone.
    ssim, crossover, title
        As for :func:`plot_capacity`.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure. Without ``return_records`` it still carries the records
        as ``fig.pixparam_records``, deprecated (reading it warns).
    records : list of dict
        With ``return_records=True``: the :func:`capacity_table` records drawn.
    """
    records = capacity_table(image, budgets, families, fits=fits, param_bits=param_bits, jpeg=jpeg, **fit_kwargs)
    options: dict[str, Any] = {"ssim": ssim, "fit_lines": True, "crossover": crossover, "title": title}
    if return_records:
        return _plot_capacity(records, width=MAX_WIDTH, **options), records
    fig = _plot_capacity(records, width=MAX_WIDTH, figure_class=_RecordsFigure, **options)
    fig._records = records  # type: ignore[attr-defined]
    return fig
