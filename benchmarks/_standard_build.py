"""The ``standard`` gallery's build time, section by section, from the gallery's own ``results.json``.

A ``standard`` build on a 2-core CPU takes more than one sitting, so it is
built over several (``bash benchmarks/standard_cpu.sh``: ``pixparam gallery
--missing``), and each section records the run that built it and its seconds.
This renders what has been measured so far, for ``docs/benchmarks.md``
(:mod:`report`), and names the sections not built yet.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: Where the standard build is kept, the shop window, while it is built over sittings and after.
PLACES = (Path("gallery/results.json"),)
#: Issue #15's target for the whole build on a 2-core CPU, in minutes.
TARGET_MIN = 30
#: What builds it, over as many sittings as it takes.
COMMAND = "bash benchmarks/standard_cpu.sh"


def find(root: Path) -> tuple[str, dict[str, Any]] | None:
    """The first of :data:`PLACES` under ``root`` holding a ``standard`` build: (its path, its results)."""
    for rel in PLACES:
        path = root / rel
        if path.is_file():
            results = json.loads(path.read_text())
            if results.get("profile", {}).get("name") == "standard":
                return str(rel), results
    return None


def sections_of_standard() -> list[str]:
    """The sections a complete ``standard`` build has, in the story's order."""
    from pixparam.gallery import SECTIONS, get_profile

    experiments = get_profile("standard").experiments
    return [s.name for s in SECTIONS if not s.experiment or s.name in experiments]


def _minutes(s: dict[str, Any]) -> float:
    from pixparam.gallery.story import empty_cache_seconds

    return empty_cache_seconds(s) / 60


def _built(results: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in results["sections"] if "build" in s]


def _pending(results: dict[str, Any], names: list[str]) -> list[str]:
    done = {s["name"] for s in results["sections"]}
    return [n for n in names if n not in done]


def section(found: tuple[str, dict[str, Any]], names: list[str]) -> list[str]:
    """The Markdown section: each built section's run and minutes, their sum, and what is left.

    Parameters
    ----------
    found : (str, dict)
        The results' path and contents (:func:`find`).
    names : list of str
        Every section a complete build has, in order.
    """
    rel, results = found
    built, pending = _built(results), _pending(results, names)
    total = sum(_minutes(s) for s in built)
    m = results["meta"]
    lines = [
        f"## The `standard` gallery, built section by section (`{COMMAND}`)",
        "",
        f"From `{rel}` (pixparam {m['pixparam']}, torch {m['torch']}, device: {m['device']}). Each section "
        "records the run (UTC) that built it, its minutes in that run, and the fits it reused from the cache "
        "with the minutes they took to train in the sitting that trained them (the cache is kept between "
        "sittings); the two add up to the section's cost from an empty cache. The minutes of reused work also "
        "count the hero's quantisation-aware packing and the experiments' units of earlier sittings, which are "
        "not fits; – marks a section built before reuse was recorded.",
        "",
        "| section | run | minutes in the run | fits trained | fits reused (their training, min) | "
        "from an empty cache, min |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for s in built:
        b = s["build"]
        trained = b.get("fits_trained", "–")
        reused = f"{b['fits_reused']} ({b['reused_fit_seconds'] / 60:.1f})" if "fits_reused" in b else "–"
        lines.append(
            f"| {s['name']} | {b['run'][:16].replace('T', ' ')} | {b['seconds'] / 60:.1f} | {trained} | {reused} | "
            f"{_minutes(s):.1f} |"
        )
    lines += ["", f"{len(built)} of {len(names)} sections built, {total:.1f} min in all."]
    if pending:
        lines[-1] += f" Not built yet: {', '.join(pending)}."
    return [*lines, ""]


def target_row(found: tuple[str, dict[str, Any]] | None, names: list[str], target_min: float) -> str | None:
    """The targets table's row for the measured build time (``None`` when no standard build exists)."""
    if found is None:
        return None
    results = found[1]
    built, pending = _built(results), _pending(results, names)
    total = sum(_minutes(s) for s in built)
    parts = ", ".join(f"{s['name']} {_minutes(s):.0f}" for s in built)
    if pending:
        measured = f"{len(built)} of {len(names)} sections built so far: {total:.0f} min ({parts})"
        status = "missed" if total > target_min else "open"
    else:
        measured = f"every section built: {total:.0f} min ({parts})"
        status = "met" if total <= target_min else "missed"
    head = f"| CPU, 2 cores: the `standard` profile from an empty cache in ≤ {target_min:.0f} min"
    return f"{head} | measured: {measured} | {status} |"
