"""Figures of the scaling experiment: loss against size with power-law fits, the exchange rate, the frontier.

Each view is a ``draw_*(ax, result)`` helper and a full-width ``plot_*``
figure; :func:`plot_scaling` stacks the three, one per row. Capped points
(:func:`~pixparam.experiments.scaling.is_capped`, and exchange rates that are
only bounds) are drawn in grey, labelled "capped", and were left out of every fit.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..budget import format_count
from ._records import ExperimentResult
from .powerlaw import PowerLaw

__all__ = [
    "CAPPED_COLOR",
    "draw_compute_frontier",
    "draw_exchange_rate",
    "draw_scaling_laws",
    "law_label",
    "plot_compute_frontier",
    "plot_exchange_rate",
    "plot_scaling",
    "plot_scaling_laws",
]

#: The grey of capped points (lossless, saturated, or a rate that is only a bound).
CAPPED_COLOR = "#9A9A9A"
_SIZE = (7.2, 3.6)


def law_label(law: dict) -> str:
    """``'siren: fit α = 2.02 [1.23, 2.80]'``, with ``', poorly determined (5 points)'`` when it is.

    Parameters
    ----------
    law : dict
        A row of a scaling result's ``tables["laws"]``.

    Returns
    -------
    str
    """
    if "alpha" not in law:
        return f"{law['family']}: no fit"
    text = f"{law['family']}: fit α = {law['alpha']:.2f} [{law['alpha_lo']:.2f}, {law['alpha_hi']:.2f}]"
    if law.get("well_determined", True):
        return text
    return text + f", poorly determined ({law['n_points']} points)"


def _label_capped(ax: Axes, points: list[tuple[float, float]]) -> None:
    """The word "capped" once per column of grey points, beside the highest of them.

    Capped points of several families share a budget (a column on the log x
    axis); one word a column keeps the labels from printing over each other.
    """
    top: dict[int, tuple[float, float]] = {}
    for x, y in points:
        key = round(math.log10(x) * 20)  # columns within 12 % of each other are one
        if key not in top or y > top[key][1]:
            top[key] = (x, y)
    for xy in top.values():
        ax.annotate("capped", xy, xytext=(5, -2), textcoords="offset points", fontsize=6, color=CAPPED_COLOR, va="top")


def _style_axes(ax: Axes) -> None:
    ax.grid(alpha=0.3)
    ax.tick_params(which="both")


def draw_scaling_laws(ax: Axes, result: ExperimentResult) -> None:
    """MSE against parameters (networks, at the most steps) or values (pixels), with each power-law fit.

    Lossless pixel points (MSE 0) sit on the lower edge as grey down-arrows.

    Parameters
    ----------
    ax : Axes
        Where to draw.
    result : ExperimentResult
        From :func:`~pixparam.experiments.scaling`.
    """
    from ..figures.style import color_for
    from ._plot import log_axis

    meta = result.meta
    top = max(meta["steps"])
    laws = {r["family"]: r for r in result.tables.get("laws", [])}
    lossless = []
    capped: list[tuple[float, float]] = []
    for family in [*meta["families"], "pixels"]:
        recs = [r for r in result.select(family=family) if family == "pixels" or r["steps"] == top]
        if not recs:
            continue
        colour = color_for(family)
        kept = [r for r in recs if not r["capped"]]
        x = np.array([r["n_params"] for r in kept], dtype=float)
        ax.plot(x, [r["mse"] for r in kept], "o", ms=4.5, color=colour, mec="white", mew=0.5, zorder=3)
        law = laws.get(family, {})
        if "alpha" in law and x.size:
            fit = PowerLaw(**{k: law[k] for k in PowerLaw.__dataclass_fields__})
            xs = np.geomspace(x.min(), x.max(), 100)
            ls = "-" if law.get("well_determined", True) else "--"
            ax.plot(xs, fit(xs), color=colour, lw=1.0, linestyle=ls, alpha=0.8, zorder=2)
        ax.plot([], [], color=colour, marker="o", ms=4, label=law_label(law) if law else family)
        for r in recs:
            if r["capped"] and r["mse"] > 0:
                ax.plot(r["n_params"], r["mse"], "o", ms=5, mfc="none", color=CAPPED_COLOR, zorder=3)
                capped.append((r["n_params"], r["mse"]))
            elif r["capped"]:
                lossless.append(r["n_params"])
    log_axis(ax, "x")
    log_axis(ax, "y")
    if lossless:
        for n in lossless:
            ax.annotate(
                "capped\n(lossless)",
                (n, 0.0),
                xycoords=("data", "axes fraction"),
                xytext=(0, 10),
                textcoords="offset points",
                ha="center",
                fontsize=6.5,
                color=CAPPED_COLOR,
            )
            ax.plot(n, 0.0, "v", ms=6, color=CAPPED_COLOR, transform=ax.get_xaxis_transform(), clip_on=False)
    _label_capped(ax, capped)
    if capped or lossless:
        ax.plot([], [], "o", mfc="none", color=CAPPED_COLOR, label="capped: lossless or saturated, not fitted")
    ax.set(xlabel="parameters (networks) or pixel values", ylabel="MSE")
    ax.set_title(f"MSE against size, power-law fits L = E + A·P^-α ({top} steps; bootstrap 95 % intervals)")
    ax.legend(loc="lower left")
    _style_axes(ax)


def draw_exchange_rate(ax: Axes, result: ExperimentResult) -> None:
    """Pixel values per parameter at equal MSE; rates that are only bounds are grey and labelled "capped".

    Parameters
    ----------
    ax : Axes
        Where to draw.
    result : ExperimentResult
        From :func:`~pixparam.experiments.scaling`.
    """
    from matplotlib.ticker import FuncFormatter

    from ..figures.style import color_for
    from ._plot import log_axis

    capped: list[tuple[float, float]] = []
    for family in result.meta["families"]:
        ex = [r for r in result.tables.get("exchange", []) if r["family"] == family and math.isfinite(r["rate"])]
        exact = [r for r in ex if not r.get("capped", bool(r.get("bound")))]
        ax.plot(
            [r["n_params"] for r in exact],
            [r["rate"] for r in exact],
            marker="o",
            ms=4.5,
            mec="white",
            mew=0.5,
            color=color_for(family),
            label=family,
            zorder=3,
        )
        for r in ex:
            if r.get("capped", bool(r.get("bound"))):
                marker = "^" if r["bound"] == "at least" else "v"
                ax.plot(r["n_params"], r["rate"], marker=marker, ms=6, mfc="none", color=CAPPED_COLOR, zorder=3)
                capped.append((r["n_params"], r["rate"]))
    _label_capped(ax, capped)
    ax.axhline(1.0, color="k", lw=0.8, linestyle=":", label="1 pixel value per parameter")
    if capped:
        ax.plot(
            [],
            [],
            "^",
            mfc="none",
            color=CAPPED_COLOR,
            label="capped: only a bound (▲ beats every lossy pixel grid, ▼ none)",
        )
    log_axis(ax, "x")
    ax.set_yscale("log")
    plain = FuncFormatter(lambda v, _: f"{v:g}" if v > 0 and f"{v:.0e}"[0] in "125" else "")
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(plain)
    ax.set(xlabel="parameters", ylabel="pixel values per parameter")
    ax.set_title(f"exchange rate at equal MSE ({max(result.meta['steps'])} steps)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2)
    _style_axes(ax)


def draw_compute_frontier(ax: Axes, result: ExperimentResult) -> None:
    """PSNR against compute C = 6·P·steps·pixels: every run faint, each family's frontier drawn over them.

    The y axis stops at the saturation cap (``meta["saturation_db"]``): a run at
    or past it is a grey up-arrow on the top edge, as it says nothing about the
    slope, rather than a point at 150 dB that flattens every other curve.

    Parameters
    ----------
    ax : Axes
        Where to draw.
    result : ExperimentResult
        From :func:`~pixparam.experiments.scaling`.
    """
    from ..figures.style import color_for
    from ._plot import log_axis

    cap = float(result.meta.get("saturation_db", math.inf))
    edge = ax.get_xaxis_transform()  # x in data, y in axes fraction: 1.0 is the top edge
    saturated = []
    ends = {}
    for family in result.meta["families"]:
        colour = color_for(family)
        recs = result.select(method="network", family=family)
        below = [r for r in recs if r["psnr"] < cap]
        ax.scatter([r["compute"] for r in below], [r["psnr"] for r in below], s=10, color=colour, alpha=0.3, zorder=2)
        fr = [r for r in result.tables.get("frontier", []) if r["family"] == family]
        slope = result.meta.get("frontier_slope", {}).get(family)
        label = family if slope is None or not math.isfinite(slope) else f"{family}: d log P / d log C = {slope:.2f}"
        kept = [r for r in fr if not r.get("capped") and r["psnr"] < cap]
        saturated += [r for r in fr if r.get("capped") or r["psnr"] >= cap]
        ax.plot(
            [r["compute"] for r in kept],
            [r["psnr"] for r in kept],
            color=colour,
            lw=1.2,
            marker="o",
            ms=4.5,
            mec="white",
            mew=0.5,
            label=label,
            zorder=3,
        )
        if fr:
            ends[family] = f"{format_count(fr[-1]['n_params'])} params × {fr[-1]['steps']} steps"
    for r in saturated:
        ax.plot(r["compute"], 1.0, "^", ms=6, mfc="none", color=CAPPED_COLOR, transform=edge, clip_on=False)
    if saturated:
        tip = f"saturated (≥ {cap:g} dB): on the top edge, not in the slope"
        ax.plot([], [], "^", mfc="none", color=CAPPED_COLOR, label=tip)
        ax.set_ylim(top=cap)
    if ends:
        same = len(set(ends.values())) == 1
        text = (
            f"every frontier ends at {next(iter(ends.values()))}"
            if same
            else "frontiers end at " + "; ".join(f"{f} {e}" for f, e in ends.items())
        )
        ax.text(0.99, 0.02, text, transform=ax.transAxes, ha="right", va="bottom", fontsize=6.5, color="0.35")
    log_axis(ax, "x")
    ax.set(xlabel="compute C (FLOP)", ylabel="PSNR (dB)")
    ax.set_title("compute frontier: the runs no cheaper run beats, C = 6·P·steps·pixels")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2)
    _style_axes(ax)


def _one(draw, result: ExperimentResult) -> Figure:  # type: ignore[no-untyped-def]
    from ..figures.style import style

    with style():
        fig = Figure(figsize=_SIZE, layout="constrained")
        draw(fig.subplots(), result)
    return fig


def plot_scaling_laws(result: ExperimentResult) -> Figure:
    """MSE against size with power-law fits (:func:`draw_scaling_laws`), 7.2 in wide.

    Parameters
    ----------
    result : ExperimentResult
        From :func:`~pixparam.experiments.scaling` (or :func:`load_result`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    return _one(draw_scaling_laws, result)


def plot_exchange_rate(result: ExperimentResult) -> Figure:
    """The exchange rate (:func:`draw_exchange_rate`), 7.2 in wide.

    Parameters
    ----------
    result : ExperimentResult
        From :func:`~pixparam.experiments.scaling` (or :func:`load_result`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    return _one(draw_exchange_rate, result)


def plot_compute_frontier(result: ExperimentResult) -> Figure:
    """PSNR against compute with each family's frontier (:func:`draw_compute_frontier`), 7.2 in wide.

    Parameters
    ----------
    result : ExperimentResult
        From :func:`~pixparam.experiments.scaling` (or :func:`load_result`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    return _one(draw_compute_frontier, result)


def plot_scaling(result: ExperimentResult) -> Figure:
    """The three views stacked, one per row: power-law fits, exchange rate, compute frontier.

    Parameters
    ----------
    result : ExperimentResult
        What :func:`~pixparam.experiments.scaling` returned (or :func:`load_result` read).

    Returns
    -------
    matplotlib.figure.Figure
        Three axes, each the full 7.2 in width.
    """
    from ..figures.style import style

    with style():
        fig = Figure(figsize=(_SIZE[0], 3 * _SIZE[1]), layout="constrained")
        for ax, draw in zip(fig.subplots(3, 1), (draw_scaling_laws, draw_exchange_rate, draw_compute_frontier)):
            draw(ax, result)
    return fig
