"""The page's interactive parts: the network-or-pixels comparison's renders, and the live viewer.

The comparison shows renders at the fitted size (:func:`interactive_panels`);
the live viewer's folder (``viewer/``, written by :func:`pixparam.export_web`,
:func:`write_live_viewer`) holds the networks themselves, so a reader zooms
into the network and into the pixels at any scale.
"""

from __future__ import annotations

from typing import Any

from ..images import save_image
from ..web import export_web
from .sections import slug

__all__ = ["interactive_panels", "write_live_viewer"]

#: The folder, inside the gallery, that holds the live viewer.
VIEWER_FOLDER = "viewer"


def write_live_viewer(ctx: Any) -> dict[str, Any]:
    """Export every family's ladder of the profile's first image to ``<gallery>/viewer/``.

    Parameters
    ----------
    ctx : pixparam.gallery.context.Context
        The build's context (its fits are already trained and cached).

    Returns
    -------
    dict
        ``{"src": "viewer/index.html", "image": name, "models": count}`` for the page and ``results.json``.
    """
    p = ctx.profile
    name = p.images[0]
    fits = [ctx.ladder_fit(name, fam, b) for fam in p.families for b in p.budgets]
    export_web(fits, ctx.out / VIEWER_FOLDER, image=ctx.image(name), title=f"pixparam gallery · {name}, live")
    return {"src": f"{VIEWER_FOLDER}/index.html", "image": name, "models": len(fits)}


def interactive_panels(ctx: Any) -> dict[str, Any]:
    """Renders and numbers for the page's comparison: every image × family × budget, and the pixels.

    Each pixel counterpart is written twice, as blocks and upsampled bicubic
    (the image its PSNR and SSIM are of), for the page's toggle.

    Parameters
    ----------
    ctx : pixparam.gallery.context.Context
        The build's context (its fits are already trained and cached).

    Returns
    -------
    dict
        ``images``, ``shapes``, ``families``, ``budgets``, ``size`` and ``panels``
        (image → budget → family or ``"pixels"`` → ``src``, numbers), for the page and ``results.json``.
    """
    p = ctx.profile
    folder = ctx.out / "interactive"
    folder.mkdir(exist_ok=True)
    panels: dict[str, Any] = {}
    for name in p.images:
        per_budget: dict[str, Any] = {}
        for b in p.budgets:
            entry: dict[str, Any] = {}
            for fam in p.families:
                f = ctx.ladder_fit(name, fam, b)
                src = f"interactive/{slug(name)}-{fam}-{b}.png"
                save_image(f.render(), ctx.out / src)
                entry[fam] = {"src": src, "psnr": f.psnr, "ssim": f.ssim, "n": f.n_params, "id": f"{name}/{fam}/{b}"}
            pix = ctx.pixels(name, b)
            src = f"interactive/{slug(name)}-pixels-{b}.png"
            smooth = f"interactive/{slug(name)}-pixels-{b}-bicubic.png"
            save_image(pix.render(mode="nearest"), ctx.out / src)
            save_image(pix.render(mode="bicubic"), ctx.out / smooth)  # what the PSNR and SSIM are of
            entry["pixels"] = {
                "src": src,
                "smooth": smooth,
                "psnr": pix.psnr,
                "ssim": pix.ssim,
                "n": pix.n_values,
                "shape": pix.shape,
            }
            per_budget[str(b)] = entry
        panels[name] = per_budget
    return {
        "images": list(p.images),
        "shapes": {name: list(ctx.image(name).shape[:2]) for name in p.images},
        "families": list(p.families),
        "budgets": list(p.budgets),
        "size": p.size,
        "panels": panels,
    }
