"""The gallery's edits section: prune, quantise and blend a network beside the same edits on pixels.

:func:`build_edits` draws four figures and writes a caption whose every
number is a measurement kept in ``numbers``:

* pruning, with the pruned network healed (fine-tuned with its mask kept)
  and the pixels' twin (the smallest DCT coefficients dropped);
* quantisation with per-tensor and per-channel grids beside posterised
  pixels, with the byte count of every panel (the real packed file of each
  network; the raw bits and the PNG of each pixel counterpart);
* a blend of fits of two *different* images started from one common random
  initialisation (the same seed), against both images, beside a cross-fade
  of the two images' pixel counterparts;
* a blend of two fits of one image from two seeds: no alignment, hidden
  units permuted, and permuted and sign-flipped (odd activations only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..budget import format_count
from ..fields import spec_for
from ..figures import edit_bytes, edit_series, network_blends, pixel_crossfades, plot_blends, plot_edit_strip
from ..images import resize
from ..metrics import format_db, psnr
from ..pixels import pixelate
from ..store import state_digest
from ..training import FitJob

if TYPE_CHECKING:
    from ..result import Fit
    from .context import Context

__all__ = ["ALIGN_LABELS", "BLEND_ALPHAS", "PRUNE_AMOUNTS", "QUANT_BITS", "build_edits", "pair_images"]

#: Fractions of the values pruned, one column each.
PRUNE_AMOUNTS = (0.0, 0.5, 0.8, 0.9, 0.95)
#: Bit depths quantised to, one column each (16 is a float16 cast).
QUANT_BITS = (16, 8, 6, 4, 3, 2)
#: Blend weights of the second endpoint, one column each.
BLEND_ALPHAS = (0.0, 0.25, 0.5, 0.75, 1.0)
#: Row names of the two-seed blends, by alignment.
ALIGN_LABELS = {"none": "no alignment", "permutation": "units, permuted", "permutation+sign": "permuted, + sign flips"}


def pair_images(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two images made into a blendable pair: one channel count, and ``a``'s height and width.

    Colour wins: if either image has colour both become RGB (a gray image's
    channel repeated; an alpha channel dropped). ``b`` is centre-cropped to
    ``a``'s aspect ratio (the largest such rectangle) and then resized to
    ``a``'s ``(h, w)`` (area averaging down, bicubic up).

    Parameters
    ----------
    a, b : (H, W, C) ndarray of float32
        Images in ``[0, 1]``.

    Returns
    -------
    (h, w, C) ndarray of float32, (h, w, C) ndarray of float32
        ``a`` (a new array only when its channels changed) and ``b``.
    """
    c = 3 if max(a.shape[2], b.shape[2]) >= 3 else 1
    a, b = _channels(a, c), _channels(b, c)
    h, w = a.shape[:2]
    bh, bw = b.shape[:2]
    if bh * w > bw * h:  # b is taller than a: crop rows
        ch, cw = max(1, round(bw * h / w)), bw
    else:
        ch, cw = bh, max(1, round(bh * w / h))
    y0, x0 = (bh - ch) // 2, (bw - cw) // 2
    return a, resize(np.ascontiguousarray(b[y0 : y0 + ch, x0 : x0 + cw]), (h, w))


def _channels(img: np.ndarray, c: int) -> np.ndarray:
    if img.shape[2] == c:
        return img
    if img.shape[2] == 1:
        return np.repeat(img, c, axis=2)
    return np.ascontiguousarray(img[..., :c])


def _initial_digest(img: np.ndarray, fit: Fit) -> str:
    """The digest of the weights :func:`pixparam.fit` starts from for ``img`` with ``fit``'s arch and seed."""
    job = FitJob.plan(img, fit.arch, seed=int(fit.config["seed"]), steps=1, device="cpu")
    return state_digest(job.model)


def _listing(values: dict[str, float]) -> str:
    return ", ".join(f"{k} {format_db(v)}" for k, v in values.items())


