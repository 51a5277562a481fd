"""Scaling across images, built on :func:`pixparam.sweep`: per-image and pooled power laws, networks against pixels.

One sweep fits every image × family × budget × seed; pixel counterparts are
measured at the same budgets. Three views, each with error bars:

- Power laws ``L(P) = E + A·P^-α`` of MSE (:func:`fit_power_law`), per image and
  pooled over images, with seeded bootstrap 95 % intervals: per image the
  seeds are resampled within each budget; pooled, the images are resampled
  (so the interval says how much α moves from one set of images to another).
- Networks against pixels: per family and budget, the PSNR gain over the
  pixel counterpart, mean ± std across images, and on how many images the
  network wins.
- Seed variance: per image, family and budget, the std of PSNR across seeds.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from ..errors import ConfigError
from ..images import load_image
from ..metrics import mse, psnr_from_mse, ssim
from ..pixels import pixelate
from ._common import check_families, check_ints, check_seeds
from ._records import ExperimentResult
from .powerlaw import fit_power_law

__all__ = ["COLUMNS", "bootstrap_law", "image_scaling", "plot_image_scaling", "scaling_tables"]

#: Record columns: method ("network"/"pixels"), image, family ("pixels" for pixels), budget, n_params (parameters
#: or pixel values), seed, mse, psnr, ssim.
COLUMNS = ("method", "image", "family", "budget", "n_params", "seed", "mse", "psnr", "ssim")


def image_scaling(
    images: Sequence[str],
    budgets: Sequence[int | str],
    families: str | Sequence[str] | None = ("siren", "hashgrid"),
    *,
    size: int = 48,
    steps: int = 300,
    seeds: int | Sequence[int] = 3,
    n_boot: int = 300,
    boot_seed: int = 0,
    device: str | torch.device = "auto",
    workers: int | None = None,
    backend: str = "local",
    cache: str | os.PathLike | None = None,
    progress: bool = True,
) -> ExperimentResult:
    """Sweep images × families × budgets × seeds, measure pixels, and fit per-image and pooled power laws.

    Parameters
    ----------
    images : sequence of str
        Sample names or image files (at least 2 for a pooled law).
    budgets : sequence of int or str
        Parameter budgets (at least 3 distinct for a law with a floor).
    families : str or sequence of str, optional
        Network families (``None``: every registered one).
    size : int
        Longest side of every image.
    steps : int
        Optimiser steps of every fit.
    seeds : int or sequence of int
        ``3`` means seeds 0, 1, 2.
    n_boot : int
        Bootstrap resamples per law.
    boot_seed : int
        Seeds the bootstrap.
    device, workers, backend, cache, progress
        Passed to :func:`pixparam.sweep` (``cache``: its store).

    Returns
    -------
    ExperimentResult
        Records with :data:`COLUMNS`; tables ``"laws"`` (image or ``"pooled"``,
        family or ``"pixels"``, E, A, α, their bootstrap 95 % intervals
        ``alpha_lo``/``alpha_hi``/``E_lo``/``E_hi``, rms log error),
        ``"versus"`` (family, budget, mean and std of the PSNR gain over
        pixels over the images where both are lossy, images won, and
        ``lossless_pixels``: images whose pixel counterpart holds every value) and ``"seeds"`` (image, family, budget,
        mean and std of PSNR over seeds); ``meta`` holds the sweep's counts.
    """
    from ..sweeps import sweep

    names = list(images)
    if not names:
        raise ConfigError("images is empty; pass at least one image")
    budgets = check_ints(budgets, "budgets")
    families = check_families(families)
    seeds = check_seeds(seeds)
    spec = {"images": names, "size": size, "budgets": budgets, "families": families, "seeds": seeds, "steps": steps}
    ran = sweep(spec, None, backend=backend, workers=workers, device=str(device), cache=cache, progress=progress)
    records = [
        {"method": "network", **{k: r[k] for k in COLUMNS if k in r}, "mse": 10 ** (-r["psnr"] / 10)}
        for r in ran.records
    ]
    for name in names:
        img = load_image(name, size=size)
        for b in budgets:
            pix = pixelate(img, b)
            rec = pix.reconstruct(img.shape[:2])
            err = mse(img, rec)
            records.append(
                {"method": "pixels", "image": name, "family": "pixels", "budget": b, "n_params": pix.n_values}
                | {"seed": 0, "mse": err, "psnr": psnr_from_mse(err), "ssim": ssim(img, rec)}
            )
    result = ExperimentResult(
        "image_scaling",
        records,
        COLUMNS,
        meta={
            "images": names,
            "budgets": budgets,
            "families": families,
            "seeds": seeds,
            "size": size,
            "steps": steps,
            "n_boot": n_boot,
            "boot_seed": boot_seed,
            **{k: ran.meta[k] for k in ("trained", "cached", "backend", "workers", "threads", "device", "seconds")},
        },
    )
    scaling_tables(result)
    return result


def bootstrap_law(
    groups: Sequence[Sequence[tuple[float, float]]],
    n_boot: int,
    rng: np.random.Generator,
    *,
    within: bool = False,
) -> dict[str, float]:
    """Fit ``L = E + A·P^-α`` to every point, with seeded bootstrap 95 % intervals.

    Parameters
    ----------
    groups : sequence of sequence of (P, loss)
        The points, grouped: one image's points (resampled whole), or one
        budget's points over seeds (``within``: resampled inside the group).
    n_boot : int
        Resamples (those whose fit fails are dropped).
    rng : numpy.random.Generator
        The bootstrap's randomness.
    within : bool
        Resample the points inside each group (seeds within a budget)
        instead of whole groups (images).

    Returns
    -------
    dict
        :class:`PowerLaw` fields of the fit to all points; ``alpha_lo``,
        ``alpha_hi``, ``E_lo`` and ``E_hi`` are the bootstrap's 2.5 and 97.5
        percentiles when any resample could vary (else the t intervals of
        :func:`fit_power_law`); ``n_boot``: resamples that fitted.

    Raises
    ------
    ConfigError
        Too few distinct sizes for a law.
    """
    points = [pt for g in groups for pt in g]
    law = fit_power_law([p for p, _ in points], [v for _, v in points]).to_dict()
    varies = max(len(g) for g in groups) > 1 if within else len(groups) > 1
    alphas, floors = [], []
    for _ in range(n_boot if varies else 0):
        if within:
            pts = [g[i] for g in groups for i in rng.integers(0, len(g), len(g))]
        else:
            pts = [pt for i in rng.integers(0, len(groups), len(groups)) for pt in groups[i]]
        try:
            b = fit_power_law([p for p, _ in pts], [v for _, v in pts])
        except (ValueError, RuntimeError):
            continue
        alphas.append(b.alpha)
        floors.append(b.E)
    if alphas:
        law.update(alpha_lo=float(np.percentile(alphas, 2.5)), alpha_hi=float(np.percentile(alphas, 97.5)))
        law.update(E_lo=float(np.percentile(floors, 2.5)), E_hi=float(np.percentile(floors, 97.5)))
    law["n_boot"] = len(alphas)
    return law


def scaling_tables(result: ExperimentResult) -> None:
    """Fill ``result.tables`` (``laws``, ``versus``, ``seeds``) from its records, in place.

    Laws fit the lossy regime only: a budget at which the image fits whole
    (its pixel counterpart holds every value, so it is lossless) is left out
    of every series' law for that image, networks' and grids' included.
    The bootstrap draws from ``meta["boot_seed"]``, so the tables are the
    same on every call.

    Parameters
    ----------
    result : ExperimentResult
        From :func:`image_scaling` (or its ``to_dict`` read back).
    """
    meta = result.meta
    rng = np.random.default_rng(meta["boot_seed"])
    whole = {
        (r["image"], r["budget"]) for r in result.records if r["family"] == "pixels" and not r["mse"] > 0
    }  # the image fits in the budget
    laws = []
    for family in [*meta["families"], "pixels"]:
        per_image = {}
        for name in meta["images"]:
            recs = [r for r in result.select(image=name, family=family) if (name, r["budget"]) not in whole]
            per_image[name] = [(r["n_params"], r["mse"]) for r in recs]
            # resampling units: one seed's point at one budget, resampled within each budget
            by_budget: dict[int, list[tuple[float, float]]] = {}
            for r in recs:
                by_budget.setdefault(r["budget"], []).append((r["n_params"], r["mse"]))
            try:
                law = bootstrap_law(list(by_budget.values()), meta["n_boot"], rng, within=True)
                laws.append({"image": name, "family": family, **law})
            except (ValueError, RuntimeError) as exc:
                laws.append({"image": name, "family": family, "error": str(exc)})
        try:
            law = bootstrap_law(list(per_image.values()), meta["n_boot"], rng)
            laws.append({"image": "pooled", "family": family, **law})
        except (ValueError, RuntimeError) as exc:
            laws.append({"image": "pooled", "family": family, "error": str(exc)})
    result.tables["laws"] = laws
    versus = []
    for family in meta["families"]:
        for b in meta["budgets"]:
            gains = []
            for name in meta["images"]:
                net = [r["psnr"] for r in result.select(image=name, family=family, budget=b)]
                pix = result.select(image=name, family="pixels", budget=b)
                if net and pix:
                    gains.append(float(np.mean(net)) - pix[0]["psnr"])
            finite = [g for g in gains if math.isfinite(g)]
            versus.append(
                {
                    "family": family,
                    "budget": b,
                    "gain_mean": float(np.mean(finite)) if finite else math.nan,
                    "gain_std": float(np.std(finite, ddof=1)) if len(finite) > 1 else math.nan,
                    "wins": int(sum(g > 0 for g in gains)),
                    "n_images": len(gains),
                    "lossless_pixels": int(sum(g == -math.inf or math.isnan(g) for g in gains)),
                }
            )
    result.tables["versus"] = versus
    seeds = []
    for family in meta["families"]:
        for name in meta["images"]:
            for b in meta["budgets"]:
                p = [r["psnr"] for r in result.select(image=name, family=family, budget=b)]
                sd = float(np.std(p, ddof=1)) if len(p) > 1 else math.nan
                seeds.append(
                    {"image": name, "family": family, "budget": b, "psnr_mean": float(np.mean(p)), "psnr_std": sd}
                )
    result.tables["seeds"] = seeds


def plot_image_scaling(result: ExperimentResult) -> Figure:
    """MSE against size per image (thin) and pooled laws (thick), per family and pixels; gain over pixels.

    Budgets at which an image fits whole (lossless pixels) are left out of
    the thin lines, as they are of the laws.

    Parameters
    ----------
    result : ExperimentResult
        From :func:`image_scaling`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..figures.style import color_for, style

    meta = result.meta
    kinds = [*meta["families"], "pixels"]
    whole = {(r["image"], r["budget"]) for r in result.records if r["family"] == "pixels" and not r["mse"] > 0}
    with style():
        fig = Figure(figsize=(7.2, 3.2), layout="constrained")
        ax, bx = fig.subplots(1, 2)
        colours = {k: color_for(k) for k in kinds}
        for kind in kinds:
            for name in meta["images"]:
                recs = [
                    r
                    for r in result.select(image=name, family=kind)
                    if r["mse"] > 0 and (name, r["budget"]) not in whole
                ]  # the lossless regime: off a log axis, and out of the laws
                xs = sorted({r["n_params"] for r in recs})
                ys = [np.mean([r["mse"] for r in recs if r["n_params"] == x]) for x in xs]
                ax.plot(xs, ys, color=colours[kind], alpha=0.25, lw=0.8)
            law = next((t for t in result.tables.get("laws", []) if t["image"] == "pooled" and t["family"] == kind), {})
            if "alpha" in law:
                xs = np.geomspace(min(meta["budgets"]), max(meta["budgets"]), 50)
                label = f"{kind}: α = {law['alpha']:.2f} [{law['alpha_lo']:.2f}, {law['alpha_hi']:.2f}]"
                ax.plot(xs, law["E"] + law["A"] * xs ** -law["alpha"], color=colours[kind], lw=2, label=label)
        ax.set(xscale="log", yscale="log", xlabel="parameters / values", ylabel="MSE", title="per image and pooled")
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.legend(fontsize=7)
        for family in meta["families"]:
            rows = [t for t in result.tables["versus"] if t["family"] == family]
            xs = [t["budget"] for t in rows]
            bx.errorbar(xs, [t["gain_mean"] for t in rows], yerr=[t["gain_std"] for t in rows], color=colours[family],
                        marker="o", ms=3, capsize=2, label=family)  # fmt: skip
        bx.axhline(0, color="0.5", lw=0.8)
        bx.set(xscale="log", xlabel="budget", ylabel="PSNR gain over pixels (dB)", title="mean ± std over images")
        bx.xaxis.set_minor_formatter(NullFormatter())
        bx.legend(fontsize=7)
    return fig
