"""Plot helpers the experiment figures share: colours and mean ± spread lines."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from ..figures.style import COLORS as FIGURE_COLORS
from ._records import ExperimentResult, Record

#: The figures' colours (one Okabe–Ito colour per family, pixels in black), plus a grey for references.
COLORS = {**FIGURE_COLORS, "interpolation": "#555555"}


def summarise(records: Sequence[Record], xcol: str, ycol: str) -> tuple[np.ndarray, ...]:
    """Per distinct x: mean, std, min and max of the finite y values (x sorted)."""
    groups: dict[Any, list[float]] = {}
    for r in records:
        y = r[ycol]
        if isinstance(y, (int, float)) and math.isfinite(y):
            groups.setdefault(r[xcol], []).append(float(y))
    xs = sorted(groups)
    ys = [np.asarray(groups[x]) for x in xs]
    return (
        np.asarray(xs, dtype=float),
        np.array([y.mean() for y in ys]),
        np.array([y.std(ddof=1) if y.size > 1 else 0.0 for y in ys]),
        np.array([y.min() for y in ys]),
        np.array([y.max() for y in ys]),
    )


def band(
    ax: Axes,
    result: ExperimentResult,
    xs: Sequence[Any],
    xcol: str,
    ycol: str,
    color: str,
    label: str,
    *,
    method: str | None = None,
    linestyle: str = "-",
    **where: Any,
) -> None:
    """Mean of ``ycol`` against ``xcol`` with a min–max band, over records matching ``where``."""
    if method is not None:
        where["method"] = method
    recs = [r for r in result.select(**where) if r[xcol] in set(xs)]
    if not recs:
        return
    x, mean, _, lo, hi = summarise(recs, xcol, ycol)
    ax.plot(x, mean, marker="o", ms=3, color=color, label=label, linestyle=linestyle)
    ax.fill_between(x, lo, hi, color=color, alpha=0.15, linewidth=0)


def log_axis(ax: Axes, which: str = "x") -> None:
    """Log scale with labels on decades only (minor labels crowd small figures)."""
    from matplotlib.ticker import LogLocator, NullFormatter

    axis = ax.xaxis if which == "x" else ax.yaxis
    (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    axis.set_major_locator(LogLocator(base=10))
    axis.set_minor_formatter(NullFormatter())
