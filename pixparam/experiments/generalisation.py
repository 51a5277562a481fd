"""Memorisation against generalisation: fit some pixels, predict the others.

A random ``train_fraction`` of the pixels (optionally with Gaussian noise added
to their values, then clipped to ``[0, 1]``) is all a network sees; the other
pixels are held out. Sweeping the budget from far below to far above the
number of training values ``n_train * C`` (the *interpolation threshold*)
shows whatever shape appears: classical U, double descent, or monotone.
A parameter-free reference predicts the held-out pixels by linear
interpolation of the training pixels (method ``"interpolation"``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import torch

from ..budget import Arch, plan
from ..devices import resolve_device
from ..errors import BudgetError, ConfigError
from ..fields import build
from ..images import ImageSource, load_image
from ..metrics import mse, psnr_from_mse
from ..store import Store
from ..training import Points
from ._common import (
    check_families,
    check_ints,
    check_seeds,
    predict,
    progress_bar,
    train_points,
    unit_seconds,
)
from ._records import ExperimentResult

__all__ = ["COLUMNS", "generalisation", "split_pixels"]

#: Record columns: method ("network"/"interpolation"), family, budget, n_params, n_train_values (training
#: pixels × channels: the interpolation threshold), ratio (n_params / n_train_values), steps, seed, noise (std
#: added to training values), train_psnr (against the values trained on), test_psnr (held-out pixels, clean),
#: clean_train_psnr (training pixels without noise), seconds.
COLUMNS = (
    "method",
    "family",
    "budget",
    "n_params",
    "n_train_values",
    "ratio",
    "steps",
    "seed",
    "noise",
    "train_psnr",
    "test_psnr",
    "clean_train_psnr",
    "seconds",
)


def split_pixels(n_pixels: int, train_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Disjoint sorted index arrays ``(train, test)`` covering ``range(n_pixels)``.

    ``round(train_fraction * n_pixels)`` pixels (at least one of each kind)
    train, drawn without replacement by a NumPy generator seeded with ``seed``.

    Parameters
    ----------
    n_pixels : int
        Pixels to split (``h * w``).
    train_fraction : float
        Strictly between 0 and 1.
    seed : int
        Seeds the permutation.

    Returns
    -------
    train, test : (n_train,) and (n_pixels - n_train,) ndarray of int
        Flat pixel indices, sorted.

    Examples
    --------
    >>> train, test = split_pixels(10, 0.3, seed=0)
    >>> len(train), len(test), sorted([*train, *test]) == list(range(10))
    (3, 7, True)
    """
    if not 0 < train_fraction < 1:
        raise ConfigError(f"train_fraction={train_fraction!r}; it must lie strictly between 0 and 1")
    n_train = min(n_pixels - 1, max(1, round(train_fraction * n_pixels)))
    perm = np.random.default_rng(seed).permutation(n_pixels)
    return np.sort(perm[:n_train]), np.sort(perm[n_train:])


