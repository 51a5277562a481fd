"""``pixparam gallery``: regenerate the gallery."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ._outputs import cache_folder


def add_parser(sub: Any) -> None:
    """Add ``gallery``."""
    from ..gallery.spec import PROFILES
    from ..gallery.story import SECTIONS

    g = sub.add_parser(
        "gallery",
        help="regenerate the gallery: figures, results.json, README.md, index.html",
        description="Fit (or reuse from the cache) every network the gallery shows, draw each section, and write "
        "results.json, README.md and index.html.",
    )
    g.add_argument("--out", type=Path, default=Path("gallery"), help="gallery folder (default gallery/)")
    g.add_argument(
        "--profile",
        choices=list(PROFILES),
        default=None,
        help="quick (CPU, minutes), standard (256 px, budgets to 64k) or full (GPU); "
        "default: full when CUDA is present, else quick, and never one that replaces a gallery of another profile",
    )
    g.add_argument(
        "--only",
        action="append",
        choices=[s.name for s in SECTIONS],
        default=None,
        help="build only this section (repeatable); the others keep their entries",
    )
    g.add_argument(
        "--missing",
        action="store_true",
        help="build only the sections OUT/results.json does not have yet (same profile and version): "
        "rerun with it to finish a build that was cut short",
    )
    g.add_argument("--cache", type=Path, default=None, help="folder of cached fits (default OUT/.cache)")
    g.add_argument("--device", default="auto")
    g.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    g.set_defaults(run=cmd_gallery)


def cmd_gallery(a: argparse.Namespace) -> None:
    from ..gallery import build_gallery

    cache_folder(a.out, "--out")
    cache_folder(a.cache)
    results = build_gallery(
        a.out, a.profile, only=a.only, missing=a.missing, cache=a.cache, device=a.device, progress=not a.quiet
    )
    m = results["meta"]
    print(
        f"gallery ({results['profile']['name']}) written to {a.out}: {len(results['sections'])} sections, "
        f"{m['fits_trained']} fits trained, {m['fits_reused']} reused, {m['seconds']:.0f} s"
    )
