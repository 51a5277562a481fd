"""Scaling laws on images: MSE against parameters and pixels, exchange rate, compute frontier.

For each family, networks are fitted over a grid of budgets ``P`` and step
counts; pixels are the image area-downsampled to ``n`` values. Three views:

- :func:`~pixparam.experiments.fit_power_law` fits ``L(P) = E + A·P^-α`` to MSE
  (in log space), per family (at the most steps) and for pixels, with 95 %
  bootstrap intervals (points resampled with replacement). *Capped* points
  (:func:`is_capped`: the pixel grid at full resolution, which is lossless,
  and networks past :data:`SATURATION_DB`) are kept in the records, flagged,
  and left out of every fit.
- The *exchange rate*: how many pixel values give the MSE of one network of
  ``P`` parameters, divided by ``P`` (the pixel curve interpolated in log-log).
- Compute ``C = 6·P·steps·samples`` (``samples`` = pixels per step): the
  compute-optimal frontier is the set of runs no cheaper run beats, and its
  ``P`` against ``C`` shows which size is best for a fixed compute.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import numpy as np
import torch

from ..budget import plan
from ..devices import resolve_device
from ..errors import BudgetError
from ..fields import build
from ..images import ImageSource, load_image
from ..metrics import mse, psnr_from_mse
from ..pixels import pixelate
from ..store import Store
from ..training import Points
from ._common import check_families, check_ints, check_seeds, predict, progress_bar, train_points, unit_seconds
from ._records import ExperimentResult
from .across import bootstrap_law

__all__ = [
    "COLUMNS",
    "MIN_POINTS",
    "SATURATION_DB",
    "WIDE_CI",
    "compute_frontier",
    "exchange_rates",
    "is_capped",
    "scaling",
]

#: Record columns: method ("network"/"pixels"), family ("pixels" for pixels), budget, n_params (parameters or
#: pixel values), steps, seed, samples (pixels per step), compute (6·n_params·steps·samples; 0 for pixels),
#: mse, psnr, seconds, capped (see :func:`is_capped`: out of every fit).
COLUMNS = (
    "method",
    "family",
    "budget",
    "n_params",
    "steps",
    "seed",
    "samples",
    "compute",
    "mse",
    "psnr",
    "seconds",
    "capped",
)

#: PSNR (dB) past which a network is saturated: its error is below the 8-bit rounding of the image (about 59 dB).
SATURATION_DB = 60.0
#: An exponent whose 95 % interval spans more than this ratio (upper / lower) is called poorly determined.
WIDE_CI = 1.5
#: Fewer uncapped points than this (two more than the law's three parameters) leave an exponent poorly determined.
MIN_POINTS = 5


def is_capped(record: dict, n_values: int, saturation_db: float = SATURATION_DB) -> bool:
    """Whether a scaling record is capped: lossless or saturated, so it says nothing about a law.

    A pixel counterpart is capped when it holds every value of the image (the
    pixel grid at full resolution: lossless, MSE 0); a network when its PSNR
    reaches ``saturation_db``.

    Parameters
    ----------
    record : dict
        A record with :data:`COLUMNS` (``method``, ``n_params``, ``mse``, ``psnr``).
    n_values : int
        The image's value count ``H·W·C``.
    saturation_db : float
        The networks' cap.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_capped({"method": "pixels", "n_params": 768, "mse": 0.0, "psnr": float("inf")}, 768)
    True
    """
    if record["method"] == "pixels":
        return bool(record["n_params"] >= n_values or not record["mse"] > 0)
    return bool(record["psnr"] >= saturation_db)


def scaling(
    image: ImageSource,
    budgets: Sequence[int | str],
    families: str | Sequence[str] | None = None,
    *,
    steps: int | Sequence[int] = (100, 300, 1000),
    seeds: int | Sequence[int] = 1,
    pixel_points: int = 24,
    saturation_db: float = SATURATION_DB,
    n_boot: int = 200,
    device: str | torch.device = "auto",
    cache: str | os.PathLike | None = None,
    progress: bool = True,
) -> ExperimentResult:
    """Fit every (family, budget, steps, seed); measure pixels; derive laws, exchange rates, frontier.

    Parameters
    ----------
    image : path, sample name, PIL image or ndarray
        The image.
    budgets : sequence of int or str
        Parameter budgets (at least 3 distinct for a power-law fit). Budgets below a
        family's smallest network are skipped (listed in ``meta["skipped"]``).
    families : str or sequence of str, optional
        Network families; default every registered family (:data:`pixparam.FAMILIES`).
    steps : int or sequence of int
        Step counts; the grid (budget × steps) gives the compute view, the
        largest count the power laws and exchange rates.
    seeds : int or sequence of int
        Seeds per setting.
    pixel_points : int
        Pixel counterparts at this many log-spaced value counts between the
        smallest budget / 4 and the image's value count.
    saturation_db : float
        A network at or past this PSNR is capped (:func:`is_capped`).
    n_boot : int
        Bootstrap resamples for the exponents' intervals (seeded: the same on every call).
    device : str or torch.device
        Where to train.
    cache : path, optional
        Cache folder; finished fits are reused.
    progress : bool
        Show a tqdm bar.

    Returns
    -------
    ExperimentResult
        Records with :data:`COLUMNS`; tables ``"laws"`` (one row per family and
        pixels: E, A, α, bootstrap 95 % intervals, ``n_capped`` points left
        out and ``well_determined``: at least :data:`MIN_POINTS` points and
        an interval whose ratio is at most :data:`WIDE_CI`), ``"exchange"`` (family, n_params, psnr,
        pixel_values, rate, bound, capped) and ``"frontier"`` (family,
        compute, n_params, steps, psnr, capped) plus ``meta["frontier_slope"]``
        (d log P / d log C on each family's uncapped frontier).
    """
    img = load_image(image)
    h, w, c = img.shape
    budgets = check_ints(budgets, "budgets")
    families = check_families(families)
    steps_list = check_ints(steps, "steps")
    seeds = check_seeds(seeds)
    dev = resolve_device(device)
    store = Store(cache)
    records: list[dict] = []
    total = h * w * c
    lo = max(c, min(budgets) // 4)
    for n in sorted({int(v) for v in np.geomspace(lo, total, pixel_points)}):
        pix = pixelate(img, n)
        err = mse(img, pix.reconstruct((h, w)))
        records.append(_record("pixels", "pixels", n, pix.n_values, 0, 0, 0, err, 0.0))
    archs, skipped = {}, []
    for family in families:
        for budget in budgets:
            try:
                archs[family, budget] = plan(budget, family, c, resolution=max(h, w))
            except ValueError as exc:
                skipped.append(f"{family} {budget}: {exc}")
    if not archs:
        raise BudgetError(f"no budget gives a network; {skipped[0]}")
    units = [(f, b, s, seed) for (f, b) in archs for s in steps_list for seed in seeds]
    points = Points.from_image(img, dev)
    cached_seconds = 0.0  # the training the reused units took, when they were trained
    with progress_bar(len(units), "scaling", progress) as bar:
        for family, budget, n_steps, seed in units:
            key = store.unit_key("scaling", {"family": family, "budget": budget, "steps": n_steps, "seed": seed}, [img])
            hit = store.get_records("scaling", key)
            if hit is None:
                arch = archs[family, budget]
                model = build(arch, seed=seed, device=dev)
                seconds = train_points(model, points, steps=n_steps, seed=seed, device=dev)
                err = mse(img.reshape(-1, c), predict(model, points.coords))
                row = _record("network", family, budget, arch.n_params, n_steps, seed, h * w, err, seconds)
                hit = ([row], {})
                store.put_records("scaling", key, [row])
            else:
                cached_seconds += unit_seconds(hit[0])
            records.extend(hit[0])
            bar.update(1)
    result = ExperimentResult(
        "scaling",
        records,
        COLUMNS,
        meta={
            "budgets": budgets,
            "families": families,
            "steps": steps_list,
            "seeds": seeds,
            "image_shape": [h, w, c],
            "saturation_db": saturation_db,
            "n_boot": n_boot,
            "boot_seed": 0,
            "skipped": skipped,
            "trained": store.misses,
            "cached": store.hits,
            "cached_seconds": cached_seconds,
        },
    )
    for r in records:
        r["capped"] = is_capped(r, total, saturation_db)
    _derive(result)
    return result


def _record(
    method: str, family: str, budget: int, n: int, steps: int, seed: int, samples: int, mse: float, seconds: float
) -> dict:
    return {
        "method": method,
        "family": family,
        "budget": budget,
        "n_params": int(n),
        "steps": steps,
        "seed": seed,
        "samples": samples,
        "compute": 6.0 * n * steps * samples,
        "mse": mse,
        "psnr": psnr_from_mse(mse),
        "seconds": seconds,
    }


def _derive(result: ExperimentResult) -> None:
    """Fill ``tables`` (laws, exchange, frontier) and ``meta["frontier_slope"]``, leaving capped points out."""
    meta = result.meta
    top = max(meta["steps"])
    rng = np.random.default_rng(meta.get("boot_seed", 0))
    laws = []
    for family in [*meta["families"], "pixels"]:
        recs = [r for r in result.select(family=family) if family == "pixels" or r["steps"] == top]
        kept = [(r["n_params"], r["mse"]) for r in recs if not r["capped"]]
        head = {"family": family, "steps": 0 if family == "pixels" else top, "n_capped": len(recs) - len(kept)}
        try:
            law = bootstrap_law([[pt] for pt in kept], meta.get("n_boot", 200), rng)  # resample points
            lo, hi = law["alpha_lo"], law["alpha_hi"]
            law["well_determined"] = bool(len(kept) >= MIN_POINTS and lo > 0 and hi / lo <= WIDE_CI)
            laws.append({**head, **law})
        except (ValueError, RuntimeError) as exc:
            laws.append({**head, "error": str(exc)})
    result.tables["laws"] = laws
    result.tables["exchange"] = exchange_rates(result.records, top)
    capped = {(r["family"], r["n_params"], r["steps"]) for r in result.records if r["capped"]}
    frontier = [
        {**r, "capped": (r["family"], r["n_params"], r["steps"]) in capped} for r in compute_frontier(result.records)
    ]
    result.tables["frontier"] = frontier
    slopes = {}
    for family in meta["families"]:
        pts = [(r["compute"], r["n_params"]) for r in frontier if r["family"] == family and not r["capped"]]
        if len({p for _, p in pts}) >= 2 and len(pts) >= 3:
            slopes[family] = float(np.polyfit(np.log([c for c, _ in pts]), np.log([p for _, p in pts]), 1)[0])
        else:
            slopes[family] = math.nan
    meta["frontier_slope"] = slopes


def exchange_rates(records: Sequence[dict], steps: int) -> list[dict]:
    """Pixel values that match each network's MSE (mean over seeds), per parameter.

    The pixel curve (log values against log MSE, made monotone, lossless
    points left out) is interpolated at each network's MSE. Outside its range
    the result is a bound: ``bound="at least"`` when the network beats every
    downsampled counterpart (only the full image, lossless, is better), with
    ``pixel_values`` the largest lossy count; ``"at most"`` when it is worse
    than the smallest one. Either bound is ``capped``: the rate is set by the
    pixel grid's range, not by the network.

    Parameters
    ----------
    records : sequence of dict
        A scaling result's records (:data:`COLUMNS`).
    steps : int
        The training length whose networks are compared.

    Returns
    -------
    list of dict
        Per (family, n_params): ``psnr``, ``pixel_values``, ``rate``
        (pixel values per parameter), ``bound`` and ``capped``.
    """
    pix = sorted(
        (r["n_params"], r["mse"]) for r in records if r["method"] == "pixels" and r["mse"] > 0 and not r.get("capped")
    )
    n = np.array([p[0] for p in pix], dtype=float)
    mse = np.minimum.accumulate(np.array([p[1] for p in pix], dtype=float))
    out = []
    groups: dict[tuple[str, int], list[float]] = {}
    for r in records:
        if r["method"] == "network" and r["steps"] == steps:
            groups.setdefault((r["family"], r["n_params"]), []).append(r["mse"])
    for (family, p), losses in sorted(groups.items()):
        m = float(np.mean(losses))
        bound = ""
        if n.size < 2:
            values = math.nan
        elif m < mse[-1]:
            values, bound = float(n[-1]), "at least"
        elif m > mse[0]:
            values, bound = float(n[0]), "at most"
        else:
            # np.interp needs increasing x: walk the curve from low to high log MSE
            values = float(np.exp(np.interp(np.log(m), np.log(mse[::-1]), np.log(n[::-1]))))
        row = {"family": family, "n_params": p, "psnr": psnr_from_mse(m), "pixel_values": values, "rate": values / p}
        out.append({**row, "bound": bound, "capped": bool(bound)})
    return out


def compute_frontier(records: Sequence[dict]) -> list[dict]:
    """Per family, the runs (mean MSE over seeds) that beat every cheaper run: the compute-optimal frontier.

    Parameters
    ----------
    records : sequence of dict
        A scaling result's records (:data:`COLUMNS`).

    Returns
    -------
    list of dict
        ``family``, ``n_params``, ``steps``, ``compute``, ``mse`` and ``psnr``
        per frontier run, by family and then compute.
    """
    groups: dict[tuple[str, int, int], list[dict]] = {}
    for r in records:
        if r["method"] == "network":
            groups.setdefault((r["family"], r["n_params"], r["steps"]), []).append(r)
    runs = [
        dict(family=f, n_params=p, steps=s, compute=rs[0]["compute"], mse=float(np.mean([r["mse"] for r in rs])))
        for (f, p, s), rs in groups.items()
    ]
    out = []
    for family in sorted({r["family"] for r in runs}):
        best = math.inf
        for r in sorted((r for r in runs if r["family"] == family), key=lambda r: (r["compute"], r["mse"])):
            if r["mse"] < best:
                best = r["mse"]
                out.append({**r, "psnr": psnr_from_mse(r["mse"])})
    return out
