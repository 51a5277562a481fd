"""Notebook displays: a fit's or pixels' image and numbers, and :func:`show`, the live viewer in an iframe."""

from __future__ import annotations

import html
import io
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..budget import format_count
from ..images import to_uint8
from .export import prepare_export, viewer_script

__all__ = ["DISPLAY_SIDE", "Viewer", "display_size", "fit_html", "image_png", "show"]

#: Notebook images are shown at least this many pixels on their longest side (a whole-number upscale).
DISPLAY_SIDE = 256


def display_size(shape: Sequence[int], side: int = DISPLAY_SIDE) -> tuple[int, int]:
    """``(h, w)`` scaled by the smallest whole number that makes the longest side at least ``side``.

    Parameters
    ----------
    shape : (H, W[, C])
        The image's shape.
    side : int
        The least longest side.

    Returns
    -------
    (int, int)
    """
    h, w = int(shape[0]), int(shape[1])
    k = max(1, math.ceil(side / max(h, w)))
    return h * k, w * k


def image_png(img: np.ndarray) -> bytes:
    """An ``(H, W, C)`` float image in ``[0, 1]`` as PNG bytes (8-bit; gray stays one channel).

    Parameters
    ----------
    img : (H, W, C) ndarray
        C in {1, 3, 4}.

    Returns
    -------
    bytes
    """
    from PIL import Image

    a = to_uint8(img)
    a = a[..., 0] if a.shape[2] == 1 else a
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format="PNG")
    return buf.getvalue()


def _metric(obj: Any, name: str) -> str:
    value = obj.metrics.get(name)
    if value is None and obj.image is not None:
        value = getattr(obj, name)
    if value is None:
        return "–"
    if name == "psnr":
        return "lossless" if value == float("inf") else f"{value:.2f} dB"
    return f"{value:.4f}"


def fit_html(fit: Any) -> str:
    """A fit's render beside its numbers, as an HTML fragment (``Fit._repr_html_``).

    Parameters
    ----------
    fit : Fit
        The fit.

    Returns
    -------
    str
    """
    import base64

    h, w, c = fit.image_shape
    png = base64.b64encode(fit._repr_png_()).decode("ascii")
    rows = [
        ("family", fit.family),
        ("architecture", fit.arch.describe()),
        ("parameters", f"{fit.n_params:,} ({format_count(fit.n_params)})"),
        ("stored", f"{fit.storage_bits // 8:,} bytes"),
        ("image", f"{h}×{w}×{c}"),
        ("PSNR", _metric(fit, "psnr")),
        ("SSIM", _metric(fit, "ssim")),
        ("steps", str(fit.config.get("steps", "–"))),
        ("training", f"{fit.seconds:.1f} s"),
        ("edits", ", ".join(str(e.get("name")) for e in fit.edits) or "none"),
    ]
    table = "".join(
        f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return (
        "<div class='pixparam-fit' style='display:flex;gap:16px;align-items:flex-start;flex-wrap:wrap'>"
        f"<img src='data:image/png;base64,{png}' alt='{html.escape(fit.caption())}' "
        "style='image-rendering:auto;max-width:100%'>"
        f"<table>{table}</table></div>"
    )


class Viewer:
    """The live viewer of some fits, for a notebook: it displays itself as an iframe.

    Parameters
    ----------
    page : str
        A complete page holding the viewer, its data inlined (kept as ``html``).
    height : int
        The iframe's height in CSS pixels.

    Attributes
    ----------
    html : str
        The page (no files, no server).
    height : int
        The iframe's height in CSS pixels.
    """

    def __init__(self, page: str, height: int) -> None:
        self.html = page
        self.height = height

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" style="width:100%;height:{self.height}px;'
            f'border:0" sandbox="allow-scripts allow-downloads" title="pixparam viewer"></iframe>'
        )


def _inline(text: str) -> str:
    return text.replace("</", "<\\/")


def show(
    fits: Any, *, image: Any = None, weights: str = "float16", pixels: bool = True, height: int | None = None
) -> Viewer:
    """The live viewer of ``fits`` inline in a notebook (an iframe ``srcdoc``; nothing is written).

    Parameters
    ----------
    fits : Fit or sequence of Fit
        The models.
    image : image source, optional
        The fitted image, for the pixel counterparts (default: each fit's ``image``).
    weights : {"float16", "float32"}
        How the weights travel (as for :func:`pixparam.export_web`).
    pixels : bool
        Show the pixel counterparts.
    height : int, optional
        The iframe's height in CSS pixels (default: from the image's aspect).

    Returns
    -------
    Viewer
        Displays itself (``_repr_html_``) when it is the cell's value.
    """
    export = prepare_export(fits, image=image, weights=weights, pixels=pixels)
    first = export.manifest["models"][0]["image_shape"]
    if height is None:
        height = int(min(720, max(360, 560 * first[0] / first[1] + 130)))
    data = "".join(f"<script>{_inline(t)}</script>\n" for t in export.data_scripts().values())
    page = (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<style>body{margin:0;padding:4px 8px;font:14px system-ui,sans-serif}</style>"
        f"<script>{_inline(viewer_script())}</script>\n{data}</head>"
        '<body><pixparam-viewer src="models.json"></pixparam-viewer></body></html>'
    )
    return Viewer(page, height)
