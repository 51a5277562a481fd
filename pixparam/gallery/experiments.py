"""The gallery's experiment sections crowding and generalisation (scaling is :mod:`.scaling`).

Each ``build_<name>(ctx)`` runs its experiment (units kept in the gallery's
store, so a rerun trains nothing), saves its figures, and returns the
section's ``caption``, ``figures`` and ``numbers``: every number the caption
shows, as measured. Captions say who wins, networks or their references,
including where the networks lose.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..budget import format_count
from ..errors import ConfigError
from ..figures.style import format_budget
from ..images import SAMPLES
from ..metrics import format_db
from .wording import join_and

if TYPE_CHECKING:
    from .context import Context

__all__ = ["TUNING_IMAGES", "build_crowding", "build_generalisation", "crowd_images", "experiment_store"]

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


def experiment_store(ctx: Context) -> Path | None:
    """Where the experiments keep their units: ``experiments/`` in the build's fit cache, or None without one.

    Parameters
    ----------
    ctx : Context
        The gallery build.

    Returns
    -------
    pathlib.Path or None
    """
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
        cache=experiment_store(ctx),
        progress=False,
    )
    ctx.reused(result.meta["cached_seconds"], fits=0)  # reused units: their training counts from an empty cache
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
        f"pixel values per image. Rows show {join_and([*shown, 'pixels'])} at every K. Mean PSNR per image "
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
        cache=experiment_store(ctx),
        progress=False,
    )
    ctx.reused(result.meta["cached_seconds"], fits=0)  # reused units: their training counts from an empty cache
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
