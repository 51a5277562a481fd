"""Experiments on the sweep (issue #18): throughput of the standard sweep, scaling across images, emergence.

One run times the standard sweep (``benchmarks/sweeps/standard.toml``) from an
empty store, reads it again as :func:`pixparam.experiments.image_scaling`
(nothing is retrained: the fits are in the store), and runs
:func:`pixparam.experiments.emergence` on chelsea (named boxes) and page
(automatic tiles) over a dense ladder. ``--doc`` writes the section of
``docs/experiments.md`` between its markers, and the figures beside it, from
the JSON alone (no training). Images are not the tuning images (astronaut,
camera).

    OMP_NUM_THREADS=1 python benchmarks/sweep_experiments.py --workers 2 \
        --json benchmarks/results/sweep_experiments_cpu.json
    python benchmarks/sweep_experiments.py --doc docs/experiments.md \
        --from-json benchmarks/results/sweep_experiments_cpu.json

``--from-json`` recomputes the tables derived from the records (the emergence
scores); with ``--json`` as well it writes them back.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from _meta import run_meta  # benchmarks/ is on sys.path when a script runs

import pixparam as pp
from pixparam import experiments as ex
from pixparam._io import write_bytes_atomic
from pixparam.store import finite, from_json

ROOT = Path(__file__).resolve().parents[1]
STANDARD = ROOT / "benchmarks" / "sweeps" / "standard.toml"
#: The dense ladder of the emergence runs: 13 budgets, a factor √2 apart (200 … 12,800).
LADDER = [round(200 * 2 ** (k / 2)) for k in range(13)]
#: Emergence runs: chelsea with named boxes (fractions of height and width), page with automatic tiles.
EMERGENCE = [
    {
        "name": "chelsea",
        "families": ["siren", "hashgrid"],
        "regions": {
            "left eye": (0.25, 0.29, 0.50, 0.46),
            "right eye": (0.28, 0.62, 0.53, 0.79),
            "nose": (0.66, 0.48, 0.88, 0.63),
            "forehead fur": (0.0, 0.35, 0.25, 0.65),
        },
    },
    {"name": "page", "families": ["siren"], "tiles": 3},
]
EMERGENCE_SIZE, EMERGENCE_STEPS, EMERGENCE_SEEDS = 64, 500, 3
#: A region appears abruptly when its steepest octave holds at least this share of its local-SSIM rise ...
ABRUPT = 0.5
#: ... and this much more than the whole image's SSIM curve does (the same, saturating, metric).
MARGIN = 0.15
BEGIN = "<!-- sweep-experiments: begin (written by benchmarks/sweep_experiments.py --doc; do not edit) -->"
END = "<!-- sweep-experiments: end -->"
JSON_CMD = "OMP_NUM_THREADS=1 python benchmarks/sweep_experiments.py --workers 2 --json {json}"
DOC_CMD = "python benchmarks/sweep_experiments.py --doc docs/experiments.md --from-json {json}"
ADD_CMD = "python benchmarks/sweep_experiments.py --from-json {json} --add-families {families} --json {json}"


def measure(args: argparse.Namespace) -> dict[str, Any]:
    cache = Path(args.cache or tempfile.mkdtemp(prefix="pixparam-sweep-"))
    spec = pp.sweeps.read_spec(STANDARD)
    load_before = os.getloadavg()
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as out:
        run = pp.sweep(STANDARD, out, cache=cache, workers=args.workers, device="cpu")
    wall = time.monotonic() - start
    load_after = os.getloadavg()
    trained = run.meta["trained"]
    per_image = run.meta["tasks"] // len(spec.images)
    throughput = {
        "sweep": "standard-64",
        "spec": str(STANDARD.relative_to(ROOT)) if STANDARD.is_relative_to(ROOT) else str(STANDARD),
        "fits": run.meta["tasks"],
        "trained": trained,
        "fits_per_image": per_image,
        "wall_seconds": wall,
        "workers": run.meta["workers"],
        "threads": run.meta["threads"],
        "fits_per_hour": trained / wall * 3600 if trained else math.nan,
        "images_per_hour": trained / per_image / wall * 3600 if trained else math.nan,
        "train_seconds": sum(r["seconds"] for r in run.records if not r["cached"]),
        "loadavg_before": list(load_before),
        "loadavg_after": list(load_after),
        "gpu": "not measured: no GPU was lent to this task",
    }
    print(f"standard sweep: {trained} fits in {wall:.0f} s ({throughput['fits_per_hour']:.0f} fits/hour)")
    common = {"device": "cpu", "workers": args.workers, "cache": cache}
    scaling = ex.image_scaling(
        list(spec.images), list(spec.budgets), list(spec.families), size=spec.sizes[0], steps=spec.steps[0],
        seeds=list(spec.seeds), n_boot=args.n_boot, **common,
    )  # fmt: skip
    emergence = []
    for run_spec in EMERGENCE:
        for family in run_spec["families"]:
            e = ex.emergence(
                run_spec["name"], LADDER, family, regions=run_spec.get("regions"), tiles=run_spec.get("tiles", 4),
                size=EMERGENCE_SIZE, steps=EMERGENCE_STEPS, seeds=EMERGENCE_SEEDS, **common,
            )  # fmt: skip
            npz = Path(args.json).with_name(f"sweep_emergence_{run_spec['name']}_{family}.npz")
            arrays = {k: np.round(v * 255).astype(np.uint8) for k, v in e.images.items()}
            np.savez_compressed(npz, **arrays)
            emergence.append({"name": run_spec["name"], "family": family, "result": e.to_dict(), "renders": npz.name})
            print(f"emergence {run_spec['name']} {family}: {e.meta['trained']} fits trained")
    return {
        "meta": run_meta(cache=str(cache)),
        "throughput": throughput,
        "image_scaling": scaling.to_dict(),
        "emergence": emergence,
    }


def add_families(data: dict[str, Any], families: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """The scaling across images again with ``families`` added, from the store the results recorded."""
    m = data["image_scaling"]["meta"]
    names = [*m["families"], *(f for f in families if f not in m["families"])]
    scaling = ex.image_scaling(
        m["images"], m["budgets"], names, size=m["size"], steps=m["steps"], seeds=m["seeds"], n_boot=m["n_boot"],
        device="cpu", workers=args.workers, cache=Path(args.cache or data["meta"]["cache"]),
    )  # fmt: skip
    print(f"scaling across images with {', '.join(names)}: {scaling.meta['trained']} fits trained")
    return finite(scaling.to_dict())


def as_result(d: dict[str, Any]) -> ex.ExperimentResult:
    """An ExperimentResult from its ``to_dict`` (JSON: NaN as null)."""
    return ex.ExperimentResult(
        d["name"],
        [from_json(r) for r in d["records"]],
        tuple(d["columns"]),
        {k: [from_json(r) for r in v] for k, v in d.get("tables", {}).items()},
        from_json(d["meta"]),
    )


def f2(v: float, nd: int = 2) -> str:
    return "–" if v is None or (isinstance(v, float) and not math.isfinite(v)) else f"{v:.{nd}f}"


def law_cell(t: dict[str, Any]) -> str:
    if "alpha" not in t:
        return "no law"
    return f"{f2(t['alpha'])} [{f2(t['alpha_lo'])}, {f2(t['alpha_hi'])}]"


def scaling_section(d: dict[str, Any], fig_name: str) -> list[str]:
    r = as_result(d)
    m = r.meta
    kinds = [*m["families"], "pixels"]
    laws = {(t["image"], t["family"]): t for t in r.tables["laws"]}
    n_fits = len(r.select(method="network"))
    out = [
        "## Scaling across images (a sweep)",
        "",
        f"{len(m['images'])} images ({', '.join(m['images'])}) at {m['size']} px, budgets "
        f"{', '.join(f'{b:,}' for b in m['budgets'])}, families {', '.join(m['families'])}, seeds "
        f"{', '.join(map(str, m['seeds']))}, {m['steps']} steps: {n_fits} fits (the standard sweep above, read "
        "back from the store), and each image's pixel counterpart at every budget. "
        "Laws `L(P) = E + A·P^-α` of MSE (E is dropped when unidentifiable), fitted to the lossy regime: "
        "a budget at which an image fits whole (its pixel counterpart is lossless) is left out of that "
        "image's laws, every family's; "
        "95 % intervals from "
        f"{m['n_boot']} seeded bootstrap resamples: over images for the pooled law, over seeds within each "
        "budget for one image (pixels have no seeds: their per-image interval is the fit's t interval).",
        "",
        f"![scaling across images]({fig_name})",
        "",
        "| law (α, 95 % CI) | " + " | ".join(kinds) + " |",
        "|---|" + "---|" * len(kinds),
        "| **pooled** | " + " | ".join(law_cell(laws.get(("pooled", k), {})) for k in kinds) + " |",
    ]
    for name in m["images"]:
        out.append(f"| {name} | " + " | ".join(law_cell(laws.get((name, k), {})) for k in kinds) + " |")
    alphas = {k: [laws[n, k]["alpha"] for n in m["images"] if "alpha" in laws.get((n, k), {})] for k in kinds}
    out += [
        "",
        "Per-image α, median (range): "
        + "; ".join(f"{k} {f2(float(np.median(a)))} ({f2(min(a))}–{f2(max(a))})" for k, a in alphas.items() if a)
        + ".",
        "",
        "PSNR gain of each network over its pixel counterpart (dB), mean ± std over the images where both are "
        "lossy, and the images where the network wins:",
        "",
        "| family | " + " | ".join(f"{b:,}" for b in m["budgets"]) + " |",
        "|---|" + "---|" * len(m["budgets"]),
    ]
    for family in m["families"]:
        cells = []
        for t in (t for t in r.tables["versus"] if t["family"] == family):
            cells.append(f"{f2(t['gain_mean'], 1)} ± {f2(t['gain_std'], 1)} ({t['wins']}/{t['n_images']})")
        out.append(f"| {family} | " + " | ".join(cells) + " |")
    lossless = {t["budget"]: t["lossless_pixels"] for t in r.tables["versus"] if t["family"] == m["families"][0]}
    if any(lossless.values()):
        out += ["", "Pixel counterparts that hold every value (lossless, left out of the means): "
                + ", ".join(f"{n} at {b:,}" for b, n in lossless.items() if n) + "."]  # fmt: skip
    sd = {f: [t["psnr_std"] for t in r.tables["seeds"] if t["family"] == f] for f in m["families"]}
    out += [
        "",
        "Seed variance (std of PSNR over the seeds of one image, family and budget): "
        + "; ".join(f"{f} median {f2(float(np.median(v)))} dB, max {f2(max(v))} dB" for f, v in sd.items())
        + ".",
        "",
    ]
    out += scaling_reading(r, laws, alphas)
    return out


def overlap_note(best: str, laws: dict, families: list[str]) -> str:
    """``" (its interval overlaps siren's ...)"``: the families whose pooled interval overlaps the steepest one's."""
    b = laws.get(("pooled", best), {})
    lo, hi = b.get("alpha_lo"), b.get("alpha_hi")
    if lo is None or hi is None:
        return ""
    near = [
        f
        for f in families
        if f != best
        and laws.get(("pooled", f), {}).get("alpha_hi", -math.inf) >= lo
        and laws.get(("pooled", f), {}).get("alpha_lo", math.inf) <= hi
    ]
    if not near:
        return ""
    return (
        " (a point estimate: its interval overlaps "
        + ", ".join(f"{f}'s {law_cell(laws[('pooled', f)])}" for f in near)
        + ", so the order among them is not established)"
    )


