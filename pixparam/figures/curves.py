"""Capacity curves: quality against number of values, for networks, pixels and JPEG.

:func:`capacity_table` computes the records (one per series and budget);
:func:`plot_capacity` draws them; :func:`capacity_curve` does both. Each
series gets a fitted law ``quality = a + b·log10 N`` (a power law in the
MSE), and :func:`crossovers` reads off where a family overtakes pixels.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ..budget import FAMILIES, format_count, parse_budget
from ..errors import BudgetError
from ..images import ImageSource, load_image
from ..jpeg import jpeg_at_most
from ..pixels import pixelate
from ..result import Fit
from .style import MAX_WIDTH, color_for, style

__all__ = [
    "capacity_curve",
    "capacity_table",
    "crossovers",
    "draw_capacity",
    "plot_capacity",
    "power_law",
    "save_table",
]

PIXELS = "pixels/values"


def _bits_series(kind: str, bits: int) -> str:
    return f"{kind}/bits{bits}"


def series_label(series: str) -> str:
    """A legend label for a series key (``'pixels/bits32'`` -> ``'pixels, equal bytes (32-bit params)'``)."""
    if series == PIXELS:
        return "pixels, equal values"
    if "/bits" in series:
        kind, bits = series.split("/bits")
        name = "JPEG" if kind == "jpeg" else "pixels"
        return f"{name}, equal bytes ({bits}-bit params)"
    return series


def _record(series: str, kind: str, budget: int, n: float, n_bytes: int, m: Any, **extra: Any) -> dict[str, Any]:
    return {
        "series": series,
        "kind": kind,
        "budget": int(budget),
        "n": float(n),
        "n_bytes": int(n_bytes),
        "psnr": float(m.psnr),
        "ssim": float(m.ssim),
        **extra,
    }


def _find_fit(fits: Sequence[Fit], family: str, budget: int) -> Fit | None:
    for f in fits:
        if f.family == family and (f.arch.budget == budget or (f.arch.budget is None and f.n_params == budget)):
            return f
    return None


def capacity_table(
    image: ImageSource,
    budgets: Sequence[int | str],
    families: Sequence[str] = FAMILIES,
    *,
    fits: Sequence[Fit] = (),
    param_bits: Sequence[int] = (32,),
    jpeg: bool = True,
    **fit_kwargs: Any,
) -> list[dict[str, Any]]:
    """Measure every family, pixels and JPEG at every budget.

    Parameters
    ----------
    image : path, sample name, PIL image or ndarray
        The image, at the size to fit.
    budgets : sequence of int or str
        Parameter budgets (``"1k"``, ``4096``...).
    families : sequence of str
        Network families to include.
    fits : sequence of Fit
        Fits already made (matched by family and planned budget); only the
        missing ``(family, budget)`` pairs are trained.
    param_bits : sequence of int
        Bits per parameter for the equal-bytes baselines (32; add 16 for a
        half-precision cast).
    jpeg : bool
        Include JPEG at the parameters' number of bytes.
    **fit_kwargs
        Passed to :func:`pixparam.fit` for missing fits (``steps``, ``seed``...).

    Returns
    -------
    list of dict
        One record per series and budget: ``series``, ``kind``
        (``network``/``pixels``/``jpeg``), ``budget``, ``n`` (values, or for
        equal-bytes baselines the parameters those bytes hold:
        ``8 * n_bytes / param_bits``), ``n_bytes``, ``psnr``, ``ssim`` and
        details (``arch``, ``shape``, ``quality``).
    """
    from ..train import fit as fit_one

    img = load_image(image)
    values = sorted({parse_budget(b) for b in budgets})
    if not values:
        raise BudgetError("budgets is empty; pass at least one budget, e.g. ['1k', '4k']")
    unknown = [f for f in families if f not in FAMILIES]
    if unknown:
        raise ValueError(f"unknown families {unknown}; choose from {', '.join(FAMILIES)}")
    fit_kwargs.setdefault("progress", False)
    records: list[dict[str, Any]] = []
    for budget in values:
        for family in families:
            f = _find_fit(fits, family, budget) or fit_one(img, budget, family, **fit_kwargs)
            if f.image_shape != img.shape:
                raise ValueError(f"a {family} fit was made on a {f.image_shape} image, not this {img.shape} one")
            records.append(_record(family, "network", budget, f.n_params, 4 * f.n_params, f, arch=f.arch.describe()))
        pix = pixelate(img, budget, "values")
        records.append(_record(PIXELS, "pixels", budget, pix.n_values, 4 * pix.n_values, pix, shape=pix.shape))
        for bits in param_bits:
            pix = pixelate(img, budget, "bits", param_bits=bits)
            n = 8 * pix.n_values / bits
            records.append(
                _record(_bits_series("pixels", bits), "pixels", budget, n, pix.n_values, pix, shape=pix.shape)
            )
            if jpeg:
                try:
                    j = jpeg_at_most(img, budget * bits // 8)
                except BudgetError:
                    continue  # headers alone exceed the budget: no point
                n = 8 * j.n_bytes / bits
                records.append(_record(_bits_series("jpeg", bits), "jpeg", budget, n, j.n_bytes, j, quality=j.quality))
    return records


def save_table(records: Sequence[dict[str, Any]], path: str | os.PathLike, **meta: Any) -> Path:
    """Write records (and any ``meta`` such as the command or steps) as JSON, atomically.

    Returns
    -------
    Path
    """
    from .._io import write_bytes_atomic

    payload = {"meta": meta, "records": list(records), "crossovers": crossovers(records) if records else {}}
    return write_bytes_atomic(path, (json.dumps(payload, indent=1) + "\n").encode())


def _series(records: Sequence[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for r in records:
        seen.setdefault(r["series"], None)
    return list(seen)


def _points(records: Sequence[dict[str, Any]], series: str, metric: str) -> tuple[np.ndarray, np.ndarray]:
    pts = sorted((r["n"], r[metric]) for r in records if r["series"] == series)
    n = np.array([p[0] for p in pts], dtype=float)
    y = np.array([p[1] for p in pts], dtype=float)
    return n, y


def power_law(records: Sequence[dict[str, Any]], series: str, metric: str = "psnr") -> tuple[float, float] | None:
    """Least-squares ``metric = a + b·log10 N`` over a series' finite points.

    For PSNR this is a power law in the error: ``MSE ∝ N^(-b/10)``.

    Returns
    -------
    (a, b) or None
        ``None`` when fewer than two distinct counts with finite quality remain
        (e.g. pixels lossless, or JPEG at its top quality for every budget).
    """
    n, y = _points(records, series, metric)
    keep = np.isfinite(y)
    if len(np.unique(n[keep])) < 2:
        return None
    b, a = np.polyfit(np.log10(n[keep]), y[keep], 1)
    return float(a), float(b)


def crossovers(
    records: Sequence[dict[str, Any]], against: str = PIXELS, metric: str = "psnr"
) -> dict[str, dict[str, Any]]:
    """Where each network family overtakes a baseline, on the fitted laws.

    The comparison runs over the budgets both cover and stops where the
    baseline becomes lossless (then nothing can overtake it).

    Parameters
    ----------
    records : sequence of dict
        From :func:`capacity_table`.
    against : str
        The baseline series, ``'pixels/values'`` or ``'pixels/bits32'``...

    Returns
    -------
    dict
        Per family: ``n`` (the crossover count, or ``None``), ``status``
        (``'overtakes'``, ``'ahead throughout'``, ``'falls behind'``,
        ``'never in range'``, ``'no fit'``), ``range`` (the compared
        ``[lo, hi]``) and ``measured``: the first budget at which the
        measured family quality beats the baseline at that budget, or ``None``.
    """
    base = power_law(records, against, metric)
    bn, by = _points(records, against, metric)
    finite_n = bn[np.isfinite(by)]
    out: dict[str, dict[str, Any]] = {}
    for fam in [s for s in _series(records) if any(r["series"] == s and r["kind"] == "network" for r in records)]:
        law = power_law(records, fam, metric)
        fn, _ = _points(records, fam, metric)
        entry: dict[str, Any] = {"n": None, "status": "no fit", "range": None, "measured": None}
        by_budget = {r["budget"]: r[metric] for r in records if r["series"] == against}
        for r in sorted((r for r in records if r["series"] == fam), key=lambda r: r["budget"]):
            if r["budget"] in by_budget and r[metric] > by_budget[r["budget"]]:
                entry["measured"] = r["budget"]
                break
        if law is None or base is None or len(finite_n) == 0:
            out[fam] = entry
            continue
        lo, hi = max(fn.min(), finite_n.min()), min(fn.max(), finite_n.max())
        entry["range"] = [float(lo), float(hi)]
        da, db = law[0] - base[0], law[1] - base[1]

        def gap(n: float, da: float = da, db: float = db) -> float:
            return da + db * math.log10(n)

        g_lo, g_hi = gap(lo), gap(hi)
        if g_lo >= 0 and g_hi >= 0:
            entry["status"] = "ahead throughout"
        elif g_lo < 0 and g_hi < 0:
            entry["status"] = "never in range"
        else:
            entry["n"] = float(10 ** (-da / db))
            entry["status"] = "overtakes" if g_hi > 0 else "falls behind"
        out[fam] = entry
    return out


def draw_capacity(
    ax: Axes,
    records: Sequence[dict[str, Any]],
    metric: str = "psnr",
    *,
    fit_lines: bool = True,
    crossover: str | None = PIXELS,
) -> Axes:
    """Draw one quality metric against ``N`` (log x) for every series in ``records``.

    Measured points are markers; with ``fit_lines`` the fitted law
    ``metric = a + b·log10 N`` is a line (its coefficients are in the label),
    otherwise markers are joined. Crossovers against ``crossover`` are marked
    with a cross and their count. Lossless points (infinite PSNR) are left out
    and noted in the corner.
    """
    name = "PSNR" if metric == "psnr" else metric.upper()
    lossless: list[str] = []
    for series in _series(records):
        n, y = _points(records, series, metric)
        kind = next(r["kind"] for r in records if r["series"] == series)
        color = color_for(series)
        dashed = series.endswith("bits16")
        marker = {"network": "o", "pixels": "s", "jpeg": "D"}[kind]
        fill = "white" if series.startswith("pixels/bits") or dashed else color
        keep = np.isfinite(y)
        if (~keep).any():
            lossless.append(f"{series_label(series)}: lossless from {format_count(n[~keep].min())}")
        law = power_law(records, series, metric) if fit_lines else None
        label = series_label(series)
        ls = "--" if dashed else "-"
        if law is not None:
            a, b = law
            label += f": a={a:.1f}, b={b:.2f}"
            xs = np.geomspace(n[keep].min(), n[keep].max(), 50)
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
    if lossless:
        ax.text(0.98, 0.02, "\n".join(lossless), transform=ax.transAxes, ha="right", va="bottom", fontsize=6)
    return ax


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
        fig = Figure(figsize=(width, 3.9 if ssim else 3.6), layout="constrained")
        axes = fig.subplots(1, 2 if ssim else 1, squeeze=False)[0]
        draw_capacity(axes[0], records, "psnr", fit_lines=fit_lines, crossover=crossover)
        if ssim:
            draw_capacity(axes[1], records, "ssim", fit_lines=False, crossover=None)
            axes[0].set_title("PSNR: markers measured, lines fitted", loc="left")
            axes[1].set_title("SSIM", loc="left")
        handles, labels = axes[0].get_legend_handles_labels()
        if crossover is not None and fit_lines:
            from matplotlib.lines import Line2D

            handles.append(Line2D([], [], marker="X", ls="none", color="0.3", ms=6))
            labels.append(f"a family overtakes {series_label(crossover)} (fitted)")
        legend_title = None
        if fit_lines:
            legend_title = "markers: measured · lines: PSNR = a + b·log10 N, least squares per series (a, b below)"
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
