"""The crowding figure: every family's reconstructions at each K, the pixels', and PSNR against K.

Lossless points (pixels at small K often hold every value) are not dropped:
they sit on the top edge of the PSNR panel as up-arrows labelled "lossless".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from ..budget import format_count
from ..errors import ConfigError
from ..metrics import format_db
from ._records import ExperimentResult

__all__ = ["mosaic", "plot_crowding"]


def mosaic(stack: np.ndarray, gap: int = 1) -> np.ndarray:
    """Images laid out ``ceil(sqrt(n))`` wide with white gaps.

    Parameters
    ----------
    stack : (n, H, W, C) ndarray
        The images.
    gap : int
        Pixels of white between them.

    Returns
    -------
    (rows·H + (rows-1)·gap, cols·W + (cols-1)·gap, C) ndarray of float32
    """
    k, h, w, c = stack.shape
    side = math.ceil(math.sqrt(k))
    rows = math.ceil(k / side)
    out = np.ones((rows * h + (rows - 1) * gap, side * w + (side - 1) * gap, c), dtype=np.float32)
    for i in range(k):
        r, q = divmod(i, side)
        out[r * (h + gap) : r * (h + gap) + h, q * (w + gap) : q * (w + gap) + w] = stack[i]
    return out


def plot_crowding(
    result: ExperimentResult,
    *,
    families: Sequence[str] | str | None = None,
    family: str | None = None,
    budget: int | None = None,
) -> Figure:
    """Reconstructions at each K (one row per family, then pixels) and mean PSNR per image against K.

    Each cell shows every image of the experiment as that K stores it (with
    ``every=True``: all ``max(ks)`` images, in groups of K per network). The
    lower panel draws every family of the result and pixels, mean over
    images with a min–max band; a K at which a series is lossless is an
    up-arrow on the top edge, labelled.

    Parameters
    ----------
    result : ExperimentResult
        From :func:`crowding` (it must hold ``images``, i.e. not loaded from JSON).
    families : str or sequence of str, optional
        The families whose reconstructions get a row (default every family of the result).
    family : str, optional
        Deprecated spelling of ``families`` for one family.
    budget : int, optional
        Which budget (default the first).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ConfigError
        The result holds no images, or a family or budget it did not run.
    """
    from ..figures import draw_image
    from ..figures.style import color_for, style
    from ._plot import summarise

    meta = result.meta
    if not result.images:
        raise ConfigError("this result has no reconstructions (it was loaded from JSON); rerun crowding() to plot it")
    chosen = family if families is None else families
    rows = list(meta["families"] if chosen is None else [chosen] if isinstance(chosen, str) else chosen)
    budget = budget or meta["budgets"][0]
    for what, given, known in (("family", rows, meta["families"]), ("budget", [budget], meta["budgets"])):
        bad = [v for v in given if v not in known]
        if bad:
            raise ConfigError(f"{what} {bad[0]!r} is not in this result; choose from {list(known)}")
    ks, seed = meta["ks"], meta["seeds"][0]
    cell = 7.2 / len(ks)
    with style():
        fig = Figure(figsize=(7.2, (len(rows) + 1) * (cell + 0.3) + 2.6), layout="constrained")
        top, bottom = fig.subfigures(2, 1, height_ratios=[(len(rows) + 1) * (cell + 0.3), 2.6])
        axes = top.subplots(len(rows) + 1, len(ks), squeeze=False)
        series = [("network", fam, seed) for fam in rows] + [("pixels", "pixels", 0)]
        for row, (method, fam, s) in enumerate(series):
            for col, k in enumerate(ks):
                recs = result.select(method=method, family=fam, k=k, budget=budget, seed=s)
                mean = float(np.mean([r["psnr"] for r in recs]))
                unit = "params" if method == "network" else "values"
                caption = f"{format_count(recs[0]['values_per_image'])} {unit}/img · {format_db(mean)}"
                ax = draw_image(axes[row, col], mosaic(result.images[f"{fam}/{k}/{budget}/{s}"]), caption=caption)
                if row == 0:
                    ax.set_title(f"K = {k}")
                if col == 0:
                    ax.set_ylabel(fam)
        ax = bottom.subplots()
        lossless = False
        for fam in [*meta["families"], "pixels"]:
            colour = color_for(fam)
            recs = result.select(family=fam, budget=budget, seed=seed if fam != "pixels" else 0)
            x, mean, _, lo, hi = summarise(recs, "k", "psnr")
            ax.plot(x, mean, marker="o", color=colour, label=fam, zorder=3)
            ax.fill_between(x, lo, hi, color=colour, alpha=0.15, linewidth=0)
            perfect = [k for k in ks if recs and all(r["psnr"] == math.inf for r in recs if r["k"] == k)]
            for k in perfect:
                lossless = True
                ax.plot(k, 1.0, "^", ms=7, color=colour, transform=ax.get_xaxis_transform(), clip_on=False, zorder=4)
                ax.annotate(
                    f"{fam}: lossless",
                    (k, 1.0),
                    xycoords=("data", "axes fraction"),
                    xytext=(6, -4),
                    textcoords="offset points",
                    fontsize=6.5,
                    color=colour,
                    va="top",
                )
        ax.set_xscale("log", base=2)
        ax.set_xticks(ks, [str(k) for k in ks])
        ax.set_xlabel("K images sharing the budget")
        ax.set_ylabel("PSNR per image (dB)")
        note = " · ▲ lossless (every value kept)" if lossless else ""
        ax.set_title(f"{format_count(budget)} parameters or values in all · mean, band = min–max over images{note}")
        ax.legend(loc="lower left")
        ax.grid(alpha=0.3)
    return fig
