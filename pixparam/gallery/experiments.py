"""The gallery's experiment sections: crowding, generalisation and scaling.

Each ``build_<name>(ctx)`` runs its experiment (units kept in the gallery's
store, so a rerun trains nothing), saves its figures, and returns the
section's ``caption``, ``figures`` and ``numbers``: every number the caption
shows, as measured. Captions say who wins, networks or their references,
including where the networks lose.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..budget import format_count
from ..errors import ConfigError
from ..figures.style import format_budget
from ..images import SAMPLES
from ..metrics import format_db

if TYPE_CHECKING:
    from .build import Context

__all__ = ["TUNING_IMAGES", "build_crowding", "build_generalisation", "build_scaling", "crowd_images"]

db = format_db

#: The images pixparam's defaults were tuned on; the experiments' images are chosen among the others.
TUNING_IMAGES = ("astronaut", "camera")


def crowd_images(settings: dict[str, Any]) -> list[str]:
    """The ``max(ks)`` different images crowding stores: ``settings["images"]``, else samples not used for tuning.

    Parameters
    ----------
    settings : dict
        A profile's ``experiments["crowding"]`` (``ks``, optionally ``images``).

    Returns
    -------
    list of str
        ``max(ks)`` distinct names or paths.

    Raises
    ------
    ConfigError
        Fewer distinct images than ``max(ks)``.
    """
    n = max(settings["ks"])
    names = list(dict.fromkeys(settings.get("images") or [s for s in SAMPLES if s not in TUNING_IMAGES]))
    if len(names) < n:
        raise ConfigError(
            f"crowding needs {n} different images for K up to {n} but has {len(names)}; "
            "list more under experiments['crowding']['images'] or lower 'ks'"
        )
    return names[:n]


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _cache(ctx: Context) -> Any:
    return None if ctx.cache.root is None else ctx.cache.root / "experiments"


def _groups(records: list[dict[str, Any]], key: str, value: str) -> list[tuple[Any, list[float]]]:
    groups: dict[Any, list[float]] = {}
    for r in records:
        groups.setdefault(r[key], []).append(r[value])
    return sorted(groups.items())


def _mean_by(records: list[dict[str, Any]], key: str, value: str) -> dict[Any, float]:
    return {k: float(np.mean(v)) for k, v in _groups(records, key, value)}


def _std_by(records: list[dict[str, Any]], key: str, value: str) -> dict[Any, float]:
    return {k: float(np.std(v, ddof=1)) if len(v) > 1 else 0.0 for k, v in _groups(records, key, value)}


def build_crowding(ctx: Context) -> dict[str, Any]:
    """K different images share one budget: clarity against K for networks and pixels, and the reconstructions.

    Parameters
    ----------
    ctx : Context
        The gallery build (profile settings ``experiments["crowding"]``).

    Returns
    -------
    dict
        ``caption``, ``figures`` and ``numbers``.
    """
    from ..experiments import crowding, plot_crowding, square_crops

    s = ctx.profile.settings("crowding")
    names = crowd_images(s)
    result = crowding(
        square_crops(names, s["size"]),
        [s["budget"]],
        s["families"],
        ks=s["ks"],
        steps=s["steps"],
        device=ctx.device,
        cache=_cache(ctx),
        progress=False,
    )
    ctx.bar.update(1)
    shown = [f for f in ("siren", "hashgrid") if f in s["families"]] or s["families"][:2]
    fig = plot_crowding(result, families=shown)
    series = [*s["families"], "pixels"]
    table = {fam: _mean_by(result.select(family=fam), "k", "psnr") for fam in series}
    ks = list(table["pixels"])
    rows = "; ".join(f"{fam} {' → '.join(db(table[fam][k]) for k in ks)}" for fam in series)
    winners = {k: max(series, key=lambda f: table[f][k]) for k in ks}
    said = []
    for k in ks:
        w = winners[k]
        rest = [f for f in series if f != w]
        runner = max(rest, key=lambda f: table[f][k]) if rest else None
        lead = f", then {runner} {db(table[runner][k])}" if runner else ""
        said.append(f"K = {k}: {w} {db(table[w][k])}{lead}")
    alt = f"{len(names)} different images, {format_count(s['budget'])} values per network: " + "; ".join(
        f"K = {k}: {winners[k]} wins" for k in ks
    )
    figure = ctx.save(fig, "crowding", alt=alt)
    # dB lost per doubling of K, from the first K at which every series is finite (pixels may be lossless at K=1)
    k0 = next((k for k in ks if all(np.isfinite(table[f][k]) for f in table)), None)
    k1 = ks[-1]
    drop = {f: (table[f][k0] - table[f][k1]) / np.log2(k1 / k0) for f in table} if k0 and k1 > k0 else {}
    rates = "; ".join(f"{f} {drop[f]:.1f} dB" for f in drop)
    lossless = [f"{f} at K = {k}" for f in series for k in ks if table[f][k] == math.inf]
    lost = [k for k in ks if winners[k] == "pixels"]
    caption = (
        f"{len(names)} different images ({', '.join(names)}; centre squares at {s['size']} px, none a tuning "
        f"image) are stored in {format_budget(s['budget'])} values, K images per network (the image index "
        f"enters through a learned embedding whose parameters count) or {format_budget(s['budget'])} / K "
        f"pixel values per image. Rows show {_and([*shown, 'pixels'])} at every K. Mean PSNR per image "
        f"for K = {', '.join(map(str, ks))}: {rows}"
        + (f" (lossless: {', '.join(lossless)}, drawn as ▲ on the top edge)" if lossless else "")
        + f". Best at each K: {'; '.join(said)}."
        + (f" Pixels beat every network at K = {', '.join(map(str, lost))}." if lost else "")
        + (f" Per doubling of K from {k0} to {k1} the loss is {rates}." if drop else "")
    )
    numbers = {
        "images": names,
        "psnr": table,
        "best": {str(k): winners[k] for k in ks},
        "db_per_doubling": drop,
        "settings": s,
    }
    return {"caption": caption, "figures": [figure], "numbers": numbers}


def build_generalisation(ctx: Context) -> dict[str, Any]:
    """Train on some pixels, predict the rest: held-out and train PSNR against budget, and the predictions.

    Parameters
    ----------
    ctx : Context
        The gallery build (profile settings ``experiments["generalisation"]``).

    Returns
    -------
    dict
        ``caption``, ``figures`` and ``numbers``.
    """
    from ..experiments import generalisation, plot_generalisation, plot_generalisation_predictions
    from ..experiments.generalisation_plot import TRAIN_CAP_DB

    s = ctx.profile.settings("generalisation")
    name = s.get("image", ctx.profile.images[0])
    cap = float(s.get("train_cap", TRAIN_CAP_DB))
    result = generalisation(
        ctx.image_at(name, s["size"]),
        s["budgets"],
        s["families"],
        train_fraction=s["train_fraction"],
        noise=s["noise"],
        steps=s["steps"],
        seeds=s["seeds"],
        device=ctx.device,
        cache=_cache(ctx),
        progress=False,
    )
    ctx.bar.update(1)
    meta = result.meta
    threshold, n_seeds, top = meta["threshold"], len(meta["seeds"]), max(meta["steps"])
    net = [r for r in result.select(method="network") if r["steps"] == top]
    test = {fam: _mean_by([r for r in net if r["family"] == fam], "n_params", "test_psnr") for fam in s["families"]}
    spread = {fam: _std_by([r for r in net if r["family"] == fam], "n_params", "test_psnr") for fam in s["families"]}
    train = {fam: _mean_by([r for r in net if r["family"] == fam], "n_params", "train_psnr") for fam in s["families"]}
    interp = [r["test_psnr"] for r in result.select(method="interpolation")]
    interp_mean = float(np.mean(interp))
    interp_std = float(np.std(interp, ddof=1)) if len(interp) > 1 else 0.0
    best_fam, best_p = max(((f, p) for f in test for p in test[f]), key=lambda fp: test[fp[0]][fp[1]])
    best = test[best_fam][best_p]
    over = [(f, p) for f in train for p in train[f] if train[f][p] > cap]
    highest = max((v for f in train for v in train[f].values()), default=math.nan)
    if interp_mean > best:
        verdict = (
            f"Linear interpolation of the training pixels, with no parameters, scores {db(interp_mean)} on the "
            f"held-out pixels and beats every network: the best, {best_fam} at {format_count(best_p)} "
            f"parameters, reaches {db(best)}."
        )
    else:
        verdict = (
            f"The best network, {best_fam} at {format_count(best_p)} parameters, reaches {db(best)} on the "
            f"held-out pixels and beats linear interpolation of the training pixels ({db(interp_mean)})."
        )
    ahead = "linear interpolation wins" if interp_mean > best else f"{best_fam} wins"
    figures = [
        ctx.save(
            plot_generalisation(result, train_cap=cap),
            "generalisation",
            alt=f"On pixels never seen in training the best network, {best_fam} at {format_count(best_p)} "
            f"parameters, scores {db(best)} and linear interpolation {db(interp_mean)}: {ahead}",
        ),
        ctx.save(
            plot_generalisation_predictions(result),
            "generalisation-predictions",
            alt=f"Each network's prediction of the held-out pixels of {name}; at best {db(best)} ({best_fam}), "
            f"against {db(interp_mean)} for linear interpolation",
        ),
    ]
    parts = []
    for fam, by_p in test.items():
        worst = min(by_p, key=by_p.get)  # type: ignore[arg-type]
        parts.append(
            f"{fam}'s held-out PSNR runs {' → '.join(db(v) for v in by_p.values())}, lowest at "
            f"{format_count(worst)} parameters ({worst / threshold:.2f}× the threshold)"
        )
    noise_db = meta["noise_psnr"]
    caption = (
        f"{name} at {s['size']} px; each network trains on a random {s['train_fraction']:.0%} of the pixels"
        + (f" with Gaussian noise of σ = {s['noise']:g} added" if s["noise"] else "")
        + f" and is scored only on the pixels it never saw, {len(meta['budgets'])} budgets × {n_seeds} seeds "
        f"(points: means; error bars: ±1 std over {n_seeds} seeds). {verdict} "
        + (
            f"The noise level, the PSNR of the noisy training targets against the clean image, is {db(noise_db)}; "
            "a train PSNR above it means the network fits the noise. "
            if math.isfinite(noise_db)
            else ""
        )
        + f"Train PSNR is drawn up to {cap:g} dB"
        + (
            f"; {len(over)} means above it (up to {db(highest)}: the noise memorised) sit on the cap as ▲"
            if over
            else ""
        )
        + f". The interpolation threshold, where parameters equal training values, is {threshold:,}. "
        + "; ".join(parts)
        + ". The second figure shows each family's prediction at every pixel beside the training pixels and "
        "the interpolation."
    )
    numbers = {
        "test_psnr": test,
        "test_std": spread,
        "train_psnr": train,
        "interpolation": {"mean": interp_mean, "std": interp_std},
        "best": {"family": best_fam, "n_params": best_p, "psnr": best},
        "networks_beat_interpolation": bool(best > interp_mean),
        "noise_psnr": noise_db,
        "train_cap": cap,
        "above_cap": len(over),
        "highest_train_psnr": highest,
        "threshold": threshold,
        "seeds": n_seeds,
    }
    return {"caption": caption, "figures": figures, "numbers": numbers}


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
        cache=_cache(ctx),
        progress=False,
    )
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
    rates = []
    for fam in meta["families"]:
        exact = [e for e in exchange if e["family"] == fam and not e["capped"]]
        if exact:
            lo, hi = min(exact, key=lambda e: e["rate"]), max(exact, key=lambda e: e["rate"])
            rates.append(
                f"{fam} {lo['rate']:.2f} (at {format_count(lo['n_params'])} parameters) to {hi['rate']:.2f} "
                f"(at {format_count(hi['n_params'])})"
            )
    win = sorted({e["family"] for e in exchange if not e["capped"] and e["rate"] > 1})
    lose = [f"{e['family']} at {format_count(e['n_params'])}" for e in exchange if not e["capped"] and e["rate"] < 1]
    bounds = sum(e["capped"] for e in exchange)
    slopes = meta["frontier_slope"]
    fitted = "; ".join(f"{law['family']} α = {law['alpha']:.2f}" for law in laws) or "no law fitted"
    worth = (
        "; ".join(
            part
            for part in (
                f"above 1 for {_and(win)}" if win else "",
                f"below 1 for {_and(lose)} parameters" if lose else "",
            )
            if part
        )
        or f"only bounds ({_plural(bounds, 'rate')}), where the pixel grid is capped"
    )
    steep = [f"{f} {v:.2f}" for f, v in slopes.items() if math.isfinite(v)]
    figures = [
        ctx.save(plot_scaling_laws(result), "scaling-laws", alt=f"Error falls as a power of size: {fitted}"),
        ctx.save(
            plot_exchange_rate(result),
            "scaling-exchange",
            alt=f"Pixel values worth one parameter at equal error: {worth}",
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
            f"The {'exponent' if len(poor) == 1 else 'exponents'} of {_and(poor)} "
            f"{'is' if len(poor) == 1 else 'are'} poorly determined (an interval wider than ×{WIDE_CI:g} or "
            f"fewer than {MIN_POINTS} points): read "
            f"{'it' if len(poor) == 1 else 'them'} as a fit over this range, not a law. "
            if poor
            else ""
        )
        + f"{_plural(n_capped, 'capped point')} (the pixel grid at full resolution, which is lossless, and networks at "
        f"≥ {meta['saturation_db']:g} dB) are grey, labelled and left out of the fits. The exchange rate, pixel "
        "values worth one parameter at equal MSE, runs "
        + ("; ".join(rates) if rates else "out of the pixel curve's range everywhere")
        + (f"; above 1 ({_and(win)}) a network beats pixels at equal count" if win else "")
        + (f"; below 1 ({_and(lose)} parameters) pixels win" if lose else "")
        + (
            f". {_plural(bounds, 'rate')} {'is' if bounds == 1 else 'are'} only bounds set by the pixel grids' "
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
