"""The gallery's sections: each makes its figures and a caption whose numbers come from its measurements.

Every ``build_<name>(ctx)`` returns a dict with ``caption`` (one paragraph),
``figures`` (files relative to the gallery folder) and ``numbers`` (every
number the caption shows, as measured), which the builder stores in
``results.json`` and renders into ``README.md`` and ``index.html``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..figures.style import format_budget
from ..metrics import format_db
from .capacity import build_capacity, build_hero
from .edits import build_edits
from .experiments import build_crowding, build_generalisation
from .films import build_films
from .scaling import build_scaling
from .zoom import build_zoom

if TYPE_CHECKING:
    from .context import Context

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
    figures, ladders = [], {}
    for name in p.images:
        fits = [ctx.ladder_fit(name, f, b) for b in p.budgets for f in p.families]
        fig = compare(ctx.image(name), fits, title=f"{name}, {_shape(ctx, name)}")
        ladders[name] = _ladder_verdict(ctx, name)
        figures.append(ctx.save(fig, f"pixels-{slug(name)}", alt=_pixels_alt(name, ladders[name])))
    name, lo, hi = p.images[0], p.budgets[0], p.budgets[-1]
    numbers: dict[str, Any] = {"image": name, "ladders": ladders}
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
    psnrs = {f.family: f.psnr for f in fits}
    pix = ctx.pixels(name, b)
    ranked = sorted(psnrs, key=psnrs.get, reverse=True)  # type: ignore[arg-type]
    below = [fam for fam in ranked if psnrs[fam] < pix.psnr]
    alt = (
        f"{name} at {format_budget(b)} parameters: {ranked[0]} scores highest ({db(psnrs[ranked[0]])}), "
        f"{ranked[-1]} lowest ({db(psnrs[ranked[-1]])}); "
        + (f"{', '.join(below)} {'falls' if len(below) == 1 else 'fall'} below the pixel counterpart "
           f"({db(pix.psnr)})" if below
           else f"every family beats the pixel counterpart ({db(pix.psnr)})")
    )  # fmt: skip
    figure = ctx.save(fig, "lens", alt=alt)
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


def _ladder_verdict(ctx: Context, name: str) -> dict[str, Any]:
    """Per budget of one image's ladder: the best network, its PSNR, the pixel counterpart's, who wins."""
    out = {}
    for b in ctx.profile.budgets:
        fam, best = _best(ctx, name, b)
        pix = ctx.pixels(name, b).psnr
        out[str(b)] = {"best_family": fam, "best_psnr": best, "pixels_psnr": pix, "network_wins": bool(best > pix)}
    return out


def _pixels_alt(name: str, ladder: dict[str, Any]) -> str:
    """The ladder's finding in a sentence: at how many budgets the best network beats the pixel counterpart."""
    won = sum(v["network_wins"] for v in ladder.values())
    b, top = next(reversed(ladder.items()))
    at = f"at {format_budget(int(b))}, {top['best_family']} {db(top['best_psnr'])} against {db(top['pixels_psnr'])}"
    if not won:
        return f"{name}: the pixel counterpart beats every network at every budget; {at}"
    return f"{name}: the best network beats its pixel counterpart at {won} of {len(ladder)} budgets; {at}"


def _shape(ctx: Context, name: str) -> str:
    h, w, _ = ctx.image(name).shape
    return f"{h}×{w} px"


def slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in str(name)).strip("-").lower() or "image"


#: Section name -> builder: ``builder(context)`` returns the section's ``caption``, ``figures`` and ``numbers``.
BUILDERS: dict[str, Callable[[Context], dict[str, Any]]] = {
    "hero": build_hero,
    "pixels": build_pixels,
    "lens": build_lens,
    "zoom": build_zoom,
    "capacity": build_capacity,
    "edits": build_edits,
    "films": build_films,
    "crowding": build_crowding,
    "generalisation": build_generalisation,
    "scaling": build_scaling,
}