def scaling_reading(r: ex.ExperimentResult, laws: dict, alphas: dict) -> list[str]:
    m = r.meta
    best = max(m["families"], key=lambda f: laws.get(("pooled", f), {}).get("alpha", -math.inf))
    pix = laws.get(("pooled", "pixels"), {})
    won = {f: sum(t["wins"] for t in r.tables["versus"] if t["family"] == f) for f in m["families"]}
    total = {f: sum(t["n_images"] for t in r.tables["versus"] if t["family"] == f) for f in m["families"]}
    top = max(m["budgets"])
    at_top = {t["family"]: t for t in r.tables["versus"] if t["budget"] == top}
    low = min(m["budgets"])
    at_low = {t["family"]: t for t in r.tables["versus"] if t["budget"] == low}
    text = (
        f"*What it says.* Pooled over {len(m['images'])} images, {best} has the steepest law "
        f"(α = {law_cell(laws[('pooled', best)])}) against pixels' {law_cell(pix)}"
        + overlap_note(best, laws, m["families"])
        + "; "
        + "; ".join(f"{f} beats pixels in {won[f]} of {total[f]} image × budget cells" for f in m["families"])
        + f". At {low:,} parameters the mean gain is "
        + ", ".join(f"{f} {f2(at_low[f]['gain_mean'], 1)} dB" for f in m["families"])
        + f"; at {top:,}, "
        + ", ".join(f"{f} {f2(at_top[f]['gain_mean'], 1)} dB" for f in m["families"])
        + ". The per-image exponents spread widely (the range above), so one image's α is not a property "
        "of the family: the pooled interval, resampled over images, is the one to quote."
    )
    return [text, ""]


