"""The gallery's sections: each makes its figures and a caption whose numbers come from its measurements.

Every ``build_<name>(ctx)`` returns a dict with ``caption`` (one paragraph),
``figures`` (files relative to the gallery folder) and ``numbers`` (every
number the caption shows, as measured), which the builder stores in
``results.json`` and renders into ``README.md`` and ``index.html``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..budget import format_count
from ..figures.style import format_budget
from ..metrics import format_db
from .capacity import build_capacity, build_hero
from .edits import build_edits
from .films import build_films

if TYPE_CHECKING:
    from .build import Context

__all__ = ["BUILDERS", "db"]


db = format_db  # captions print PSNR as '27.3 dB', or 'lossless'


def _best(ctx: Context, image: str, budget: int) -> tuple[str, float]:
    fits = {f: ctx.ladder_fit(image, f, budget) for f in ctx.profile.families}
    family = max(fits, key=lambda f: fits[f].psnr)
    return family, fits[family].psnr


def build_pixels(ctx: Context) -> dict[str, Any]:
    """Comparison strips over the budget ladder, one per image."""
    from ..figures import compare

    p = ctx.profile
    figures = []
    for name in p.images:
        fits = [ctx.ladder_fit(name, f, b) for b in p.budgets for f in p.families]
        fig = compare(ctx.image(name), fits, title=f"{name}, {_shape(ctx, name)}")
        figures.append(ctx.save(fig, f"pixels-{slug(name)}", alt=f"{name}: networks beside pixel counterparts"))
    name, lo, hi = p.images[0], p.budgets[0], p.budgets[-1]
    numbers: dict[str, Any] = {"image": name}
    sentences = []
    for b in (lo, hi):
        fam, best = _best(ctx, name, b)
        pix = ctx.pixels(name, b)
        numbers[str(b)] = {"best_family": fam, "best_psnr": best, "pixels_psnr": pix.psnr, "pixels_shape": pix.shape}
        sentences.append(
            f"at {format_budget(b)} parameters the best network ({fam}) reaches {db(best)} and its pixel "
            f"counterpart ({pix.shape[0]}×{pix.shape[1]} px) {db(pix.psnr)}"
        )
    caption = (
        "Each column is one budget. Every network has exactly that many trainable parameters or a few fewer, "
        "never more; the bottom row is the same image area-downsampled to at most as many values, drawn as "
        f"blocks. PSNR and SSIM are measured against the {p.size}-px image. On {name}, " + "; ".join(sentences) + "."
    )
    return {"caption": caption, "figures": figures, "numbers": numbers}


def build_lens(ctx: Context) -> dict[str, Any]:
    """Same budget, same image, every family: the lens decides what the parameters can hold."""
    from ..figures import plot_families

    p = ctx.profile
    name, b = p.images[0], p.lens_budget
    fits = [ctx.ladder_fit(name, f, b) for f in p.families]
    fig = plot_families(ctx.image(name), fits, title=f"{name}, {_shape(ctx, name)}")
    figure = ctx.save(fig, "lens", alt=f"{name}: every family at {format_budget(b)} parameters, with error maps")
    psnrs = {f.family: f.psnr for f in fits}
    pix = ctx.pixels(name, b)
    ranked = sorted(psnrs, key=psnrs.get, reverse=True)  # type: ignore[arg-type]
    listing = ", ".join(f"{fam} {db(psnrs[fam])}" for fam in ranked)
    caption = (
        f"{format_budget(b)} parameters each, fitted to the same {p.size}-px {name}: {listing}; the pixel "
        f"counterpart holds {db(pix.psnr)}. The family is the lens through which parameters become pixels: "
        "a plain ReLU MLP on raw coordinates is biased towards smooth functions (spectral bias), while sine "
        "activations, Fourier features and hash grids let the same count hold detail. Error maps share one "
        "colour scale."
    )
    numbers = {"image": name, "budget": b, "psnr": psnrs, "pixels_psnr": pix.psnr}
    return {"caption": caption, "figures": [figure], "numbers": numbers}


def _shape(ctx: Context, name: str) -> str:
    h, w, _ = ctx.image(name).shape
    return f"{h}×{w} px"


def slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in str(name)).strip("-").lower() or "image"


def _experiment_cache(ctx: Context) -> Any:
    return None if ctx.cache.root is None else ctx.cache.root / "experiments"


def _mean_by(records: list[dict[str, Any]], key: str, value: str) -> dict[Any, float]:
    groups: dict[Any, list[float]] = {}
    for r in records:
        groups.setdefault(r[key], []).append(r[value])
    return {k: float(np.mean(v)) for k, v in sorted(groups.items())}


def build_crowding(ctx: Context) -> dict[str, Any]:
    """One budget shared by K images: clarity against K, for networks and for pixels."""
    from ..experiments import crowding, plot_crowding, tiles

    s = ctx.profile.settings("crowding")
    name = ctx.profile.images[0]
    result = crowding(
        tiles(name, max(s["ks"]), size=s["size"]),
        [s["budget"]],
        s["families"],
        ks=s["ks"],
        steps=s["steps"],
        device=ctx.device,
        cache=_experiment_cache(ctx),
        progress=False,
    )
    ctx.bar.update(1)
    figure = ctx.save(plot_crowding(result), "crowding", alt="K images in one budget, networks and pixels")
    table = {fam: _mean_by(result.select(family=fam), "k", "psnr") for fam in [*s["families"], "pixels"]}
    ks = list(table["pixels"])
    rows = "; ".join(f"{fam} {' → '.join(db(table[fam][k]) for k in ks)}" for fam in [*s["families"], "pixels"])
    # dB lost per doubling of K, from the first K at which every series is finite (pixels may be lossless at K=1)
    k0 = next((k for k in ks if all(np.isfinite(table[f][k]) for f in table)), None)
    k1 = ks[-1]
    drop = {f: (table[f][k0] - table[f][k1]) / np.log2(k1 / k0) for f in table} if k0 and k1 > k0 else {}
    rates = "; ".join(f"{f} {drop[f]:.1f} dB" for f in drop)
    caption = (
        f"{max(ks)} tiles of {name} ({s['size']} px each) are stored in {format_budget(s['budget'])} "
        f"values at a time, K tiles per network (the tile index enters through a learned embedding whose "
        f"parameters count), or K tiles per {format_budget(s['budget'])} pixel values. Mean PSNR per tile for "
        f"K = {', '.join(map(str, ks))}: {rows}. Both lose clarity as K grows"
        + (f"; per doubling of K from {k0} to {k1} the loss is {rates}." if drop else ".")
    )
    numbers = {"psnr": table, "db_per_doubling": drop, "settings": s}
    return {"caption": caption, "figures": [figure], "numbers": numbers}


def build_generalisation(ctx: Context) -> dict[str, Any]:
    """Train on half the pixels, test on the rest, across the interpolation threshold."""
    from ..experiments import generalisation, plot_generalisation

    s = ctx.profile.settings("generalisation")
    name = s.get("image", ctx.profile.images[0])
    result = generalisation(
        ctx.image_at(name, s["size"]),
        s["budgets"],
        s["families"],
        train_fraction=s["train_fraction"],
        noise=s["noise"],
        steps=s["steps"],
        seeds=s["seeds"],
        device=ctx.device,
        cache=_experiment_cache(ctx),
        progress=False,
    )
    ctx.bar.update(1)
    figure = ctx.save(plot_generalisation(result), "generalisation", alt="train and held-out PSNR against budget")
    threshold = result.meta["threshold"]
    test = {fam: _mean_by(result.select(family=fam), "n_params", "test_psnr") for fam in s["families"]}
    parts = []
    for fam, by_p in test.items():
        worst = min(by_p, key=by_p.get)  # type: ignore[arg-type]
        parts.append(
            f"{fam}'s held-out PSNR runs {' → '.join(db(v) for v in by_p.values())}, lowest at "
            f"{format_count(worst)} parameters ({worst / threshold:.2f}× the threshold)"
        )
    caption = (
        f"{name} at {s['size']} px; each network trains on a random {s['train_fraction']:.0%} of the pixels"
        + (f" with Gaussian noise of σ = {s['noise']:g} added" if s["noise"] else "")
        + f" and is tested on the others, {len(result.meta['seeds'])} seeds (bands: ± one standard deviation). "
        f"The interpolation threshold, where parameters equal training values, is {threshold:,}. "
        + "; ".join(parts)
        + "."
    )
    return {"caption": caption, "figures": [figure], "numbers": {"test_psnr": test, "threshold": threshold}}


def build_scaling(ctx: Context) -> dict[str, Any]:
    """Power laws L(P) = E + A·P^-α for networks and pixels, the exchange rate, and the compute frontier."""
    from ..experiments import plot_scaling, scaling

    s = ctx.profile.settings("scaling")
    name = ctx.profile.images[0]
    result = scaling(
        ctx.image_at(name, s["size"]),
        s["budgets"],
        s["families"],
        steps=s["steps"],
        device=ctx.device,
        cache=_experiment_cache(ctx),
        progress=False,
    )
    ctx.bar.update(1)
    figure = ctx.save(plot_scaling(result), "scaling", alt="loss against parameters, with fitted power laws")
    laws = [law for law in result.tables["laws"] if "alpha" in law]
    said = [
        f"{law['family']} α = {law['alpha']:.2f} [{law['alpha_lo']:.2f}, {law['alpha_hi']:.2f}]"
        + (f" at {law['steps']} steps" if law.get("steps") is not None and law["family"] != "pixels" else "")
        for law in laws
    ]
    caption = (
        f"Mean squared error against the number of values on {name} at {s['size']} px, fitted with "
        f"L(P) = E + A·P^-α (scipy curve_fit on log L; 95 % intervals from the covariance; a pure power law "
        f"where the floor E cannot be identified): {'; '.join(said)}. The figure also shows the exchange rate "
        "(pixel values worth one parameter at equal PSNR) and, for a fixed compute C ≈ 6·P·steps·pixels, "
        "the compute-optimal frontier over the grid of budgets and steps."
    )
    numbers = {"laws": laws, "exchange": result.tables.get("exchange", []), "frontier": result.tables.get("frontier")}
    return {"caption": caption, "figures": [figure], "numbers": numbers}


#: Section name -> builder: ``builder(context)`` returns the section's ``caption``, ``figures`` and ``numbers``.
BUILDERS: dict[str, Callable[[Context], dict[str, Any]]] = {
    "hero": build_hero,
    "pixels": build_pixels,
    "lens": build_lens,
    "capacity": build_capacity,
    "edits": build_edits,
    "films": build_films,
    "crowding": build_crowding,
    "generalisation": build_generalisation,
    "scaling": build_scaling,
}
