"""Capacity curves: draw :mod:`pixparam.capacity` records, quality against number of values or bytes (log x).

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
from ._capacity_axes import bytes_axis, check_x, count_axis, drawn, series_look
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
    x: str = "values",
) -> Axes:
    """Draw one quality metric against ``N`` or bytes (log x) for every series in ``records``.

    Measured points are markers; with ``fit_lines`` the fitted law
    ``metric = a + b·log10 N`` (or of the bytes) is a line (its coefficients
    are in the label), otherwise markers are joined. Crossovers against
    ``crossover`` are marked with a cross and their count. Lossless points
    (infinite PSNR) are left out and saturated ones (see
    :func:`pixparam.capacity.power_law`) are not fitted; with ``notes`` both
    are noted in the upper left corner, as are codecs for which no file fits
    (:func:`capacity_notes` gives the same lines). Packed networks take their
    family's colour with a triangle and a dashed line; codecs at the packed
    bytes their codec's colour and a dotted line.

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
    x : {"values", "bytes"}
        ``"values"``: each record at its ``n``. ``"bytes"``: at its
        ``n_bytes``, the bytes on disk (float32 networks 4 per parameter,
        packed networks and codecs their file, pixels as recorded), laws and
        crossovers fitted against bytes, with a top axis of the values those
        bytes hold at 32 bits (bytes / 4).

    Returns
    -------
    Axes
        ``ax``.

    Raises
    ------
    ConfigError
        ``x`` is neither, or with ``x="bytes"`` a record has no ``n_bytes``.
    """
    check_x(x)
    name = "PSNR" if metric == "psnr" else metric.upper()
    unit = " B" if x == "bytes" else ""
    lossless = [
        f"{series_label(r['series'])}: no file fits in {r['target_bytes']:,} B ({r['family']})"
        for r in records
        if r.get("no_file")
    ]
    records = drawn(records, x)
    packed_bits = sorted({int(r["bits"]) for r in records if "packed" in r["series"] and "bits" in r}, reverse=True)
    for series in series_names(records):
        n, y, fitted = series_points(records, series, metric=metric)
        kind = next(r["kind"] for r in records if r["series"] == series)
        color = color_for(series)
        marker, ls, hollow = series_look(series, kind, packed_bits)
        fill = "white" if hollow else color
        keep = np.isfinite(y)
        if (~keep).any():
            lossless.append(f"{series_label(series)}: lossless from {format_count(n[~keep].min())}{unit}")
        elif (~fitted).any():
            why = "top quality" if kind in ("jpeg", "codec") else "full resolution"
            lossless.append(f"{series_label(series)}: {why} at {format_count(n[~fitted].min())}{unit}, not fitted")
        law = power_law(records, series, metric=metric) if fit_lines else None
        label = series_label(series)
        if law is not None:
            a, b = law
            label += f": a={a:.1f}, b={b:.2f}"
            xs = np.geomspace(n[fitted].min(), n[fitted].max(), 50)
            ax.plot(xs, a + b * np.log10(xs), color=color, ls=ls, lw=1.1, zorder=2)
            ax.plot(n[keep], y[keep], ls="none", marker=marker, mfc=fill, color=color, label=label, zorder=3)
        else:
            ax.plot(n[keep], y[keep], ls=ls, lw=0.9, marker=marker, mfc=fill, color=color, label=label, zorder=3)
    if crossover is not None and metric == "psnr" and fit_lines:
        _mark_crossovers(ax, records, crossover, metric)
    ax.set_xscale("log")
    count_axis(ax.xaxis)
    if x == "bytes":
        bytes_axis(ax)
    else:
        ax.set_xlabel("number of values N (parameters, or their bytes' worth)")
    ax.set_ylabel(f"{name} (dB)" if metric == "psnr" else name)
    ax.grid(True, which="major")
    if notes and lossless:
        ax.text(0.02, 0.98, "\n".join(lossless), transform=ax.transAxes, ha="left", va="top", fontsize=6)
    return ax


def _mark_crossovers(ax: Axes, records: Sequence[dict[str, Any]], crossover: str, metric: str) -> None:
    """A cross and its count where each family's fitted law overtakes ``crossover``'s."""
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


@keyword_only("metric")
def capacity_notes(records: Sequence[dict[str, Any]], *, metric: str = "psnr", x: str = "values") -> list[str]:
    """Lines saying which points are lossless (not drawn), saturated (not fitted) or hold no file (not drawn).

    Parameters
    ----------
    records : sequence of dict
        As :func:`~pixparam.capacity_table` returns them.
    metric : {"psnr", "ssim"}
        The quality whose points are checked.
    x : {"values", "bytes"}
        The x axis the counts in the lines are on (see :func:`draw_capacity`).

    Returns
    -------
    list of str
        One line per series with such points, as :func:`draw_capacity` notes them.
    """
    ax = Figure().subplots()
    draw_capacity(ax, records, metric=metric, crossover=None, notes=True, x=x)
    return [line for t in ax.texts for line in t.get_text().splitlines()]


def plot_capacity(
    records: Sequence[dict[str, Any]],
    *,
    ssim: bool = True,
    fit_lines: bool = True,
    crossover: str | None = PIXELS,
    title: str | None = None,
    width: float = MAX_WIDTH,
    x: str = "values",
) -> Figure:
    """Draw :func:`capacity_table` records: PSNR (and SSIM) against N or bytes, legend below.

    Crosses mark where a family's fitted PSNR law overtakes the ``crossover``
    baseline's (equal values by default). With ``x="bytes"`` every series
    sits at its bytes on disk, which is where packed networks
    (``packed_bits`` of :func:`capacity_table`) meet the codecs at their bytes.

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
    x : {"values", "bytes"}
        The x axis, as for :func:`draw_capacity`.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ConfigError
        ``records`` is empty, ``width`` is not a positive number, or ``x`` is
        not an axis these records can be drawn on.
    """
    return _plot_capacity(records, ssim=ssim, fit_lines=fit_lines, crossover=crossover, title=title, width=width, x=x)


def _plot_capacity(
    records: Sequence[dict[str, Any]],
    *,
    ssim: bool,
    fit_lines: bool,
    crossover: str | None,
    title: str | None,
    width: float,
    x: str = "values",
    figure_class: type[Figure] = Figure,
) -> Figure:
    if not records:
        raise ConfigError("no records to draw; compute them with capacity_table(image, budgets)")
    width = clamp_width(width)
    shown = drawn(records, x)  # refuses a bad x (or bytes the records lack) before drawing
    notes = capacity_notes(records, x=x)
    with style():
        n_series = len(series_names(shown)) + 1
        legend_rows = math.ceil(n_series / (2 if width >= 6 else 1)) + len(notes) + 1
        fig = figure_class(figsize=(width, 2.7 + 0.15 * legend_rows), layout="constrained")
        axes = fig.subplots(1, 2 if ssim else 1, squeeze=False)[0]
        draw_capacity(axes[0], records, metric="psnr", fit_lines=fit_lines, crossover=crossover, notes=False, x=x)
        if ssim:
            draw_capacity(axes[1], records, metric="ssim", fit_lines=False, crossover=None, notes=False, x=x)
            axes[0].set_title("PSNR: markers measured, lines fitted", loc="left")
            axes[1].set_title("SSIM", loc="left")
        handles, labels = axes[0].get_legend_handles_labels()
        if crossover is not None and fit_lines and any(c["n"] for c in crossovers(shown, against=crossover).values()):
            from matplotlib.lines import Line2D

            handles.append(Line2D([], [], marker="X", ls="none", color="0.3", ms=6))
            labels.append(f"a family overtakes {series_label(crossover)} (fitted)")
        title_lines = list(notes)
        if fit_lines:
            over = "N" if x == "values" else "bytes"
            title_lines.insert(
                0, f"markers: measured · lines: PSNR = a + b·log10 {over}, least squares per series (a, b below)"
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
    packed_bits: Sequence[int] = ...,
    qat_steps: int = ...,
    ssim: bool = ...,
    crossover: str | None = ...,
    title: str | None = ...,
    x: str = ...,
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
    packed_bits: Sequence[int] = ...,
    qat_steps: int = ...,
    ssim: bool = ...,
    crossover: str | None = ...,
    title: str | None = ...,
    x: str = ...,
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
    packed_bits: Sequence[int] = (),
    qat_steps: int = 300,
    ssim: bool = True,
    crossover: str | None = PIXELS,
    title: str | None = None,
    x: str = "values",
    **fit_kwargs: Any,
) -> Figure | tuple[Figure, list[dict[str, Any]]]:
    """Quality against number of values (or bytes) for networks, pixels and JPEG; packed networks and codecs.

    Runs :func:`capacity_table` (training only the fits not given) and draws
    it with :func:`plot_capacity`. To keep the numbers, ask for them with
    ``return_records=True``, or call those two functions yourself.

    Parameters
    ----------
    image, budgets, fits, param_bits, jpeg, packed_bits, qat_steps, **fit_kwargs
        As for :func:`capacity_table`.
    families : sequence of str, optional
        Network families; default every registered family.
    return_records : bool
        Return ``(fig, records)`` instead of the figure alone.
    ssim, crossover, title, x
        As for :func:`plot_capacity`; ``x="bytes"`` is the axis on which
        packed networks and the codecs at their bytes compare.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure. Without ``return_records`` it still carries the records
        as ``fig.pixparam_records``, deprecated (reading it warns).
    records : list of dict
        With ``return_records=True``: the :func:`capacity_table` records drawn.
    """
    check_x(x)  # before any training
    records = capacity_table(
        image,
        budgets,
        families,
        fits=fits,
        param_bits=param_bits,
        jpeg=jpeg,
        packed_bits=packed_bits,
        qat_steps=qat_steps,
        **fit_kwargs,
    )
    options: dict[str, Any] = {"ssim": ssim, "fit_lines": True, "crossover": crossover, "title": title, "x": x}
    if return_records:
        return _plot_capacity(records, width=MAX_WIDTH, **options), records
    fig = _plot_capacity(records, width=MAX_WIDTH, figure_class=_RecordsFigure, **options)
    fig._records = records  # type: ignore[attr-defined]
    return fig
