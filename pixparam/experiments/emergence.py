"""Emergence: over a dense budget ladder, does a detail appear gradually or abruptly?

One sweep fits an image at many budgets and seeds. For each named region (a
box given as fractions of the image, or automatic tiles) the local SSIM of the
render against the image is measured at every budget, beside global PSNR.

*Abruptness* of a curve ``q(P)`` over the ladder (read as its running
maximum, the best reached so far): the largest share of its total rise,
``q(P_max) - q(P_min)``, gained within any window of budgets
spanning at most a factor ``window`` (2: one octave). A curve rising evenly in
log P over ``k`` octaves scores about ``1/k``; a detail that appears
abruptly scores near 1. Each region's score is computed per seed (mean ±
std) and compared with the whole image's: global PSNR's, and global SSIM's
(SSIM saturates at 1, so its curves are concave in log P and put more of their
rise early than PSNR's do: a region is compared fairly with global SSIM).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.figure import Figure

from ..errors import ConfigError
from ..images import ImageSource, load_image
from ..metrics import psnr, ssim
from ._common import check_ints, check_seeds
from ._records import ExperimentResult

__all__ = ["COLUMNS", "abruptness", "emergence", "plot_emergence", "score_regions", "tile_regions"]

#: Record columns: region ("global" for the whole image), budget, n_params, seed, ssim (local, or global),
#: psnr (of the region's crop).
COLUMNS = ("region", "budget", "n_params", "seed", "ssim", "psnr")

Box = tuple[float, float, float, float]


def tile_regions(n: int) -> dict[str, Box]:
    """``n × n`` tiles covering the image, named ``"tile r,c"``, as fractional boxes ``(top, left, bottom, right)``.

    Parameters
    ----------
    n : int
        Tiles per side.

    Returns
    -------
    dict of str to (float, float, float, float)
    """
    return {f"tile {r},{c}": (r / n, c / n, (r + 1) / n, (c + 1) / n) for r in range(n) for c in range(n)}


def abruptness(budgets: Sequence[float], values: Sequence[float], window: float = 2.0) -> tuple[float, float, float]:
    """The largest share of a curve's total rise gained within a budget window of factor ``window``.

    Parameters
    ----------
    budgets : sequence of float
        Increasing budgets.
    values : sequence of float
        The quality at each.
    window : float
        The widest ratio of budgets a jump may span.

    Returns
    -------
    (float, float, float)
        The share (NaN when the curve does not rise), and the budgets where
        the steepest window starts and ends. The curve is read as the best
        quality reached up to each budget (its running maximum), so the
        share lies in ``[0, 1]``.

    Examples
    --------
    >>> abruptness([100, 200, 400, 800, 1600], [0.1, 0.1, 0.8, 0.9, 0.9])
    (0.875, 200.0, 400.0)
    """
    p = np.asarray(budgets, dtype=float)
    q = np.maximum.accumulate(np.asarray(values, dtype=float))  # the best reached so far: a dip is not a loss
    total = q[-1] - q[0]
    if not total > 0:
        return math.nan, math.nan, math.nan
    best, lo, hi = -math.inf, math.nan, math.nan
    for i in range(len(p)):
        for j in range(i + 1, len(p)):
            if p[j] / p[i] > window * (1 + 1e-9):
                break
            if q[j] - q[i] > best:
                best, lo, hi = q[j] - q[i], p[i], p[j]
    return float(best / total), float(lo), float(hi)


def emergence(
    image: ImageSource,
    budgets: Sequence[int | str],
    family: str = "siren",
    *,
    regions: Mapping[str, Box] | None = None,
    tiles: int = 4,
    size: int = 64,
    steps: int = 500,
    seeds: int | Sequence[int] = 3,
    window: float = 2.0,
    device: str | torch.device = "auto",
    workers: int | None = None,
    cache: str | os.PathLike | None = None,
    progress: bool = True,
) -> ExperimentResult:
    """Fit ``image`` over a dense budget ladder and measure named regions' local SSIM against budget.

    Parameters
    ----------
    image : sample name or path
        The image (a sample name or file, as a sweep spec takes it).
    budgets : sequence of int or str
        The ladder (dense: 12 or more, log-spaced, is the point).
    family : str
        The network family.
    regions : mapping of str to (top, left, bottom, right), optional
        Named boxes as fractions of the image's height and width; default
        :func:`tile_regions` of ``tiles``.
    tiles : int
        Tiles per side when ``regions`` is not given.
    size : int
        Longest side of the image.
    steps : int
        Optimiser steps per fit.
    seeds : int or sequence of int
        ``3`` means seeds 0, 1, 2.
    window : float
        The budget ratio of :func:`abruptness`.
    device, workers, cache, progress
        Passed to :func:`pixparam.sweep` (``cache``: its store).

    Returns
    -------
    ExperimentResult
        Records with :data:`COLUMNS`; table ``"abruptness"``: for the whole
        image (``"global"``: PSNR, then SSIM, the same metric as the
        regions') and each region (local SSIM), the share of the rise in the
        steepest window (of the seed-mean curve, and mean ± std over seeds), the
        window's budgets, and ``rise`` (total gain); ``images``: the image
        (``"image"``) and seed 0's render at each budget (``"render:B"``);
        ``meta["boxes"]``: each region's pixel box.
    """
    import tempfile

    from ..store import Store
    from ..sweeps import sweep

    if not isinstance(image, (str, os.PathLike)):
        raise ConfigError("emergence takes a sample name or an image file, as a sweep spec does")
    budgets = sorted(check_ints(budgets, "budgets"))
    seeds = check_seeds(seeds)
    boxes_frac = dict(regions) if regions is not None else tile_regions(tiles)
    img = load_image(image, size=size)
    h, w = img.shape[:2]
    boxes = {name: _pixel_box(name, box, h, w) for name, box in boxes_frac.items()}
    spec = {"images": str(image), "size": size, "budgets": budgets, "families": family, "seeds": seeds, "steps": steps}
    with tempfile.TemporaryDirectory() as tmp:
        root = cache if cache is not None else tmp
        ran = sweep(spec, None, workers=workers, device=str(device), cache=root, progress=progress)
        store = Store(root)
        records, renders = [], {}
        for row in ran.select(edit=""):
            fit = store.get_fit(row["key"], name=family, device="cpu")
            out = fit.render()
            b, s, n = row["budget"], row["seed"], row["n_params"]
            records.append({"region": "global", "budget": b, "n_params": n, "seed": s, "ssim": ssim(img, out)})
            records[-1]["psnr"] = psnr(img, out)
            for name, (t, lft, btm, rgt) in boxes.items():
                crop, got = img[t:btm, lft:rgt], out[t:btm, lft:rgt]
                records.append(
                    {
                        "region": name,
                        "budget": b,
                        "n_params": n,
                        "seed": s,
                        "ssim": ssim(crop, got),
                        "psnr": psnr(crop, got),
                    }
                )
            if s == seeds[0]:
                renders[f"render:{b}"] = out
    meta = {"image": str(image), "family": family, "budgets": budgets, "seeds": seeds, "size": size, "steps": steps}
    meta |= {"window": window, "regions": list(boxes), "boxes": {k: list(v) for k, v in boxes.items()}}
    meta |= {k: ran.meta[k] for k in ("trained", "cached", "workers", "threads", "device", "seconds")}
    result = ExperimentResult("emergence", records, COLUMNS, meta=meta, images={"image": img, **renders})
    result.tables["abruptness"] = score_regions(result)
    return result


def _pixel_box(name: str, box: Box, h: int, w: int) -> tuple[int, int, int, int]:
    if len(box) != 4 or not all(0 <= v <= 1 for v in box) or not (box[0] < box[2] and box[1] < box[3]):
        raise ConfigError(f"region {name!r} is {box!r}; give (top, left, bottom, right) as fractions, top < bottom")
    t, lft = math.floor(box[0] * h), math.floor(box[1] * w)
    btm, rgt = max(t + 3, math.ceil(box[2] * h)), max(lft + 3, math.ceil(box[3] * w))
    if btm > h or rgt > w:
        raise ConfigError(f"region {name!r} is under 3×3 pixels at {h}×{w}; make it larger or the image bigger")
    return t, lft, btm, rgt


def score_regions(result: ExperimentResult) -> list[dict]:
    """The ``"abruptness"`` table of an :func:`emergence` result, from its records (JSON read back too).

    Parameters
    ----------
    result : ExperimentResult
        From :func:`emergence` (its ``meta`` gives the budgets, seeds, regions and window).

    Returns
    -------
    list of dict
        Global PSNR, global SSIM, then each region's local SSIM (see :func:`emergence`).
    """
    window = result.meta["window"]
    scores = [_score(result, "global", window, "psnr"), _score(result, "global", window, "ssim")]
    return scores + [_score(result, r, window, "ssim") for r in result.meta["regions"]]


def _score(result: ExperimentResult, region: str, window: float, metric: str) -> dict:
    """The abruptness of one region's ``metric`` (``"ssim"`` or ``"psnr"``): of the seed-mean curve, and per seed."""
    budgets = result.meta["budgets"]
    curves = []
    for s in result.meta["seeds"]:
        by_b = {r["budget"]: r[metric] for r in result.select(region=region, seed=s)}
        curves.append([by_b[b] for b in budgets])
    arr = np.asarray(curves, dtype=float)
    arr = np.where(np.isfinite(arr), arr, np.nanmax(np.where(np.isfinite(arr), arr, -np.inf)))  # lossless: the top
    share, lo, hi = abruptness(budgets, arr.mean(axis=0), window)
    per_seed = [abruptness(budgets, c, window)[0] for c in arr]
    finite = [v for v in per_seed if math.isfinite(v)]
    return {
        "region": region,
        "metric": metric,
        "share": share,
        "from_budget": lo,
        "to_budget": hi,
        "share_seed_mean": float(np.mean(finite)) if finite else math.nan,
        "share_seed_std": float(np.std(finite, ddof=1)) if len(finite) > 1 else math.nan,
        "rise": float(arr.mean(axis=0)[-1] - arr.mean(axis=0)[0]),
        "start": float(arr.mean(axis=0)[0]),
        "end": float(arr.mean(axis=0)[-1]),
    }


def plot_emergence(result: ExperimentResult, columns: int = 7) -> Figure:
    """Region crops across the ladder (seed 0), and each region's local SSIM against budget beside global PSNR.

    Parameters
    ----------
    result : ExperimentResult
        From :func:`emergence` (with its images: not read back from JSON).
    columns : int
        Budgets shown as crops (spread over the ladder), plus the original.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..figures.style import style

    meta = result.meta
    if "image" not in result.images:
        raise ConfigError("plot_emergence needs the renders: pass the result emergence() returned, not one from JSON")
    budgets = meta["budgets"]
    shown = [budgets[round(i)] for i in np.linspace(0, len(budgets) - 1, min(columns, len(budgets)))]
    names = meta["regions"]
    img = result.images["image"]
    with style():
        fig = Figure(figsize=(7.2, 1.0 * len(names) + 2.6), layout="constrained")
        top, bottom = fig.subfigures(2, 1, height_ratios=[len(names), 2.4])
        axes = np.atleast_2d(top.subplots(len(names), len(shown) + 1))
        gray = img.shape[2] == 1
        for i, name in enumerate(names):
            t, lft, btm, rgt = meta["boxes"][name]
            for j, b in enumerate([None, *shown]):
                src = img if b is None else result.images[f"render:{b}"]
                crop = src[t:btm, lft:rgt]
                ax = axes[i, j]
                ax.imshow(crop[..., 0] if gray else crop, cmap="gray" if gray else None, vmin=0, vmax=1,
                          interpolation="nearest")  # fmt: skip
                ax.set_xticks([])
                ax.set_yticks([])
                if i == 0:
                    ax.set_title("image" if b is None else f"{b:,}", fontsize=7)
            axes[i, 0].set_ylabel(name, fontsize=7)
        ax = bottom.subplots()
        twin = ax.twinx()
        for k, name in enumerate(names):
            rows = result.select(region=name)
            mean = [np.mean([r["ssim"] for r in rows if r["budget"] == b]) for b in budgets]
            sd = [np.std([r["ssim"] for r in rows if r["budget"] == b]) for b in budgets]
            ax.errorbar(budgets, mean, yerr=sd, marker="o", ms=2.5, lw=1, capsize=1.5, color=f"C{k}", label=name)
        g = result.select(region="global")
        gp = [np.mean([min(r["psnr"], 99.0) for r in g if r["budget"] == b]) for b in budgets]
        twin.plot(budgets, gp, color="0.3", ls="--", lw=1.2, label="global PSNR")
        ax.set(xscale="log", xlabel=f"{meta['family']} parameters", ylabel="local SSIM")
        twin.set_ylabel("global PSNR (dB)")
        handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
        ax.legend(handles=handles, fontsize=6, ncol=3, loc="lower right")
    return fig
