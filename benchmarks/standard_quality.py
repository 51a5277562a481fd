"""The ``standard`` profile's fits against today's defaults: is each within 0.3 dB (issue #15's bar)?

The profile trains some families for fewer steps, in mini-batches or compiled
(``Profile.training``). Issue #15 asks that none of that costs quality: each
of its fits within ``--tolerance`` dB of the same fit at today's defaults
(2000 full-batch steps), or better. This script pairs the ladder fits of a
``standard`` gallery build (its ``results.json``) with the lens table at
default settings on the same images and size (``core_table.py`` at 256 px)
and records each pair. It trains nothing.

    python benchmarks/standard_quality.py --gallery gallery/results.json \\
        --table benchmarks/results/lens_table_256px.json --json benchmarks/results/standard_quality_cpu.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from _meta import run_meta  # benchmarks/ is on sys.path when a script runs

from pixparam._io import write_json_atomic
from pixparam.errors import ConfigError


def pair(gallery: dict[str, Any], table: dict[str, Any], tolerance: float = 0.3) -> list[dict[str, Any]]:
    """Each gallery ladder fit beside the table's default fit of the same image, shape, budget and family.

    Returns one row per gallery fit the table has, with ``delta_db`` (the profile's PSNR minus the default's)
    and ``within`` (``delta_db >= -tolerance``).
    """
    default = {
        (r["image"], tuple(r["shape"]), r["budget"], r["model"]): r
        for r in table["records"]
        if not r["model"].startswith("pixels")
    }
    training = gallery["profile"].get("training") or {}
    rows = []
    for f in gallery["fits"]:
        d = default.get((f["image"], tuple(f["shape"]), f["budget"], f["family"]))
        if d is None:
            continue
        delta = f["psnr"] - d["psnr"]
        rows.append({"image": f["image"], "family": f["family"], "budget": f["budget"], "psnr": f["psnr"],
                     "default_psnr": d["psnr"], "delta_db": delta, "within": delta >= -tolerance,
                     "training": training.get(f["family"], {})})  # fmt: skip
    return rows


def measure(args: argparse.Namespace) -> dict[str, Any]:
    gallery = json.loads(args.gallery.read_text())
    table = json.loads(args.table.read_text())
    if gallery["profile"]["name"] != "standard":
        raise ConfigError(f"{args.gallery} is a {gallery['profile']['name']!r} build; pass a standard build's")
    rows = pair(gallery, table, args.tolerance)
    if not rows:
        raise ConfigError(f"no fit of {args.gallery} is in {args.table}; run core_table.py on the profile's images")
    meta = run_meta(tolerance=args.tolerance, gallery_built=gallery["meta"]["date"], table_built=table["meta"]["date"],
                    table_command=table["meta"]["command"], fits=len(gallery["fits"]))  # fmt: skip
    return {"meta": meta, "rows": rows}


def render(result: dict[str, Any]) -> str:
    """The Markdown section: per family, how far the profile's fits fall from the defaults'."""
    m, rows = result["meta"], result["rows"]
    tol = m["tolerance"]
    out = [
        "## The `standard` profile against today's defaults (`standard_quality.py`)",
        "",
        f"`{m['command']}` · {m['date'][:10]} · the gallery built {m['gallery_built']}, the defaults' fits by "
        f"`{m['table_command']}` ({m['table_built']})",
        "",
        f"Each ladder fit of the `standard` gallery (as `Profile.training` trains it) against the same fit at "
        f"today's defaults (2000 full-batch steps, uncompiled); {len(rows)} of its {m['fits']} fits have one. "
        f"ΔPSNR is the profile's minus the default's; the bar is {tol:g} dB below, or better.",
        "",
        f"| family | profile trains | fits | worst ΔPSNR | mean ΔPSNR | within {tol:g} dB |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for fam in dict.fromkeys(r["family"] for r in rows):
        got = [r for r in rows if r["family"] == fam]
        how = ", ".join(f"{k} {v}" for k, v in got[0]["training"].items()) or "as the defaults"
        deltas = [r["delta_db"] for r in got]
        out.append(f"| {fam} | {how} | {len(got)} | {min(deltas):+.2f} dB | {sum(deltas) / len(deltas):+.2f} dB "
                   f"| {sum(r['within'] for r in got)} |")  # fmt: skip
    worst = min(rows, key=lambda r: r["delta_db"])
    out += [
        "",
        f"{sum(r['within'] for r in rows)} of {len(rows)} fits are within {tol:g} dB; the worst is "
        f"{worst['family']} at {worst['budget']:,} on {worst['image']}, {worst['delta_db']:+.2f} dB "
        f"({worst['psnr']:.2f} against {worst['default_psnr']:.2f} dB).",
    ]
    return "\n".join(out) + "\n"


def target_row(result: dict[str, Any] | None) -> str:
    """The targets table's row for the profile's quality bar."""
    head = "| CPU: each `standard` fit's PSNR within 0.3 dB of today's defaults at 2000 steps, or better | "
    if result is None:
        return (
            head + "not measured yet: needs the `standard` gallery and the 256-px lens table, which "
            "`bash benchmarks/standard_cpu.sh` builds over several sittings | open |"
        )
    rows = result["rows"]
    within = sum(r["within"] for r in rows)
    worst = min(r["delta_db"] for r in rows)
    status = "met" if within == len(rows) else "missed"
    return head + f"{within} of {len(rows)} fits; worst {worst:+.2f} dB | {status} |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gallery", type=Path, default=Path("gallery/results.json"))
    ap.add_argument("--table", type=Path, default=Path("benchmarks/results/lens_table_256px.json"))
    ap.add_argument("--tolerance", type=float, default=0.3)
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    result = measure(a)
    if a.json is not None:
        write_json_atomic(a.json, result)
    print(render(result))


if __name__ == "__main__":
    main()