def _prune_numbers(series: dict[str, list]) -> dict[str, Any]:
    rows = {}
    for j, amount in enumerate(PRUNE_AMOUNTS):
        row = {k: series[k][j].psnr for k in ("network", "healed", "pixels")}
        best_net = max(row["network"], row["healed"])
        row["winner"] = "network" if best_net > row["pixels"] else "pixels"
        rows[f"{amount:g}"] = row
    return rows


def _quant_numbers(series: dict[str, list], sizes: dict[str, list]) -> dict[str, Any]:
    rows = {}
    for j, bits in enumerate(QUANT_BITS):
        row: dict[str, Any] = {
            "per_tensor": {"psnr": series["network"][j].psnr, "bytes": sizes["network"][j]},
            "per_channel": {"psnr": series["per_channel"][j].psnr, "bytes": sizes["per_channel"][j]},
            "pixels": {"psnr": series["pixels"][j].psnr, **{f"{k}_bytes": v for k, v in sizes["pixels"][j].items()}},
        }
        best_net = max(row["per_tensor"]["psnr"], row["per_channel"]["psnr"])
        row["winner"] = "network" if best_net > row["pixels"]["psnr"] else "pixels"
        rows[str(bits)] = row
    return rows


def _blend_winner(mid: dict[str, dict[str, float]]) -> str:
    """Who holds more halfway, against each image: ``mid`` is ``{"network": {image: dB}, "pixels": {image: dB}}``."""
    net_mid, pix_mid = mid["network"], mid["pixels"]
    pix_ahead = [r for r in net_mid if pix_mid[r] > net_mid[r]]
    if len(pix_ahead) == len(net_mid):
        return "the pixels win against both images"
    if not pix_ahead:
        return "the network wins against both images"
    net_ahead = [r for r in net_mid if r not in pix_ahead]
    return f"the pixels win against {', '.join(pix_ahead)} and the network against {', '.join(net_ahead)}"


def _wins(rows: dict[str, dict], unit: str) -> str:
    """Which side wins at each level: ``'the network wins at 50 %, 80 % pruned and the pixels win at ...'``."""
    label = (lambda k: f"{float(k):.0%}") if unit == "pruned" else str
    levels = [k for k in rows if unit != "pruned" or float(k) > 0]  # 0 % pruned is no edit
    net = [label(k) for k in levels if rows[k]["winner"] == "network"]
    pix = [label(k) for k in levels if rows[k]["winner"] == "pixels"]
    parts = []
    if net:
        parts.append(f"the network wins at {', '.join(net)} {unit}")
    if pix:
        parts.append(f"the pixels win at {', '.join(pix)} {unit}")
    return " and ".join(parts)


