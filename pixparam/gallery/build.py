"""Build the gallery: fit (or reuse) every network, draw every section, write results, README and page."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path
from typing import Any, NamedTuple

import torch

from .._io import json_ready, write_json_atomic
from .._version import __version__
from ..cache import FitCache
from ..devices import resolve_device
from ..errors import ConfigError, OutputError
from ..progress import progress_bar
from .context import Context
from .live import interactive_panels, write_live_viewer
from .page import write_index, write_readme
from .sections import BUILDERS
from .spec import Profile, get_profile
from .story import SECTIONS

__all__ = ["Context", "build_gallery"]

RESULTS = "results.json"


def _units(profile: Profile, names: list[str]) -> int:
    """How many fits and figures the build will go through (for the progress bar's ETA)."""
    p = profile
    n_ladder = len(p.images) * len(p.families) * len(p.budgets)
    per = {
        "pixels": n_ladder + len(p.images),
        "lens": len(p.families) + 1,
        "hero": len(p.budgets) + 1,
        "capacity": len(p.families) * len(p.budgets) + 1,
        "edits": 1 + 2 + 3,
        "films": len(p.families) + 2,  # a film per family, the synced film and the PSNR plot
        "crowding": 2,
        "generalisation": 2,
        "scaling": 2,
    }
    return sum(per.get(n, 1) for n in names)


def build_gallery(
    out: str | os.PathLike = "gallery",
    profile: str | Profile | None = None,
    *,
    only: str | list[str] | None = None,
    missing: bool = False,
    cache: str | os.PathLike | None = None,
    device: str = "auto",
    progress: bool = True,
) -> dict[str, Any]:
    """Regenerate the gallery: figures, ``results.json``, ``README.md`` and ``index.html``.

    Parameters
    ----------
    out : str or path
        The gallery folder (created if missing).
    profile : {"quick", "standard", "full"} or Profile, optional
        Scale of the build; default ``full`` on a CUDA machine, else ``quick``.
        Left out, it must match the build already in ``out``, if there is
        one: a default never replaces a gallery of another profile (name the
        profile to rebuild it, or pass another ``out``).
    only : str or list of str, optional
        Build only these sections (names in :data:`pixparam.gallery.SECTIONS`);
        the others keep their entries from an earlier ``results.json`` (of
        the same profile and pixparam version). The interactive comparison
        and the live viewer, which draw the ladder's fits, are redrawn when
        a section that draws them is built (``Section.ladder``); a build of
        other sections alone (the edits, the films, the experiments) keeps
        them and trains no ladder, so a long build can be split into runs.
        Each section records the run that built it and its seconds
        (``"build"``). ``results.json`` is written as each section finishes,
        so an interrupted build keeps the sections it finished.
    missing : bool
        Build only the sections (of ``only``, or all) that the earlier
        ``results.json`` does not have yet, of this profile and version: run
        the same command again to finish a build that was cut short, even
        on another machine with an empty cache.
    cache : str or path, optional
        Folder of cached fits; default ``<out>/.cache``. Fits are keyed by
        image, architecture, training settings, seed and pixparam version, and
        saved as each finishes, so an interrupted build resumes.
    device : str
        ``"auto"``, ``"cpu"``, ``"cuda"``...
    progress : bool
        A progress bar over all fits and figures, with an ETA.

    Returns
    -------
    dict
        What was written to ``results.json`` (when nothing is left to build, what it holds).

    Raises
    ------
    ConfigError
        An unknown profile or section name, or no ``profile`` given for an
        ``out`` that holds a build of another profile.
    OutputError
        ``out`` or ``cache`` is a file.
    """
    p = get_profile(profile)
    out = Path(out)
    previous = _read_results(out)
    if profile is None:
        _check_default_keeps(out, previous, p.name)
    names = [s.name for s in SECTIONS]
    wanted = names if only is None else ([only] if isinstance(only, str) else list(only))
    unknown = [n for n in wanted if n not in names]
    if unknown:
        raise ConfigError(f"unknown gallery section {', '.join(unknown)}; choose from {', '.join(names)}")
    if out.exists() and not out.is_dir():
        raise OutputError(f"gallery folder {str(out)!r} is a file; pass a folder (--out) for the gallery")
    if cache is not None and Path(cache).exists() and not Path(cache).is_dir():
        raise OutputError(f"cache {str(cache)!r} is a file, not a folder; pass a folder for the cached fits")
    out.mkdir(parents=True, exist_ok=True)
    dev = resolve_device(device)
    fit_cache = FitCache(Path(cache) if cache is not None else out / ".cache")
    same = (
        previous.get("profile") == json_ready(p.to_dict()) and previous.get("meta", {}).get("pixparam") == __version__
    )
    sections = {s["name"]: s for s in previous.get("sections", [])} if same else {}  # a changed profile starts over
    if missing:
        wanted = [n for n in wanted if n not in sections]
    fits = {f["id"]: f for f in previous.get("fits", [])} if sections else {}
    kept = previous if sections else {}
    viewer = {"interactive": kept.get("interactive"), "live": kept.get("live")}
    t0 = time.perf_counter()
    run = dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")

    def results() -> dict[str, Any]:
        meta = {
            "pixparam": __version__,
            "torch": torch.__version__,
            "device": str(dev) if dev.type != "cuda" else torch.cuda.get_device_name(dev),
            "date": dt.date.today().isoformat(),
            "seconds": round(time.perf_counter() - t0, 1),
            "fits_trained": fit_cache.misses,
            "fits_reused": fit_cache.hits,
            "command": f"pixparam gallery --profile {p.name}",
        }
        return json_ready({
            "meta": meta,
            "profile": p.to_dict(),
            "sections": [sections[s.name] for s in SECTIONS if s.name in sections],
            "fits": sorted({**fits, **ctx.fits}.values(), key=lambda f: f["id"]),
            **viewer,
        })  # fmt: skip

    todo = [s for s in SECTIONS if s.name in wanted and not (s.experiment and s.name not in p.experiments)]
    if not todo and sections:  # nothing to build (--missing on a finished gallery): its files stay as they are
        return previous
    # the comparison and the live viewer draw the ladder's fits: redrawn right after the last section that draws
    # them, kept from the earlier results.json by a build of others alone (which then trains no ladder)
    last_ladder = next((s.name for s in reversed(todo) if s.ladder), None)
    with progress_bar(_units(p, wanted) + 1, "gallery", "step", progress=progress) as bar:
        ctx = Context(out, p, fit_cache, str(dev), bar)
        for s in todo:
            bar.set_description(f"gallery: {s.name}")
            start = _Start(time.perf_counter(), fit_cache.misses, ctx.n_reused, ctx.reused_seconds)
            built = BUILDERS[s.name](ctx)
            sections[s.name] = {"name": s.name, "title": s.title, **built, "build": start.stamp(run, ctx)}
            if s.name == last_ladder:
                viewer = {"interactive": interactive_panels(ctx), "live": write_live_viewer(ctx)}
            write_json_atomic(out / RESULTS, results())  # a build cut short keeps what it finished
        bar.update(1)
    final = results()
    write_json_atomic(out / RESULTS, final)
    write_readme(out, final)
    write_index(out, final)
    return final


class _Start(NamedTuple):
    """Where a section began: the clock, and the cache's tallies."""

    clock: float
    trained: int
    reused: int
    reused_seconds: float

    def stamp(self, run: str, ctx: Context) -> dict[str, Any]:
        """Which build made the section (its start, UTC), its seconds in it, and the fits it trained and reused.

        ``reused_fit_seconds`` is what the reused fits took to train, in the
        sitting that trained them: ``seconds + reused_fit_seconds`` is the
        section's cost from an empty cache.
        """
        return {
            "run": run,
            "seconds": round(time.perf_counter() - self.clock, 1),
            "fits_trained": ctx.cache.misses - self.trained,
            "fits_reused": ctx.n_reused - self.reused,
            "reused_fit_seconds": round(ctx.reused_seconds - self.reused_seconds, 1),
        }


def _check_default_keeps(out: Path, previous: dict[str, Any], name: str) -> None:
    """Refuse to let the default profile replace a gallery built with another one (``previous``: its results)."""
    built = previous.get("profile")
    there = built.get("name") if isinstance(built, dict) else None
    if there is not None and there != name:
        raise ConfigError(
            f"{str(out)!r} holds a {there!r} gallery and the default profile here is {name!r}, which would "
            f"replace its figures; pass --profile {there} to rebuild it, or --out for a new folder"
        )


def _read_results(out: Path) -> dict[str, Any]:
    path = out / RESULTS
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
