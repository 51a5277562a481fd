"""The gallery's scaling section: power-law fits of error against size, the exchange rate, the compute frontier.

:func:`build_scaling` runs :func:`pixparam.experiments.scaling` (units kept in
the gallery's experiment store), saves its three figures and writes a caption
from the measurements; :func:`exchange_verdict` says, family by family, where
a parameter is worth more than a pixel value and where it is worth less.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..budget import format_count
from ..figures.style import format_budget
from .experiments import experiment_store
from .wording import join_and, plural

if TYPE_CHECKING:
    from .context import Context

__all__ = ["build_scaling", "exchange_verdict", "rate_ranges"]


def _exact(exchange: Sequence[dict[str, Any]], family: str) -> list[dict[str, Any]]:
    rows = [e for e in exchange if e["family"] == family and not e["capped"] and math.isfinite(e["rate"])]
    return sorted(rows, key=lambda e: e["n_params"])


def rate_ranges(exchange: Sequence[dict[str, Any]], families: Sequence[str]) -> list[str]:
    """Each family's exact exchange rates, lowest to highest, with the budgets they were measured at.

    Parameters
    ----------
    exchange : sequence of dict
        A scaling result's ``tables["exchange"]`` (``family``, ``n_params``, ``rate``, ``capped``).
    families : sequence of str
        In the order to report them; a family with no exact rate is left out.

    Returns
    -------
    list of str
        E.g. ``'siren 3.89 (at 288 parameters) to 6.90 (at 983)'``, or
        ``'hashgrid 4.16 (at 997 parameters, its only exact rate)'``.
    """
    out = []
    for fam in families:
        exact = _exact(exchange, fam)
        if len(exact) == 1:
            out.append(
                f"{fam} {exact[0]['rate']:.2f} (at {format_count(exact[0]['n_params'])} parameters, "
                "its only exact rate)"
            )
        elif exact:
            lo, hi = min(exact, key=lambda e: e["rate"]), max(exact, key=lambda e: e["rate"])
            out.append(
                f"{fam} {lo['rate']:.2f} (at {format_count(lo['n_params'])} parameters) to {hi['rate']:.2f} "
                f"(at {format_count(hi['n_params'])})"
            )
    return out


def exchange_verdict(exchange: Sequence[dict[str, Any]], families: Sequence[str]) -> str:
    """Who wins at equal count, family by family: networks where the rate is above 1, pixels where below.

    A family is named once: among those that beat pixels at every budget with
    an exact rate, those that lose at every one, or with the budgets on each
    side where it does both. Capped rates (only bounds) are not counted.

    Parameters
    ----------
    exchange : sequence of dict
        A scaling result's ``tables["exchange"]``.
    families : sequence of str
        In the order to report them.

    Returns
    -------
    str
        One clause; when every rate is a bound, ``'no exact rate: N rates, each only a bound ...'``.

    Examples
    --------
    >>> rows = [{"family": "siren", "n_params": 300, "rate": 3.9, "capped": False},
    ...         {"family": "relu", "n_params": 300, "rate": 1.4, "capped": False},
    ...         {"family": "relu", "n_params": 3000, "rate": 0.8, "capped": False}]
    >>> print(exchange_verdict(rows, ["siren", "relu"]).replace("; ", ";\\n"))
    above 1 (a network beats pixels at equal count) at every exact budget for siren;
    relu above 1 at 300 and below 1 at 3.0k
    """
    wins, loses, mixed = [], [], []
    for fam in families:
        exact = _exact(exchange, fam)
        above = [format_count(e["n_params"]) for e in exact if e["rate"] > 1]
        below = [format_count(e["n_params"]) for e in exact if e["rate"] < 1]
        if above and not below:
            wins.append(fam)
        elif below and not above:
            loses.append(fam)
        elif above:
            mixed.append(f"{fam} above 1 at {join_and(above)} and below 1 at {join_and(below)}")
    parts = []
    if wins:
        parts.append(f"above 1 (a network beats pixels at equal count) at every exact budget for {join_and(wins)}")
    if loses:
        parts.append(f"below 1 (pixels win) at every exact budget for {join_and(loses)}")
    if parts or mixed:
        return "; ".join([*parts, *mixed])
    bounds = sum(1 for e in exchange if e["family"] in families and e["capped"] and math.isfinite(e["rate"]))
    return f"no exact rate: {plural(bounds, 'rate')}, each only a bound where the pixel grid is capped"


def build_scaling(ctx: Context) -> dict[str, Any]:
    """Power-law fits of MSE against size for networks and pixels, the exchange rate and the compute frontier.

    Parameters
    ----------
    ctx : Context
        The gallery build (profile settings ``experiments["scaling"]``).

    Returns
    -------
    dict
        ``caption``, ``figures`` (three) and ``numbers``.
    """
    from ..experiments import plot_compute_frontier, plot_exchange_rate, plot_scaling_laws, scaling
    from ..experiments.scaling import MIN_POINTS, WIDE_CI

    s = ctx.profile.settings("scaling")
    name = s.get("image", ctx.profile.images[0])
    result = scaling(
        ctx.image_at(name, s["size"]),
        s["budgets"],
        s["families"],
        steps=s["steps"],
        device=ctx.device,
        cache=experiment_store(ctx),
        progress=False,
    )
    ctx.reused(result.meta["cached_seconds"], fits=0)  # reused units: their training counts from an empty cache
    ctx.bar.update(1)
    meta = result.meta
    h, w, c = meta["image_shape"]
    laws = [law for law in result.tables["laws"] if "alpha" in law]
    said = [
        f"{law['family']} α = {law['alpha']:.2f} [{law['alpha_lo']:.2f}, {law['alpha_hi']:.2f}] "
        f"({law['n_points']} points)"
        for law in laws
    ]
    poor = [law["family"] for law in laws if not law["well_determined"]]
    n_capped = sum(r["capped"] for r in result.records)
    exchange = [e for e in result.tables["exchange"] if math.isfinite(e["rate"])]
    rates = rate_ranges(exchange, meta["families"])
    verdict = exchange_verdict(exchange, meta["families"])
    bounds = sum(e["capped"] for e in exchange)
    slopes = meta["frontier_slope"]
    fitted = "; ".join(f"{law['family']} α = {law['alpha']:.2f}" for law in laws) or "no law fitted"
    steep = [f"{f} {v:.2f}" for f, v in slopes.items() if math.isfinite(v)]
    figures = [
        ctx.save(plot_scaling_laws(result), "scaling-laws", alt=f"Error falls as a power of size: {fitted}"),
        ctx.save(
            plot_exchange_rate(result),
            "scaling-exchange",
            alt=f"Pixel values worth one parameter at equal error: {verdict}",
        ),
        ctx.save(
            plot_compute_frontier(result),
            "scaling-frontier",
            alt="PSNR against training compute; on the frontier parameters grow with compute as "
            + ("; ".join(steep) if steep else "too few uncapped runs to tell"),
        ),
    ]
    caption = (
        f"Mean squared error against the number of values on {name} at {h}×{w} px ({h * w * c:,} values), "
        f"{len(meta['budgets'])} budgets from {format_budget(min(meta['budgets']))} to "
        f"{format_budget(max(meta['budgets']))}, power-law fits L(P) = E + A·P^-α (least squares on log L; 95 % "
        f"bootstrap intervals, {meta['n_boot']} resamples of the points): {'; '.join(said)}. "
        + (
            f"The {'exponent' if len(poor) == 1 else 'exponents'} of {join_and(poor)} "
            f"{'is' if len(poor) == 1 else 'are'} poorly determined (an interval wider than ×{WIDE_CI:g} or "
            f"fewer than {MIN_POINTS} points): read "
            f"{'it' if len(poor) == 1 else 'them'} as a fit over this range, not a law. "
            if poor
            else ""
        )
        + f"{plural(n_capped, 'capped point')} (the pixel grid at full resolution, which is lossless, and networks at "
        f"≥ {meta['saturation_db']:g} dB) are grey and left out of the fits; the frontier's axis stops at "
        f"{meta['saturation_db']:g} dB, with its saturated runs as arrows on the top edge. The exchange rate, pixel "
        "values worth one parameter at equal MSE, runs "
        + ("; ".join(rates) if rates else "out of the pixel curve's range everywhere")
        + f". The rate is {verdict}"
        + (
            f". {plural(bounds, 'rate')} {'is' if bounds == 1 else 'are'} only bounds set by the pixel grids' "
            "range (grey, capped), not a decline of the networks"
            if bounds
            else ""
        )
        + ". On the compute frontier (C = 6·P·steps·pixels, the runs no cheaper run beats), "
        + (
            "parameters grow with compute as d log P / d log C = "
            + "; ".join(f"{f} {v:.2f}" for f, v in slopes.items() if math.isfinite(v))
            if any(math.isfinite(v) for v in slopes.values())
            else "too few uncapped runs to fit a slope"
        )
        + "."
    )
    numbers = {
        "laws": laws,
        "poorly_determined": poor,
        "capped": n_capped,
        "exchange": result.tables["exchange"],
        "frontier": result.tables["frontier"],
        "frontier_slope": slopes,
    }
    return {"caption": caption, "figures": figures, "numbers": numbers}