def build_edits(ctx: Context) -> dict[str, Any]:
    """Prune, quantise and blend a network, beside the same edits on its pixel counterpart.

    Parameters
    ----------
    ctx : Context
        The gallery build (profile, fit cache, figure saving).

    Returns
    -------
    dict
        ``caption``, ``figures`` and ``numbers`` (every number the caption
        shows, as measured).
    """
    p = ctx.profile
    family = "siren" if "siren" in p.families else p.families[0]
    name, budget = p.images[0], p.lens_budget
    a = ctx.ladder_fit(name, family, budget)
    img = ctx.image(name)
    figures = []

    pruned = edit_series(a, "prune", PRUNE_AMOUNTS, image=img, heal_steps=p.heal_steps)
    prune_rows = _prune_numbers(pruned)
    half = prune_rows["0.5"]
    alt = (
        f"Half of {family}'s values pruned: {format_db(half['healed'])} after healing against "
        f"{format_db(half['pixels'])} for the pixels' DCT twin; {_wins(prune_rows, 'pruned')}"
    )
    figures.append(ctx.save(plot_edit_strip(a, "prune", PRUNE_AMOUNTS, series=pruned), "edit-prune", alt=alt))
    quant = edit_series(a, "quantize", QUANT_BITS, image=img, per_channel=True)
    sizes = edit_bytes(quant)
    quant_rows = _quant_numbers(quant, sizes)
    four = quant_rows["4"]
    alt = (
        f"At 4 bits the network keeps {format_db(four['per_tensor']['psnr'])} per tensor and "
        f"{format_db(four['per_channel']['psnr'])} per channel, posterised pixels "
        f"{format_db(four['pixels']['psnr'])}; {_wins(quant_rows, 'bits')}"
    )
    fig = plot_edit_strip(a, "quantize", QUANT_BITS, series=quant, sizes=True)
    figures.append(ctx.save(fig, "edit-quantize", alt=alt))

    # Two different images from one random initialisation (the same seed), judged against both.
    other = p.images[1] if len(p.images) > 1 else None
    A, B = pair_images(img, ctx.image(other)) if other else (img, np.ascontiguousarray(img[:, ::-1]))
    name_b = other if other and other != name else f"{name} mirrored"
    fa = a if A is img else ctx.fit(A, budget, family)
    fb = ctx.fit(B, fa.arch)  # the profile's seed: the same initial weights as fa
    same_init = _initial_digest(A, fa) == _initial_digest(B, fb)
    refs = {name: A, name_b: B}
    pair = [
        network_blends(fa, fb, BLEND_ALPHAS, references=refs, label=f"{family} weights, one init"),
        pixel_crossfades(A, B, fa.n_params, BLEND_ALPHAS, references=refs, label="pixels, cross-fade"),
    ]
    title = f"{name} ↔ {name_b}, {A.shape[0]}×{A.shape[1]} px, {format_count(fa.n_params)} parameters or values"
    fig = plot_blends(pair, family=family, title=title)
    mid = {
        "network": {r: pair[0].at(r, 0.5) for r in refs},
        "pixels": {r: pair[1].at(r, 0.5) for r in refs},
    }
    alt = (
        f"Halfway between fits of {name} and {name_b} the blended weights hold {_listing(mid['network'])} and the "
        f"cross-faded pixels {_listing(mid['pixels'])}: {_blend_winner(mid)}"
    )
    figures.append(ctx.save(fig, "edit-blend", alt=alt))

    # One image, two seeds: does aligning hidden units help?
    fa2 = ctx.fit(A, fa.arch, seed=p.seed + 1)
    odd = spec_for(family).odd_activation
    modes = ["none", "permutation", *(["permutation+sign"] if odd else [])]
    seeds = [network_blends(fa, fa2, BLEND_ALPHAS, align=m, references={name: A}, label=ALIGN_LABELS[m]) for m in modes]
    flat = psnr(A, np.broadcast_to(A.mean(axis=(0, 1)), A.shape).astype(np.float32))
    pix = pixelate(A, fa.n_params).psnr
    base = {"pixel counterpart": pix, "flat mean colour": flat}
    fig = plot_blends(seeds, family=family, baselines=base, title=f"{name}: two seeds, aligned or not")
    seed_mid = {m: s.at(name, 0.5) for m, s in zip(modes, seeds, strict=True)}
    best = max((m for m in seed_mid if m != "none"), key=seed_mid.get)  # type: ignore[arg-type]
    gain = seed_mid[best] - seed_mid["none"]
    alt = (
        f"Halfway between two seeds' fits of {name}: {format_db(seed_mid['none'])} unaligned, "
        f"{format_db(seed_mid[best])} after {best} alignment, against {format_db(flat)} for a flat mean colour"
    )
    figures.append(ctx.save(fig, "edit-blend-seeds", alt=alt))
    numbers = {
        "family": family,
        "budget": budget,
        "n_params": a.n_params,
        "psnr": a.psnr,
        "heal_steps": p.heal_steps,
        "prune": prune_rows,
        "quantize": quant_rows,
        "blend_images": {
            "images": [name, name_b],
            "shape": list(A.shape),
            "seed": int(fa.config["seed"]),
            "same_init": same_init,
            "endpoints": {name: fa.psnr, name_b: fb.psnr},
            "psnr": {s.label: s.psnr for s in pair},
            "mid": mid,
        },
        "blend_seeds": {
            "seeds": [int(fa.config["seed"]), int(fa2.config["seed"])],
            "endpoints": [fa.psnr, fa2.psnr],
            "mid": seed_mid,
            "pixels": pix,
            "flat": flat,
            "best_alignment": best,
            "gain": gain,
        },
    }
    return {"caption": _caption(numbers, name, name_b), "figures": figures, "numbers": numbers}


