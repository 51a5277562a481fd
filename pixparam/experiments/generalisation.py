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
from matplotlib.figure import Figure

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
)
from ._records import ExperimentResult

__all__ = ["COLUMNS", "generalisation", "plot_generalisation", "split_pixels"]

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
        the number of training values.
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
    records: list[dict] = []
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
            records.append(_interpolation_row(img, train_idx, test_idx, noisy, seed, noise))
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
                if hit is None:
                    row = _fit_subset(img, archs[family, budget], train_idx, test_idx, noisy, n_steps, seed, dev)
                    row.update(budget=budget, noise=noise)
                    hit = ([row], {})
                    store.put_records("generalisation", key, [row])
                records.extend(hit[0])
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
        "skipped": skipped,
        "trained": store.misses,
        "cached": store.hits,
    }
    return ExperimentResult("generalisation", records, COLUMNS, meta=meta)


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
) -> dict:
    """Train on the training pixels only; the model and loop never receive held-out pixels."""
    c = img.shape[2]
    whole = Points.from_image(img, dev)
    model = build(arch, seed=seed, device=dev)
    seen = whole.subset(train_idx)  # the held-out pixels never reach the loop
    seen = Points(seen.coords, torch.from_numpy(noisy).to(dev))
    seconds = train_points(model, seen, steps=steps, seed=seed, device=dev)
    xy = whole.coords
    pred = predict(model, xy)
    clean = img.reshape(-1, c)
    return {
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


def _interpolation_row(
    img: np.ndarray, train_idx: np.ndarray, test_idx: np.ndarray, noisy: np.ndarray, seed: int, noise: float
) -> dict:
    """Linear interpolation of the training pixels (nearest outside their hull)."""
    from scipy.interpolate import griddata

    h, w, c = img.shape
    yx = np.stack(np.divmod(np.arange(h * w), w), axis=1).astype(np.float64)
    lin = griddata(yx[train_idx], noisy, yx[test_idx], method="linear")
    near = griddata(yx[train_idx], noisy, yx[test_idx], method="nearest")
    pred = np.clip(np.where(np.isnan(lin), near, lin), 0.0, 1.0)
    clean = img.reshape(-1, c)
    return {
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


def plot_generalisation(result: ExperimentResult) -> Figure:
    """Held-out PSNR (top row) and train PSNR (bottom row) against parameters, one column per family.

    Lines are means over seeds with ±1 std error bars; shade marks the number
    of steps; the dotted vertical line is the interpolation threshold
    (parameters = training values); the grey band (top) is the linear
    interpolation of the training pixels, min–max over seeds.

    Parameters
    ----------
    result : ExperimentResult
        What :func:`generalisation` returned (or :func:`load_result` read).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.lines import Line2D

    from ..figures.style import color_for
    from ._plot import COLORS, log_axis, summarise

    meta = result.meta
    families = meta["families"]
    fig = Figure(figsize=(7.2, 4.4), layout="constrained")
    grid = fig.subplots(2, len(families), squeeze=False, sharex=True, sharey="row")
    ref = [r["test_psnr"] for r in result.select(method="interpolation")]
    steps_list = meta["steps"]
    shades = [1.0 if len(steps_list) == 1 else 0.4 + 0.6 * j / (len(steps_list) - 1) for j in range(len(steps_list))]
    for col, family in enumerate(families):
        for row, ycol in enumerate(("test_psnr", "train_psnr")):
            ax = grid[row, col]
            for shade, n_steps in zip(shades, steps_list):
                recs = result.select(method="network", family=family, steps=n_steps)
                x, mean, std, _, _ = summarise(recs, "n_params", ycol)
                ax.errorbar(x, mean, yerr=std, color=color_for(family), alpha=shade, marker="o", ms=3, capsize=2)
            if row == 0 and ref:
                ax.axhspan(min(ref), max(ref), color=COLORS["interpolation"], alpha=0.25, linewidth=0)
            ax.axvline(meta["threshold"], color="k", linestyle=":", lw=1)
            log_axis(ax, "x")
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=7)
        grid[0, col].set_title(family, fontsize=9)
        grid[1, col].set_xlabel("parameters", fontsize=8)
    grid[0, 0].set_ylabel("held-out PSNR (dB)", fontsize=8)
    grid[1, 0].set_ylabel("train PSNR (dB)", fontsize=8)
    handles = [
        Line2D([], [], color="k", alpha=shade, marker="o", ms=3, label=f"{n} steps")
        for shade, n in zip(shades, steps_list)
    ]
    handles.append(
        Line2D([], [], color=COLORS["interpolation"], lw=5, alpha=0.4, label="linear interp.\nof train pixels")
    )
    handles.append(
        Line2D([], [], color="k", linestyle=":", label=f"threshold:\n{meta['threshold']:,} train\nvalues = params")
    )
    fig.legend(handles=handles, loc="outside right center", fontsize=7, frameon=False)
    h, w, c = meta["image_shape"]
    fig.suptitle(
        f"{h}×{w}×{c} image · {meta['train_fraction']:.0%} of pixels train"
        + (f" · noise σ={meta['noise']:g}" if meta["noise"] else "")
        + f" · mean ± std over {len(meta['seeds'])} seeds",
        fontsize=9,
    )
    return fig