def emergence_section(entries: list[dict[str, Any]], figs: dict[str, str]) -> list[str]:
    first = as_result(entries[0]["result"]).meta
    ladder = first["budgets"]
    out = [
        "## Emergence: does a detail appear gradually or abruptly? (claim 8)",
        "",
        f"A dense ladder of {len(ladder)} budgets a factor √2 apart ({ladder[0]:,} … {ladder[-1]:,}), "
        f"{len(first['seeds'])} seeds, {first['steps']} steps, at {first['size']} px. For each region, the local "
        "SSIM of its crop against the image at every budget; for the whole image, PSNR. *Share*: the largest part "
        "of a curve's total rise (its running maximum, start of the ladder to the end) gained within one octave of "
        f"budget: about 1/{round(math.log2(ladder[-1] / ladder[0]))} for a rise even in log P, 1 for a step. "
        f"A region counts as appearing abruptly at a share ≥ {ABRUPT} that is also at least {MARGIN} above the "
        "whole image's SSIM share. Share of the seed-mean curve, then mean ± std of the per-seed shares.",
        "",
    ]
    answers = []
    for e in entries:
        r = as_result(e["result"])
        name, family = e["name"], e["family"]
        if f"{name}-{family}" in figs:
            out += [f"![emergence, {name}, {family}]({figs[f'{name}-{family}']})", ""]
        out += [
            f"**{name}, {family}**",
            "",
            "| region | metric | start → end | share | per seed | steepest octave |",
            "|---|---|---|---|---|---|",
        ]
        for t in r.tables["abruptness"]:
            nd = 1 if t["metric"] == "psnr" else 2
            window = f"{t['from_budget']:,.0f} → {t['to_budget']:,.0f}" if math.isfinite(t["from_budget"]) else "–"
            metric = "PSNR" if t["metric"] == "psnr" else ("SSIM" if t["region"] == "global" else "local SSIM")
            out.append(
                f"| {t['region']} | {metric} | {f2(t['start'], nd)} → "
                f"{f2(t['end'], nd)} | {f2(t['share'])} | {f2(t['share_seed_mean'])} ± {f2(t['share_seed_std'])} | "
                f"{window} |"
            )
        out.append("")
        rows = r.tables["abruptness"]
        glob = {t["metric"]: t for t in rows if t["region"] == "global"}
        regions = [t for t in rows if t["region"] != "global" and math.isfinite(t["share"])]
        abrupt = [t for t in regions if t["share"] >= ABRUPT and t["share"] >= glob["ssim"]["share"] + MARGIN]
        answers.append((name, family, glob, regions, abrupt))
    octaves = round(math.log2(ladder[-1] / ladder[0]))
    out.append(answer(answers, first["size"], first["steps"], octaves))
    out.append("")
    return out


