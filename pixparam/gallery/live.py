"""The gallery's live viewer: its first image's budget ladders, every family, evaluated in the browser.

The page's comparison shows renders; this folder (``viewer/``, written by
:func:`pixparam.export_web`) holds the networks themselves, so a reader
zooms into the network and into the pixels at any scale.
"""

from __future__ import annotations

from typing import Any

from ..web import export_web

__all__ = ["write_live_viewer"]

#: The folder, inside the gallery, that holds the live viewer.
VIEWER_FOLDER = "viewer"


def write_live_viewer(ctx: Any) -> dict[str, Any]:
    """Export every family's ladder of the profile's first image to ``<gallery>/viewer/``.

    Parameters
    ----------
    ctx : pixparam.gallery.build.Context
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
