"""Power laws over capacity records: ``quality = a + b·log10 N`` per series, and where two laws cross.

A record is a row of :func:`pixparam.capacity.capacity_table` (``series``,
``n``, ``psnr``/``ssim``, ``saturated``...). The laws are straight lines in
``log10 N``; for PSNR they are power laws in the MSE.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._deprecate import keyword_only

__all__ = ["PARALLEL_RTOL", "PIXELS", "crossovers", "law_crossing", "power_law", "series_names", "series_points"]

#: The series key of pixels at equal values: the baseline crossovers are measured against.
PIXELS = "pixels/values"


def series_names(records: Sequence[dict[str, Any]]) -> list[str]:
    """The series keys in ``records``, in order of first appearance.

    Parameters
    ----------
    records : sequence of dict
        As :func:`capacity_table` returns them.

    Returns
    -------
    list of str
    """
    seen: dict[str, None] = {}
    for r in records:
        seen.setdefault(r["series"], None)
    return list(seen)


def series_points(
    records: Sequence[dict[str, Any]], series: str, *, metric: str = "psnr"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One series' points, sorted by ``n``.

    Parameters
    ----------
    records : sequence of dict
        As :func:`capacity_table` returns them.
    series : str
        The series key (see :func:`series_names`).
    metric : {"psnr", "ssim"}
        The quality to return.

    Returns
    -------
    n, y, fitted : (K,) ndarray
        Counts, ``metric`` values (NaN where a record has none: no file
        fitted its bytes), and a bool mask of the points a law is fitted to
        (finite and not saturated).
    """
    pts = sorted(
        (r["n"], math.nan if r[metric] is None else r[metric], bool(r.get("saturated", False)))
        for r in records
        if r["series"] == series
    )
    n = np.array([p[0] for p in pts], dtype=float)
    y = np.array([p[1] for p in pts], dtype=float)
    fitted = np.isfinite(y) & ~np.array([p[2] for p in pts], dtype=bool)
    return n, y, fitted


@keyword_only("metric")
def power_law(records: Sequence[dict[str, Any]], series: str, *, metric: str = "psnr") -> tuple[float, float] | None:
    """Least-squares ``metric = a + b·log10 N`` over a series' finite, unsaturated points.

    Saturated points are left out: pixels at the image's full resolution
    (more budget buys nothing but, for equal bytes, the 8-bit rounding), and
    JPEG at its top quality (the file no longer grows).

    For PSNR this is a power law in the error: ``MSE ∝ N^(-b/10)``.

    Parameters
    ----------
    records : sequence of dict
        As :func:`capacity_table` returns them.
    series : str
        The series key (see :func:`series_names`).
    metric : {"psnr", "ssim"}
        The quality fitted.

    Returns
    -------
    (a, b) or None
        ``None`` when fewer than two distinct counts with finite quality remain
        (e.g. pixels lossless, or JPEG at its top quality for every budget).
    """
    n, y, keep = series_points(records, series, metric=metric)
    if len(np.unique(n[keep])) < 2:
        return None
    b, a = np.polyfit(np.log10(n[keep]), y[keep], 1)
    return float(a), float(b)


#: Slopes closer than this, relative to the steeper one, count as parallel (they never meet).
PARALLEL_RTOL = 1e-9
#: The largest ``log10 N`` a crossover may have: beyond it no float holds ``N``.
_MAX_LOG10 = math.log10(sys.float_info.max)


def law_crossing(law: tuple[float, float], base: tuple[float, float]) -> float | None:
    """The count ``N`` at which two laws ``a + b·log10 N`` are equal, or ``None``.

    Parameters
    ----------
    law, base : (float, float)
        ``(a, b)`` as :func:`power_law` returns them.

    Returns
    -------
    float or None
        ``10 ** ((a_base - a_law) / (b_law - b_base))``, computed in log space.
        ``None`` when the slopes differ by at most :data:`PARALLEL_RTOL` of the
        larger slope (parallel laws never meet; a least-squares fit of
        parallel data rounds their slopes apart by ~1e-16), when a value is
        not finite, or when ``N`` would lie outside what a float holds.

    Examples
    --------
    >>> law_crossing((0.0, 6.0), (10.0, 3.0)) == 10 ** (10 / 3)
    True
    >>> law_crossing((0.0, 3.0), (10.0, 2.9999999999999996)) is None
    True
    """
    da, db = law[0] - base[0], law[1] - base[1]
    scale = max(abs(law[1]), abs(base[1]))
    if not (math.isfinite(da) and math.isfinite(db)) or abs(db) <= PARALLEL_RTOL * scale or db == 0:
        return None
    log_n = -da / db
    if not math.isfinite(log_n) or abs(log_n) >= _MAX_LOG10:
        return None
    return float(10.0**log_n)