def generalisation(
    image: ImageSource,
    budgets: Sequence[int | str],
    families: str | Sequence[str] | None = None,
    *,
    train_fraction: float = 0.5,
    noise: float = 0.0,
    steps: int | Sequence[int] = 500,
    seeds: int | Sequence[int] = 3,
    device: str | torch.device = "auto",
    cache: str | os.PathLike | None = None,
    progress: bool = True,
) -> ExperimentResult:
    """Train on a random subset of pixels, measure train and held-out PSNR per budget.

    Parameters
    ----------
    image : path, sample name, PIL image or ndarray
        The image (use a small one: every budget trains a network).
    budgets : sequence of int or str
        Budgets to sweep; span the threshold ``n_train_values``, e.g. 0.1× to 10×.
        Budgets below a family's smallest network are skipped (listed in ``meta["skipped"]``).
    families : str or sequence of str, optional
        Network families; default every registered family (:data:`pixparam.FAMILIES`).
    train_fraction : float
        Fraction of pixels used for training.
    noise : float
        Standard deviation of Gaussian noise added to the training values.
    steps : int or sequence of int
        Optimiser steps; several values compare a fixed budget of steps with
        many more ("to convergence").
    seeds : int or sequence of int
        Each seed draws its own split, noise and initialisation.
    device : str or torch.device
        Where to train.
    cache : path, optional
        Cache folder; finished fits are reused.
    progress : bool
        Show a tqdm bar.

    Returns
    -------
    ExperimentResult
        Records with :data:`COLUMNS`: one per (family, budget, steps, seed)
        and one ``"interpolation"`` record per seed; ``meta["threshold"]`` is
        the number of training values and ``meta["noise_psnr"]`` the noise
        level: the PSNR of the (noisy) training targets against the clean
        pixels, mean over seeds (``inf`` without noise). ``images`` holds
        ``(H, W, C)`` arrays: ``"clean"`` the image, ``"{family}/{budget}/{steps}/{seed}"`` each
        network's prediction at every pixel, ``"interpolation/{seed}"`` the
        training targets with the held-out pixels linearly interpolated,
        ``"targets/{seed}"`` the training targets (0 at held-out pixels) and
        ``"mask/{seed}"`` (``(H, W, 1)``) 1 at training pixels, 0 at held-out ones.
        Held-out PSNRs score only held-out pixels.
    """
    img = load_image(image)
    h, w, c = img.shape
    budgets = check_ints(budgets, "budgets")
    families = check_families(families)
    steps_list = check_ints(steps, "steps")
    seeds = check_seeds(seeds)
    if noise < 0:
        raise ConfigError(f"noise={noise!r}; it is a standard deviation, >= 0")
    dev = resolve_device(device)
    store = Store(cache)
    cached_seconds = 0.0  # the training the reused units took, when they were trained
    records: list[dict] = []
    arrays: dict[str, np.ndarray] = {"clean": img}
    skipped: list[str] = []
    archs = {}
    for family in families:
        for budget in budgets:
            try:
                archs[family, budget] = plan(budget, family, c, resolution=max(h, w))
            except ValueError as exc:
                skipped.append(f"{family} {budget}: {exc}")
    if not archs:
        raise BudgetError(f"no budget gives a network; {skipped[0]}")
    units = [(f, b, s, seed) for (f, b) in archs for s in steps_list for seed in seeds]
    threshold = 0
    with progress_bar(len(units), "generalisation", progress) as bar:
        for seed in seeds:
            train_idx, test_idx = split_pixels(h * w, train_fraction, seed)
            threshold = train_idx.size * c
            clean = img.reshape(-1, c)
            noisy = _noisy(clean[train_idx], noise, seed)
            row, interp = _interpolation_row(img, train_idx, test_idx, noisy, seed, noise)
            records.append(row)
            mask = np.zeros((h * w, 1), dtype=np.float32)
            mask[train_idx] = 1.0
            targets = np.zeros_like(clean)
            targets[train_idx] = noisy
            arrays[f"mask/{seed}"] = mask.reshape(h, w, 1)
            arrays[f"targets/{seed}"] = targets.reshape(h, w, c)
            arrays[f"interpolation/{seed}"] = interp.reshape(h, w, c)
            for family, budget, n_steps, s in units:
                if s != seed:
                    continue
                settings = {
                    "family": family,
                    "budget": budget,
                    "steps": n_steps,
                    "seed": seed,
                    "fraction": train_fraction,
                    "noise": noise,
                }
                key = store.unit_key("generalisation", settings, [img])
                hit = store.get_records("generalisation", key)
                if hit is None or "prediction" not in hit[1]:  # a unit whose prediction was lost is recomputed
                    row, pred = _fit_subset(img, archs[family, budget], train_idx, test_idx, noisy, n_steps, seed, dev)
                    row.update(budget=budget, noise=noise)
                    hit = ([row], {"prediction": pred.reshape(h, w, c)})
                    store.put_records("generalisation", key, *hit)
                else:
                    cached_seconds += unit_seconds(hit[0])
                records.extend(hit[0])
                arrays[f"{family}/{budget}/{n_steps}/{seed}"] = hit[1]["prediction"]
                bar.update(1)
    meta = {
        "budgets": budgets,
        "families": families,
        "steps": steps_list,
        "seeds": seeds,
        "train_fraction": train_fraction,
        "noise": noise,
        "image_shape": [h, w, c],
        "threshold": threshold,
        "noise_psnr": float(np.mean([r["clean_train_psnr"] for r in records if r["method"] == "interpolation"])),
        "skipped": skipped,
        "trained": store.misses,
        "cached": store.hits,
        "cached_seconds": cached_seconds,
    }
    return ExperimentResult("generalisation", records, COLUMNS, meta=meta, images=arrays)


