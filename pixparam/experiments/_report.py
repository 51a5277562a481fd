"""Text summaries of experiment results (what ``pixparam experiment`` prints)."""

from __future__ import annotations

import math

from ..budget import format_count
from ._plot import summarise
from ._records import ExperimentResult

__all__ = ["summary"]


def summary(result: ExperimentResult) -> str:
    """A few lines for the terminal: PSNR per K, train/test PSNR per budget, or fitted exponents.

    Parameters
    ----------
    result : ExperimentResult
        What :func:`crowding`, :func:`generalisation` or :func:`scaling` returned.

    Returns
    -------
    str
    """
    lines = []
    if result.name == "crowding":
        for budget in result.meta["budgets"]:
            lines.append(f"budget {format_count(budget)} (mean PSNR per image):")
            for fam in [*result.meta["families"], "pixels"]:
                recs = result.select(family=fam, budget=budget)
                ks = sorted({r["k"] for r in recs})
                cells = []
                for k in ks:
                    values = [r["psnr"] for r in recs if r["k"] == k]
                    finite = [v for v in values if math.isfinite(v)]
                    cells.append(f"K={k} " + ("lossless" if not finite else f"{sum(finite) / len(finite):.2f} dB"))
                lines.append(f"{fam:>9}: " + "  ".join(cells))
    elif result.name == "generalisation":
        lines.append(f"threshold: {result.meta['threshold']:,} training values")
        for fam in result.meta["families"]:
            for s in result.meta["steps"]:
                recs = result.select(family=fam, steps=s)
                x, tr, *_ = summarise(recs, "n_params", "train_psnr")
                _, te, *_ = summarise(recs, "n_params", "test_psnr")
                pts = "  ".join(f"{format_count(p)} {a:.1f}/{b:.1f}" for p, a, b in zip(x, tr, te))
                lines.append(f"{fam:>9} {s} steps (params train/test dB): {pts}")
    else:
        for law in result.tables["laws"]:
            if "alpha" in law:
                lines.append(
                    f"{law['family']:>9}: alpha {law['alpha']:.3f} [{law['alpha_lo']:.3f}, {law['alpha_hi']:.3f}]"
                    f" E {law['E']:.2e} A {law['A']:.3g}"
                )
            else:
                lines.append(f"{law['family']:>9}: no fit ({law['error']})")
        for e in result.tables["exchange"]:
            lines.append(
                f"{e['family']:>9} {format_count(e['n_params'])} params: {e['psnr']:.2f} dB = "
                f"{e.get('bound') or ''} {e['pixel_values']:.0f} pixel values ({e['rate']:.2f} per parameter)".replace(
                    "  ", " "
                )
            )
        for fam, slope in result.meta.get("frontier_slope", {}).items():
            slope = float("nan") if slope is None else slope  # JSON keeps NaN as null
            best = [f for f in result.tables["frontier"] if f["family"] == fam]
            path = " -> ".join(f"{format_count(f['n_params'])}x{f['steps']}" for f in best)
            lines.append(f"{fam:>9} frontier (params x steps): {path}; d log P / d log C = {slope:.2f}")
    return "\n".join(lines)
