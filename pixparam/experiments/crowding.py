"""Crowding: one fixed budget memorises K images, network against pixels.

The debate's claim: fit more things into a limited number of parameters, the
same way as into a limited number of pixels, and you trade off clarity. Here
one network of ``budget`` parameters (a :class:`MultiField`: the image index
enters as a learned embedding whose parameters count) is trained on K images
at once, for K = 1, 2, 4, 8, 16; the pixel side stores each image in
``budget // K`` values. Every step sees all K images (full batch), so the
number of steps does not change with K.

The K images are K different pictures of one size (:func:`square_crops` of K
samples, as the gallery uses) or, for a quick look, K tiles of one sample
(:func:`tiles`). Tiles of one photo share colours and texture, which flatters
a shared network; different images do not.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import numpy as np
import torch

from ..devices import resolve_device
from ..errors import ConfigError, ImageError
from ..fields.multi import MultiField, plan_multi, with_index
from ..images import ImageSource, load_image
from ..metrics import mse, psnr
from ..pixels import pixelate
from ..store import Store
from ..training import Points
from ._common import check_families, check_ints, check_seeds, predict, progress_bar, train_points, unit_seconds
from ._records import ExperimentResult

__all__ = ["COLUMNS", "crowding", "square_crops", "tiles"]

#: Record columns: method ("network"/"pixels"), family ("pixels" for pixels), k (images sharing the budget),
#: image (index 0..k-1), budget, n_params (network total incl. embedding; pixels: values over all k images),
#: n_embedding (embedding params), values_per_image (n_params / k), steps, seed, psnr, mse, seconds, group (which
#: network: images group*k .. group*k+k-1; 0 for pixels).
COLUMNS = (
    "method",
    "family",
    "k",
    "image",
    "budget",
    "n_params",
    "n_embedding",
    "values_per_image",
    "steps",
    "seed",
    "psnr",
    "mse",
    "seconds",
    "group",
)


def tiles(image: ImageSource, n: int, size: int = 32) -> list[np.ndarray]:
    """``n`` square tiles of one image, raster order over a ``ceil(sqrt(n))``-wide grid.

    The image is resized so the grid of ``size``-px tiles covers its centre square.

    Parameters
    ----------
    image : path, sample name, PIL image or ndarray
        The image to cut.
    n : int
        Number of tiles.
    size : int
        Side of each tile, in pixels.

    Returns
    -------
    list of (size, size, C) ndarray of float32

    Examples
    --------
    >>> [t.shape for t in tiles("camera", 2, size=8)]
    [(8, 8, 1), (8, 8, 1)]
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ConfigError(f"n={n!r}; pass the number of tiles, a positive integer")
    side = math.ceil(math.sqrt(n))
    img = load_image(image)
    h, w = img.shape[:2]
    s = min(h, w)
    square = img[(h - s) // 2 : (h - s) // 2 + s, (w - s) // 2 : (w - s) // 2 + s]
    big = load_image(square, size=(side * size, side * size))
    return [big[(i // side) * size :][:size, (i % side) * size :][:, :size] for i in range(n)]


def square_crops(images: Sequence[ImageSource], size: int, *, channels: int | None = None) -> list[np.ndarray]:
    """Each image's centre square resized to ``size`` × ``size``: K different images of one shape.

    Parameters
    ----------
    images : sequence of path, sample name, PIL image or ndarray
        The images, e.g. sample names (:data:`pixparam.SAMPLES`).
    size : int
        Side of every crop, in pixels.
    channels : int, optional
        1 or 3; default 3 when any image has colour (gray images are repeated
        into three channels), else 1. Alpha is dropped.

    Returns
    -------
    list of (size, size, channels) ndarray of float32

    Raises
    ------
    ConfigError
        ``size`` is not a positive integer, ``channels`` is not 1 or 3, or no image is given.

    Examples
    --------
    >>> [c.shape for c in square_crops(["camera", "coffee"], 8)]
    [(8, 8, 3), (8, 8, 3)]
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ConfigError(f"size={size!r}; pass the side of every crop, a positive integer")
    if channels not in (None, 1, 3):
        raise ConfigError(f"channels={channels!r}; pass 1 (gray), 3 (colour) or None (3 when any image has colour)")
    if not len(images):
        raise ConfigError("no images given; pass at least one image or sample name")
    out = []
    for image in images:
        img = load_image(image)[..., :3]
        h, w = img.shape[:2]
        s = min(h, w)
        square = img[(h - s) // 2 : (h - s) // 2 + s, (w - s) // 2 : (w - s) // 2 + s]
        out.append(load_image(np.ascontiguousarray(square), size=(size, size)))
    c = channels or (3 if any(i.shape[2] == 3 for i in out) else 1)
    return [
        np.repeat(i, 3, axis=2) if i.shape[2] < c else i.mean(axis=2, keepdims=True) if i.shape[2] > c else i
        for i in out
    ]


def crowding(
    images: Sequence[ImageSource],
    budgets: int | str | Sequence[int | str],
    families: str | Sequence[str] | None = None,
    *,
    ks: Sequence[int] = (1, 2, 4, 8, 16),
    steps: int = 500,
    seeds: int | Sequence[int] = 1,
    embed_dim: int | None = None,
    every: bool = True,
    device: str | torch.device = "auto",
    cache: str | os.PathLike | None = None,
    progress: bool = True,
) -> ExperimentResult:
    """Memorise K images in one network of fixed budget, against K pixel counterparts.

    Parameters
    ----------
    images : sequence of images
        At least ``max(ks)`` images of one shape; K uses the first K
        (:func:`square_crops` makes K different images one shape; :func:`tiles`
        cuts K tiles of one image).
    budgets : int, str or sequence
        Total parameters (networks) and total values (pixels) per setting.
    families : str or sequence of str, optional
        Network families; default every registered family (:data:`pixparam.FAMILIES`).
    ks : sequence of int
        How many images share the budget.
    steps : int
        Optimiser steps per network (each step sees all K images).
    seeds : int or sequence of int
        A count (``3`` = seeds 0, 1, 2) or the seeds.
    embed_dim : int, optional
        Embedding size per image for K > 1 (default 4, see :func:`plan_multi`).
        With the default ``embed_dim``, K = 1 has no embedding: the network is exactly ``pixparam.fit``'s at the
        same budget, trained by the same loop, so K = 1 reproduces
        ``pixparam.fit(images[0], budget, family, steps=steps, seed=seed)`` bit
        for bit on the CPU.
    every : bool
        ``True``: at each K, split the first ``max(ks)`` images into groups of
        K, one network per group, so every K reports the same images (a fair
        per-image comparison). ``False``: one network per K on the first K images.
    device : str or torch.device
        Where to train.
    cache : path, optional
        Cache folder; finished networks are reused.
    progress : bool
        Show a tqdm bar over networks.

    Returns
    -------
    ExperimentResult
        Records with :data:`COLUMNS`, one per image per (method, family, K,
        budget, seed); ``images`` holds the reconstructions under
        ``"{family}/{k}/{budget}/{seed}"`` as ``(n, H, W, C)`` arrays (n images:
        ``max(ks)`` with ``every``, else K).
    """
    imgs = [load_image(i) for i in images]
    ks = check_ints(ks, "ks")
    budgets = check_ints(budgets, "budgets")
    families = check_families(families)
    seeds = check_seeds(seeds)
    if len(imgs) < max(ks):
        raise ImageError(f"K goes up to {max(ks)} but {len(imgs)} images were given; pass more images or smaller ks")
    if len({i.shape for i in imgs[: max(ks)]}) > 1:
        raise ImageError("the images have different shapes; make them one shape (e.g. with square_crops())")
    dev = resolve_device(device)
    h, w, c = imgs[0].shape
    store = Store(cache)
    records, arrays = [], {}
    n = max(ks)
    if every and any(n % k for k in ks):
        raise ConfigError(f"ks={ks}: with every=True each K must divide {n} (e.g. 1, 2, 4, 8, 16); or pass every=False")
    for budget in budgets:
        for k in ks:
            pix = [pixelate(img, budget // k) for img in imgs[: n if every else k]]
            for i, (img, p) in enumerate(zip(imgs, pix)):
                out = p.reconstruct((h, w))
                records.append(_row("pixels", "pixels", k, i, budget, k * p.n_values, 0, 0, 0, img, out, 0.0))
            arrays[f"pixels/{k}/{budget}/0"] = np.stack([p.render(mode="nearest") for p in pix])
    units = [
        (f, b, k, s, g)
        for f in families
        for b in budgets
        for k in ks
        for s in seeds
        for g in range(n // k if every else 1)
    ]
    cached_seconds = 0.0  # the training the reused units took, when they were trained
    with progress_bar(len(units), "crowding", progress) as bar:
        for family, budget, k, seed, g in units:
            settings = {"family": family, "budget": budget, "k": k, "steps": steps, "seed": seed, "embed": embed_dim}
            group = imgs[g * k : (g + 1) * k]
            key = store.unit_key("crowding", settings, group)
            hit = store.get_records("crowding", key)
            if hit is None or "renders" not in hit[1]:  # a unit whose arrays were lost is recomputed
                hit = _fit_k(group, family, budget, steps, seed, embed_dim, dev)
                store.put_records("crowding", key, *hit)
            else:
                cached_seconds += unit_seconds(hit[0])
            records.extend({**r, "image": g * k + r["image"], "group": g} for r in hit[0])
            name = f"{family}/{k}/{budget}/{seed}"
            renders = hit[1]["renders"]
            arrays[name] = renders if g == 0 else np.concatenate([arrays[name], renders])
            bar.update(1)
    meta = {
        "ks": ks,
        "budgets": budgets,
        "families": families,
        "steps": steps,
        "seeds": seeds,
        "image_shape": [h, w, c],
        "embed_dim": embed_dim,
        "every": bool(every),
        "n_images": n,
        "trained": store.misses,
        "cached": store.hits,
        "cached_seconds": cached_seconds,
    }
    return ExperimentResult("crowding", records, COLUMNS, meta=meta, images=arrays)


def _row(
    method: str,
    family: str,
    k: int,
    i: int,
    budget: int,
    n: int,
    n_emb: int,
    steps: int,
    seed: int,
    img: np.ndarray,
    out: np.ndarray,
    seconds: float,
) -> dict:
    return {
        "method": method,
        "family": family,
        "k": k,
        "image": i,
        "budget": budget,
        "n_params": int(n),
        "n_embedding": int(n_emb),
        "values_per_image": n / k,
        "steps": steps,
        "seed": seed,
        "psnr": psnr(img, out),
        "mse": mse(img, out),
        "seconds": seconds,
        "group": 0,
    }


def _fit_k(
    imgs: list[np.ndarray], family: str, budget: int, steps: int, seed: int, embed_dim: int | None, dev: torch.device
) -> tuple[list[dict], dict[str, np.ndarray]]:
    h, w, c = imgs[0].shape
    k = len(imgs)
    march = plan_multi(budget, family, k, c, embed_dim=embed_dim, resolution=max(h, w))
    model = MultiField(march, seed=seed).to(dev)
    whole = [Points.from_image(img, dev) for img in imgs]
    if march.embed_dim == 0 and k == 1:
        points = whole[0]  # exactly pixparam.fit's input
    else:
        coords = torch.cat([with_index(p.coords, i) for i, p in enumerate(whole)])
        points = Points(coords, torch.cat([p.target for p in whole]))
    seconds = train_points(model, points, steps=steps, seed=seed, device=dev)
    coords = points.coords
    renders = predict(model, coords).reshape(k, h, w, c)
    rows = [
        _row("network", family, k, i, budget, march.n_params, march.n_embedding, steps, seed, img, renders[i], seconds)
        for i, img in enumerate(imgs)
    ]
    return rows, {"renders": renders}