def _gap(n: float, da: float, db: float) -> float:
    """How far one law ``a + b·log10 N`` is above another at ``n``, from their differences."""
    return da + db * math.log10(n)


@keyword_only("against", "metric")
def crossovers(
    records: Sequence[dict[str, Any]], *, against: str = PIXELS, metric: str = "psnr"
) -> dict[str, dict[str, Any]]:
    """Where each network family overtakes a baseline, on the fitted laws.

    Families are the ``network`` series (packed networks are not among them).
    The comparison runs over the budgets both cover and stops where the
    baseline saturates (full resolution or lossless: nothing overtakes it there).
    Each family's law is fitted on its points inside that range (within 5 %),
    or on all its points when fewer than two fall inside, so that a family
    flattening at budgets the baseline cannot reach does not bend the line.

    Parameters
    ----------
    records : sequence of dict
        From :func:`capacity_table`.
    against : str
        The baseline series, ``'pixels/values'`` or ``'pixels/bits32'``...
    metric : {"psnr", "ssim"}
        The quality the laws are fitted to.

    Returns
    -------
    dict
        Per family: ``n`` (the crossover count, or ``None``), ``status``
        (``'overtakes'``, ``'ahead throughout'``, ``'falls behind'``,
        ``'never in range'``, ``'no fit'``), ``range`` (the compared
        ``[lo, hi]``), ``law`` (the family's ``[a, b]`` used), ``measured``:
        the first budget at which the measured family quality beats the
        baseline at that budget (or ``None``), ``wins``: all such budgets, and
        ``n_extrapolated``: where the family's steeper law overtakes the
        baseline's, even outside the range (an extrapolation, kept within a
        factor of 100 of it; ``None`` otherwise).
    """
    base = power_law(records, against, metric=metric)
    bn, _, b_keep = series_points(records, against, metric=metric)
    finite_n = bn[b_keep]
    out: dict[str, dict[str, Any]] = {}
    for fam in [s for s in series_names(records) if any(r["series"] == s and r["kind"] == "network" for r in records)]:
        law = power_law(records, fam, metric=metric)
        if len(finite_n):
            inside = [
                r for r in records if r["series"] != fam or finite_n.min() / 1.05 <= r["n"] <= finite_n.max() * 1.05
            ]
            law = power_law(inside, fam, metric=metric) or law
        fn, _, _ = series_points(records, fam, metric=metric)
        entry: dict[str, Any] = {"n": None, "status": "no fit", "range": None, "law": law, "measured": None}
        by_budget = {r["budget"]: r[metric] for r in records if r["series"] == against and r[metric] is not None}
        fam_records = sorted((r for r in records if r["series"] == fam), key=lambda r: r["budget"])
        entry["wins"] = [
            r["budget"] for r in fam_records if r["budget"] in by_budget and r[metric] > by_budget[r["budget"]]
        ]
        entry["measured"] = entry["wins"][0] if entry["wins"] else None
        if law is None or base is None or len(finite_n) == 0:
            out[fam] = entry
            continue
        lo, hi = max(fn.min(), finite_n.min()), min(fn.max(), finite_n.max())
        entry["range"] = [float(lo), float(hi)]
        da, db = law[0] - base[0], law[1] - base[1]
        meet = law_crossing(law, base)
        if meet is None:  # parallel: the gap is the same at every count
            db = 0.0
        g_lo, g_hi = _gap(lo, da, db), _gap(hi, da, db)
        steeper = meet is not None and db > 0  # the family's law is steeper: it overtakes at ``meet``
        entry["n_extrapolated"] = meet if steeper and lo / 100 <= meet <= hi * 100 else None
        if g_lo >= 0 and g_hi >= 0:
            entry["status"] = "ahead throughout"
        elif g_lo < 0 and g_hi < 0:
            entry["status"] = "never in range"
        else:  # the gap changes sign inside [lo, hi], so the laws meet there
            entry["n"] = meet
            entry["status"] = "overtakes" if g_hi > 0 else "falls behind"
        out[fam] = entry
    return out