def _caption(n: dict[str, Any], name: str, name_b: str) -> str:
    pr, qu, bi, bs = n["prune"], n["quantize"], n["blend_images"], n["blend_seeds"]
    signed = "permutation+sign" in bs["mid"]
    half, eight, four = pr["0.5"], qu["8"], qu["4"]
    net_mid, pix_mid = bi["mid"]["network"], bi["mid"]["pixels"]
    blend_winner = _blend_winner(bi["mid"])
    best = format_db(bs["mid"][bs["best_alignment"]])
    helps = "helps" if bs["gain"] > 0 else "does not help"
    verdict = f"alignment {helps} here (its best, {bs['best_alignment']}, gives {best})"
    above = ", ".join(m for m, v in bs["mid"].items() if v >= bs["flat"])
    below = not above
    init = "one common random initialisation (the same seed; identical initial weights)"
    if not bi["same_init"]:
        init = "the same seed (this family's initial values also depend on the image, so they differ)"
    return (
        f"A {format_count(n['n_params'])}-parameter {n['family']} ({format_db(n['psnr'])}) edited like an image, "
        f"beside the same edit on its pixel counterpart. Pruning (global magnitude) the smallest half of its "
        f"values leaves {format_db(half['network'])}, {format_db(half['healed'])} after {n['heal_steps']} steps "
        f"of healing with the mask kept; the pixels' twin, dropping the smallest half of their DCT coefficients, "
        f"leaves {format_db(half['pixels'])}. By PSNR {_wins(pr, 'pruned')}. Quantised to 8 "
        f"bits the network keeps {format_db(eight['per_tensor']['psnr'])} per tensor "
        f"({eight['per_tensor']['bytes']:,} B packed) and {format_db(eight['per_channel']['psnr'])} per channel "
        f"({eight['per_channel']['bytes']:,} B); at 4 bits {format_db(four['per_tensor']['psnr'])} "
        f"({four['per_tensor']['bytes']:,} B) and {format_db(four['per_channel']['psnr'])} "
        f"({four['per_channel']['bytes']:,} B), where posterised pixels hold {format_db(four['pixels']['psnr'])} "
        f"in {four['pixels']['raw_bytes']:,} B raw ({four['pixels']['png_bytes']:,} B as PNG); by PSNR "
        f"{_wins(qu, 'bits')}. Blending fits of {name} and {name_b} made from {init}: halfway, the weights "
        f"hold {_listing(net_mid)}, the cross-faded pixels {_listing(pix_mid)}: {blend_winner}."
        f" Between two seeds' fits of {name} the midpoint holds {format_db(bs['mid']['none'])} with no "
        f"alignment, {format_db(bs['mid']['permutation'])} with hidden units permuted by weight matching"
        + (f" and {format_db(bs['mid']['permutation+sign'])} permuted and sign-flipped" if signed else "")
        + f", so {verdict}; a flat image of the mean colour scores {format_db(bs['flat'])}, so "
        + ("every midpoint holds less than a flat image" if below else f"the midpoints above it are {above}")
        + ". benchmarks/siren_alignment.py repeats this over seeds on the tuning images."
    )
