"""The gallery's sections: each makes its figures and a caption whose numbers come from its measurements.

Every ``build_<name>(ctx)`` returns a dict with ``caption`` (one paragraph),
``figures`` (files relative to the gallery folder) and ``numbers`` (every
number the caption shows, as measured), which the builder stores in
``results.json`` and renders into ``README.md`` and ``index.html``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..budget import format_count
from ..figures.style import format_budget
from ..metrics import format_db
from .experiments import build_crowding, build_generalisation, build_scaling

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


def build_capacity(ctx: Context) -> dict[str, Any]:
    """PSNR/SSIM against values for each family, pixels and JPEG, with power laws and crossovers."""
    from ..capacity import crossovers
    from ..figures import capacity_curve

    p = ctx.profile
    name = p.images[0]
    fits = [ctx.ladder_fit(name, f, b) for b in p.budgets for f in p.families]
    fig, records = capacity_curve(ctx.image(name), list(p.budgets), list(p.families), fits=fits, return_records=True)
    figure = ctx.save(fig, "capacity", alt=f"{name}: quality against number of values", svg=True)
    found = {against: crossovers(records, against=against) for against in ("pixels/values", "pixels/bits32")}
    parts = []
    for against, label in (("pixels/values", "equal values"), ("pixels/bits32", "equal bytes")):
        said = [_crossing(fam, c) for fam, c in found[against].items()]
        parts.append(f"at {label}, " + "; ".join(said))
    caption = (
        f"Quality against the number of stored values on {name} ({p.size} px), log scale: every family at "
        f"every budget, the pixel counterpart (area-down, bicubic-up) at equal values and at equal bytes "
        "(8-bit pixels against 32-bit parameters), and JPEG at no more bytes than the parameters take. "
        "Lines are least-squares fits of PSNR = a + b·log10 N, which is a power law in the mean squared "
        "error. Over the budgets measured, " + "; ".join(parts) + "."
    )
    return {"caption": caption, "figures": [figure], "numbers": {"records": records, "crossovers": found}}


def _crossing(family: str, c: dict[str, Any]) -> str:
    """One clause for a :func:`pixparam.capacity.crossovers` entry."""
    status = c["status"]
    if status == "overtakes":
        return f"{family} overtakes pixels at about {format_count(c['n'])} values"
    if status == "falls behind":
        return f"{family} falls behind pixels above about {format_count(c['n'])} values"
    if status == "ahead throughout":
        return f"{family} is ahead at every budget"
    if status == "never in range":
        return f"{family} stays below pixels"
    return f"{family}: no law fitted (too few unsaturated points on one of the two curves)"


def build_edits(ctx: Context) -> dict[str, Any]:
    """Prune, quantise and blend a network, beside the same edits on its pixel counterpart."""
    from .. import edit
    from ..figures import edit_series, plot_blend_strip, plot_edit_strip

    p = ctx.profile
    name, b = p.images[0], p.lens_budget
    a = ctx.ladder_fit(name, "siren", b) if "siren" in p.families else ctx.ladder_fit(name, p.families[0], b)
    img = ctx.image(name)
    prune_at, bits = (0.0, 0.5, 0.8, 0.9, 0.95), (16, 8, 6, 4, 3, 2)
    figures = [
        ctx.save(plot_edit_strip(a, "prune", prune_at), "edit-prune", alt="magnitude pruning, network and pixels"),
        ctx.save(plot_edit_strip(a, "quantize", bits), "edit-quantize", alt="quantisation, network and pixels"),
    ]
    other = ctx.fit(img, a.arch, seed=p.seed + 1)
    shared = ctx.fit(img, a.arch, seed=p.seed + 1, init_from=a)
    figures.append(ctx.save(plot_blend_strip(a, other, shared=shared), "edit-blend", alt="weight-space blends"))
    pruned = edit_series(a, "prune", [0.5], image=img, heal_steps=p.heal_steps)
    quant = edit_series(a, "quantize", [4], image=img)
    mids = {
        "independent": edit.blend(a, other, 0.5, align=False).psnr,
        "aligned": edit.blend(a, other, 0.5, align=True).psnr,
        "shared init": edit.blend(a, shared, 0.5, align=False).psnr,
    }
    numbers = {
        "family": a.family,
        "budget": b,
        "psnr": a.psnr,
        "prune50": {k: v[0].psnr for k, v in pruned.items()},
        "bits4": {k: v[0].psnr for k, v in quant.items()},
        "blend_mid": mids,
    }
    caption = (
        f"A {format_count(a.n_params)}-parameter {a.family} ({db(a.psnr)}) edited like an image, beside the "
        f"same edit on its pixel counterpart. Zeroing the smallest half of its weights (global magnitude "
        f"pruning) leaves {db(numbers['prune50']['network'])}, {db(numbers['prune50']['healed'])} after "
        f"{p.heal_steps} steps of healing with the mask kept, where dropping half the pixels' smallest DCT "
        f"coefficients leaves {db(numbers['prune50']['pixels'])}. At 4 bits per value the network keeps "
        f"{db(numbers['bits4']['network'])} and posterised pixels {db(numbers['bits4']['pixels'])}. Halfway "
        f"between two fits from different seeds the blended weights give {db(mids['independent'])} "
        f"({db(mids['aligned'])} after aligning hidden units by weight matching); between fits that share a "
        f"starting point, {db(mids['shared init'])}."
    )
    return {"caption": caption, "figures": figures, "numbers": numbers}


def build_films(ctx: Context) -> dict[str, Any]:
    """The reconstruction developing during training, as GIFs and contact sheets."""
    from ..figures import plot_film

    p = ctx.profile
    name, b = p.images[0], p.lens_budget
    families = [f for f in ("siren", "hashgrid") if f in p.families] or [p.families[0]]
    figures, finals = [], {}
    for fam in families:
        film = ctx.film(name, fam, b)
        finals[fam] = {"psnr": film.psnr[-1], "frames": len(film.frames), "every": p.film_every}
        figures.append({"gif": film.path.name, "alt": f"{fam} learning {name}"})  # type: ignore[union-attr]
        figures.append(ctx.save(plot_film(film), f"film-{fam}-sheet", alt=f"{fam}: frames and PSNR against step"))
    listing = "; ".join(f"{fam} ends at {db(v['psnr'])}" for fam, v in finals.items())
    caption = (
        f"{format_budget(b)}-parameter networks learning the {p.size}-px {name}, a frame every {p.film_every} "
        f"of {p.film_steps} steps with the PSNR of each frame: {listing}."
    )
    return {"caption": caption, "figures": figures, "numbers": finals}


def _shape(ctx: Context, name: str) -> str:
    h, w, _ = ctx.image(name).shape
    return f"{h}×{w} px"


def slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in str(name)).strip("-").lower() or "image"


#: Section name -> builder: ``builder(context)`` returns the section's ``caption``, ``figures`` and ``numbers``.
BUILDERS: dict[str, Callable[[Context], dict[str, Any]]] = {
    "pixels": build_pixels,
    "lens": build_lens,
    "capacity": build_capacity,
    "edits": build_edits,
    "films": build_films,
    "crowding": build_crowding,
    "generalisation": build_generalisation,
    "scaling": build_scaling,
}
