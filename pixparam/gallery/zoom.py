"""The gallery's zoom section: the same crops of the original, a network drawn 8× finer, and bicubic pixels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..budget import format_count
from ..metrics import format_db

if TYPE_CHECKING:
    from .context import Context

__all__ = ["CROPS", "SCALE", "build_zoom"]

#: How much finer than the image the crops are drawn.
SCALE = 8
#: Named crops of the samples, as (top, left, height, width) fractions; an image not listed gets its centre.
CROPS: dict[str, dict[str, tuple[float, float, float, float]]] = {
    "astronaut": {"eyes": (0.15, 0.38, 0.1, 0.18), "mission patch": (0.66, 0.27, 0.13, 0.14)},
    "camera": {"face": (0.17, 0.42, 0.14, 0.14), "the camera": (0.26, 0.52, 0.14, 0.16)},
    "coffee": {"spoon": (0.62, 0.55, 0.2, 0.16), "rim of the cup": (0.04, 0.32, 0.14, 0.22)},
    "chelsea": {"eyes": (0.34, 0.28, 0.18, 0.46), "nose": (0.72, 0.5, 0.16, 0.18)},
    "rocket": {"the rocket": (0.3, 0.44, 0.2, 0.12), "pad lights": (0.82, 0.16, 0.16, 0.26)},
    "moon": {"crater": (0.08, 0.16, 0.14, 0.16)},
}


def build_zoom(ctx: Context) -> dict[str, Any]:
    """The best network at the lens budget drawn 8× finer than the image, beside the original and bicubic pixels.

    Parameters
    ----------
    ctx : Context
        The build's context.

    Returns
    -------
    dict
        ``caption``, ``figures`` and ``numbers``.
    """
    from ..figures.zoom import plot_zoom

    p = ctx.profile
    name, b = p.images[0], p.lens_budget
    img = ctx.image(name)
    fits = {fam: ctx.ladder_fit(name, fam, b) for fam in p.families}
    best = max(fits.values(), key=lambda f: f.psnr)
    pix = ctx.pixels(name, b)
    crops = CROPS.get(str(name), {"centre": (0.375, 0.375, 0.25, 0.25)})
    h, w = img.shape[:2]
    fig = plot_zoom(img, best, pix, crops, scale=SCALE, title=f"{name}: {SCALE}× finer than its {h}×{w} pixels")
    names = " and ".join(crops)
    ahead = "the network scores" if best.psnr > pix.psnr else "the pixels score"
    alt = (
        f"{name}, {names}, {SCALE}× finer: {best.family} ({format_db(best.psnr)}) beside bicubic pixels "
        f"({format_db(pix.psnr)}); at the image's own resolution {ahead} higher"
    )
    figure = ctx.save(fig, "zoom", alt=alt)
    caption = (
        f"The {names} of {name}, drawn {SCALE}× finer than its {h}×{w} pixels. Left to right: where the crop is, "
        f"the original's pixels as blocks (there is nothing finer to show), the best network at "
        f"{format_count(b)} parameters, {best.family} ({format_count(best.n_params)} parameters, "
        f"{format_db(best.psnr)} at the image's own resolution), evaluated on the {SCALE}× finer grid, and its "
        f"pixel counterpart ({pix.shape[0]}×{pix.shape[1]} px, {format_db(pix.psnr)}) upsampled bicubic. Nothing "
        f"finer than the original exists, so nothing at {SCALE}× is scored: what either draws between the "
        "original's pixels is its own interpolation."
    )
    numbers = {
        "image": name,
        "budget": b,
        "family": best.family,
        "psnr": best.psnr,
        "pixels_psnr": pix.psnr,
        "pixels_shape": list(pix.shape),
        "scale": SCALE,
        "crops": {k: list(v) for k, v in crops.items()},
    }
    return {"caption": caption, "figures": [figure], "numbers": numbers}