def answer(answers: list[tuple], size: int, steps: int, octaves: int) -> str:
    parts = []
    for name, family, glob, regions, abrupt in answers:
        top = max(regions, key=lambda t: t["share"] - glob["ssim"]["share"]) if regions else None
        over_psnr = sum(t["share"] >= ABRUPT for t in regions)
        part = (
            f"{name} ({family}): global SSIM's steepest octave holds {f2(glob['ssim']['share'])} of its rise and "
            f"global PSNR's {f2(glob['psnr']['share'])}; {over_psnr} of {len(regions)} regions reach {ABRUPT} (the "
            f"literal test against PSNR), {len(abrupt)} also beat global SSIM by {MARGIN}"
            + (f" ({', '.join(t['region'] for t in abrupt)})" if abrupt else "")
            + (
                f"; the region furthest above global SSIM is {top['region']} ({f2(top['share'])}, octave "
                f"{top['from_budget']:,.0f} → {top['to_budget']:,.0f})"
                if top
                else ""
            )
        )
        if regions:
            late = max(regions, key=lambda t: t["from_budget"])
            part += (
                f"; the last to rise is {late['region']} (steepest octave {late['from_budget']:,.0f} → "
                f"{late['to_budget']:,.0f}, share {f2(late['share'])})"
                if late["from_budget"] > min(t["from_budget"] for t in regions)
                else ""
            )
            part += f"; at the smallest budget local SSIM is already {f2(min(t['start'] for t in regions))}–"
            part += f"{f2(max(t['start'] for t in regions))}"
        parts.append(part)
    n_abrupt = sum(len(a[4]) for a in answers)
    n_all = sum(len(a[3]) for a in answers)
    n_psnr = sum(sum(t["share"] >= ABRUPT for t in a[3]) for a in answers)
    verdict = "gradually" if n_abrupt * 2 < n_all else "abruptly"
    return (
        f"*The answer (measured).* Details appear {verdict}: {n_abrupt} of {n_all} region curves gain at least "
        f"{ABRUPT} of their local-SSIM rise in one octave *and* {MARGIN} more than the whole image's SSIM does. "
        f"Against global PSNR alone {n_psnr} of {n_all} would look abrupt, but that comparison is unfair: SSIM "
        "saturates at 1, so every SSIM curve, the whole image's included, is concave in log P and puts its "
        "largest gain early, where PSNR in dB keeps rising evenly. Per run: "
        + "; ".join(parts)
        + f". At {size} px and {steps} steps a share near 1/{octaves} is an even rise in log P; the per-seed "
        "std says how much of a jump is one seed's luck, and a jump below the ladder's smallest budget would "
        "not be seen."
    )


