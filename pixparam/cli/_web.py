"""``pixparam export``: checkpoints as a folder the browser evaluates (``pp.export_web``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> None:
    """Add ``export``."""
    p = sub.add_parser(
        "export",
        help="write a web viewer folder: index.html, pixparam-viewer.js and the weights",
        description="Write MODEL... (checkpoints from pixparam fit -o) as a self-contained folder whose "
        "<pixparam-viewer> evaluates the networks in WebGL2 (pp.export_web). Open DIR/index.html, or copy DIR "
        'next to a page and add <script src="pixparam-viewer.js" defer></script> and '
        '<pixparam-viewer src="models.json"></pixparam-viewer>.',
    )
    p.add_argument("models", type=Path, nargs="+", metavar="MODEL", help="checkpoints (.safetensors)")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="DIR", help="folder to write (created)")
    p.add_argument("--image", default=None, help="the fitted image (file or sample), for the pixel counterparts")
    p.add_argument("--size", default=None, help="resize --image first: longest side or HxW")
    p.add_argument("--weights", choices=["float16", "float32"], default="float16", help="stored type (float16)")
    p.add_argument("--no-pixels", dest="pixels", action="store_false", help="leave out the pixel counterparts")
    p.add_argument("--title", default="", help="the page title")
    p.set_defaults(run=cmd_export)


def cmd_export(a: argparse.Namespace) -> None:
    from ..errors import OutputError
    from ..images import load_image
    from ..store import load
    from ..web import check_export_folder, export_web
    from . import _args as argtypes

    out = check_export_folder(a.output)
    inputs = [*a.models, *([Path(a.image)] if a.image is not None and Path(a.image).is_file() else [])]
    for path in inputs:
        if path.resolve().is_relative_to(out.resolve()):
            raise OutputError(
                f"{str(path)!r} is inside -o {str(out)!r}, which the export replaces; pass another output folder"
            )
    image = None if a.image is None else load_image(a.image, size=None if a.size is None else argtypes.size(a.size))
    fits = [load(m, device="cpu") for m in a.models]
    export_web(fits, out, image=image, weights=a.weights, pixels=a.pixels, title=a.title)
    total = sum(f.stat().st_size for f in out.iterdir())
    print(
        f"exported {len(fits)} model{'s' * (len(fits) > 1)} to {out}: {total / 1e3:.1f} KB; open {out / 'index.html'}"
    )
