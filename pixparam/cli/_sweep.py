"""``pixparam sweep``: a grid of fits from a TOML spec, resumable, on local workers or a Ray cluster."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ._outputs import cache_folder


def add_parser(sub: Any) -> None:
    """Add ``sweep``."""
    s = sub.add_parser(
        "sweep",
        help="fit a grid of images × sizes × budgets × families × seeds × steps from a TOML spec",
        description="Fit every combination a TOML spec lists (keys: images, size, budgets, families, seeds, "
        "steps; optional [options] and [[edits]]) and write OUT/results.csv, one row per fit. Fits are kept in "
        "the store (--cache, default OUT/.cache), so a rerun trains only what is missing. The spec is checked "
        "before any work; an error names its line.",
    )
    s.add_argument("spec", type=Path, help="the sweep spec (.toml)")
    s.add_argument("--out", type=Path, required=True, help="folder for results.csv (created if missing)")
    s.add_argument("--backend", choices=("local", "ray"), default="local", help="local worker processes or Ray")
    s.add_argument("--address", default=None, help="ray: the cluster (auto or ray://host:port; default a local one)")
    s.add_argument("--workers", type=int, default=None, help="local: processes (default one per core or GPU)")
    s.add_argument("--threads", type=int, default=None, help="local: torch threads per worker (default cores/workers)")
    s.add_argument("--cache", type=Path, default=None, help="the store's folder (default OUT/.cache)")
    s.add_argument("--shared", action="store_true", help="ray: the store folder is on storage every worker reaches")
    s.add_argument("--limit", type=int, default=None, help="train at most this many fits, then stop")
    s.add_argument("--device", default="auto")
    s.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    s.set_defaults(run=cmd_sweep)


def cmd_sweep(a: argparse.Namespace) -> None:
    from ..sweeps import sweep

    cache_folder(a.out, "--out")
    cache_folder(a.cache)
    result = sweep(
        a.spec,
        a.out,
        backend=a.backend,
        address=a.address,
        workers=a.workers,
        threads=a.threads,
        device=a.device,
        cache=a.cache,
        shared=a.shared,
        limit=a.limit,
        progress=not a.quiet,
    )
    m = result.meta
    left = f", {m['missing']} left for a rerun" if m["missing"] else ""
    print(
        f"sweep: {m['tasks'] - m['missing']} of {m['tasks']} fits done ({m['trained']} trained, "
        f"{m['cached']} from the store{left}) in {m['seconds']:.0f} s on {m['backend']} "
        f"({m['workers']} workers × {m['threads']} threads); wrote {m['results']}"
    )