def throughput_section(t: dict[str, Any], meta: dict[str, Any]) -> list[str]:
    return [
        "## Throughput of the standard sweep",
        "",
        f'`pixparam sweep {t["spec"]}` ("{t["sweep"]}": {t["fits"]} fits, {t["fits_per_image"]} per image) '
        f"from an empty store on {meta['machine']}, {t['workers']} local worker processes of {t['threads']} "
        "torch thread(s) each: "
        f"{t['trained']} fits in {t['wall_seconds']:.0f} s, **{t['fits_per_hour']:,.0f} fits per hour, "
        f"{t['images_per_hour']:.1f} images (each a full {t['fits_per_image']}-fit grid) per hour**. The "
        f"machine was shared with other jobs (load average {t['loadavg_before'][0]:.1f} before, "
        f"{t['loadavg_after'][0]:.1f} after), so this is a lower bound for the CPU. "
        f"Per GPU-hour: {t['gpu']}.",
        "",
    ]


def write_doc(data: dict[str, Any], doc: Path, json_name: str) -> None:
    figs = {}
    scaling = as_result(data["image_scaling"])
    name = "experiments-across-images.png"
    pp.save_figure(ex.plot_image_scaling(scaling), doc.with_name(name))
    for e in data["emergence"]:
        r = as_result(e["result"])
        npz = Path(json_name).with_name(e["renders"])
        if npz.exists():
            with np.load(npz) as z:
                r.images = {k: z[k].astype(np.float32) / 255 for k in z.files}
            figs[f"{e['name']}-{e['family']}"] = f"experiments-emergence-{e['name']}-{e['family']}.png"
            pp.save_figure(ex.plot_emergence(r), doc.with_name(figs[f"{e['name']}-{e['family']}"]))
    src = Path(json_name).resolve()
    rel = str(src.relative_to(ROOT)) if src.is_relative_to(ROOT) else json_name
    lines = [
        BEGIN,
        "",
        f"The three sections below are written by `{DOC_CMD.format(json=rel)}` from the results of "
        f"`{JSON_CMD.format(json=rel)}` ({data['meta']['date'][:10]}, pixparam {data['meta']['pixparam']}, "
        f"torch {data['meta']['torch']}, CPU). Training took {data['throughput']['train_seconds'] / 60:.1f} "
        "CPU-minutes for the standard sweep (one thread per fit) and "
        f"{sum(e['result']['meta']['seconds'] for e in data['emergence']) / 60:.1f} minutes of wall time for the "
        f"emergence ladders on {data['throughput']['workers']} workers."
        + (
            f" The families {', '.join(data['added_families'])} joined the scaling across images later, from the "
            f"same store: `{ADD_CMD.format(json=rel, families=' '.join(data['added_families']))}`."
            if data.get("added_families")
            else ""
        ),
        "",
        *throughput_section(data["throughput"], data["meta"]),
        *scaling_section(data["image_scaling"], name),
        *emergence_section(data["emergence"], figs),
        END,
    ]
    text = doc.read_text() if doc.exists() else ""
    section = "\n".join(lines) + "\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    write_bytes_atomic(doc, text.encode())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--json", default=None, help="write the results here")
    p.add_argument("--from-json", default=None, help="read results instead of measuring")
    p.add_argument("--doc", type=Path, default=None, help="rewrite this markdown's sweep section")
    p.add_argument("--cache", default=None, help="store folder (default: a new temporary one: throughput is timed)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--n-boot", type=int, default=300)
    p.add_argument(
        "--add-families",
        nargs="+",
        default=None,
        help="with --from-json: add these families to the scaling across images (trains only them; the "
        "recorded store serves the rest, and the throughput and emergence results are kept)",
    )
    args = p.parse_args(argv)
    if args.add_families and not args.from_json:
        p.error("--add-families needs --from-json (the results to extend)")
    if args.from_json:
        data = json.loads(Path(args.from_json).read_text())
        source = args.from_json
        if args.add_families:
            data["image_scaling"] = add_families(data, args.add_families, args)
            data["added_families"] = [*data.get("added_families", []), *args.add_families]
        for e in data["emergence"]:  # derived tables, recomputed from the records by this version's code
            e["result"]["tables"]["abruptness"] = finite(ex.score_regions(as_result(e["result"])))
        scaling = as_result(data["image_scaling"])
        ex.scaling_tables(scaling)
        data["image_scaling"]["tables"] = finite(scaling.tables)
        if args.json:
            write_bytes_atomic(args.json, (json.dumps(data, indent=1, allow_nan=False) + "\n").encode())
            print(f"wrote {args.json} (derived tables recomputed)")
    else:
        if not args.json:
            p.error("pass --json (to measure) or --from-json (to write the doc)")
        data = finite(measure(args))
        write_bytes_atomic(args.json, (json.dumps(data, indent=1, allow_nan=False) + "\n").encode())
        print(f"wrote {args.json}")
        source = args.json
    if args.doc:
        write_doc(data, args.doc, source)
        print(f"wrote {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