def _noisy(values: np.ndarray, noise: float, seed: int) -> np.ndarray:
    if noise == 0:
        return values.astype(np.float32)
    rng = np.random.default_rng([seed, 1])
    return np.clip(values + rng.normal(0.0, noise, values.shape), 0.0, 1.0).astype(np.float32)


def _psnr_of(pred: np.ndarray, ref: np.ndarray) -> float:
    return psnr_from_mse(mse(ref, pred))


def _fit_subset(
    img: np.ndarray,
    arch: Arch,
    train_idx: np.ndarray,
    test_idx: np.ndarray,
    noisy: np.ndarray,
    steps: int,
    seed: int,
    dev: torch.device,
) -> tuple[dict, np.ndarray]:
    """Train on the training pixels only (the model and loop never receive held-out pixels); the row and prediction."""
    c = img.shape[2]
    whole = Points.from_image(img, dev)
    model = build(arch, seed=seed, device=dev)
    seen = whole.subset(train_idx)  # the held-out pixels never reach the loop
    seen = Points(seen.coords, torch.from_numpy(noisy).to(dev))
    seconds = train_points(model, seen, steps=steps, seed=seed, device=dev)
    xy = whole.coords
    pred = predict(model, xy)
    clean = img.reshape(-1, c)
    row = {
        "method": "network",
        "family": arch.family,
        "n_params": arch.n_params,
        "n_train_values": int(train_idx.size * c),
        "ratio": arch.n_params / (train_idx.size * c),
        "steps": steps,
        "seed": seed,
        "train_psnr": _psnr_of(pred[train_idx], noisy),
        "test_psnr": _psnr_of(pred[test_idx], clean[test_idx]),
        "clean_train_psnr": _psnr_of(pred[train_idx], clean[train_idx]),
        "seconds": seconds,
    }
    return row, pred


def _interpolation_row(
    img: np.ndarray, train_idx: np.ndarray, test_idx: np.ndarray, noisy: np.ndarray, seed: int, noise: float
) -> tuple[dict, np.ndarray]:
    """Linear interpolation of the training pixels (nearest outside their hull); the row and the filled image."""
    from scipy.interpolate import griddata

    h, w, c = img.shape
    yx = np.stack(np.divmod(np.arange(h * w), w), axis=1).astype(np.float64)
    lin = griddata(yx[train_idx], noisy, yx[test_idx], method="linear")
    near = griddata(yx[train_idx], noisy, yx[test_idx], method="nearest")
    pred = np.clip(np.where(np.isnan(lin), near, lin), 0.0, 1.0).astype(np.float32)  # as stored in images
    clean = img.reshape(-1, c)
    filled = np.empty_like(clean)
    filled[train_idx], filled[test_idx] = noisy, pred
    row = {
        "method": "interpolation",
        "family": "interpolation",
        "budget": 0,
        "n_params": 0,
        "n_train_values": int(train_idx.size * c),
        "ratio": 0.0,
        "steps": 0,
        "seed": seed,
        "noise": noise,
        "train_psnr": _psnr_of(noisy, noisy),
        "test_psnr": _psnr_of(pred, clean[test_idx]),
        "clean_train_psnr": _psnr_of(noisy, clean[train_idx]),
        "seconds": 0.0,
    }
    return row, filled
