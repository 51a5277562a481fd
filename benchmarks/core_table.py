"""Each family at default settings beside its pixel counterparts, per image, size and budget: the lens table.

For every image, size and budget: the pixel counterpart with the same number
of values (and with the same number of bytes, 8-bit pixels vs 32-bit
parameters), then one fit per family at default settings (steps, learning
rate, schedule), in registry order, from pixels to networks. Writes JSON
records (resuming from them when rerun, so an interrupted run loses nothing)
and a Markdown report that says, per image and budget, which lens wins and
where the trained grid stands among the networks.

    python benchmarks/core_table.py --sizes 64 256 --budgets 1k 4k 16k 64k \
        --json benchmarks/results/core_table_cpu.json --md docs/core_table_cpu.md
    python benchmarks/core_table.py --images coffee chelsea rocket --sizes 64 --budgets 1k 4k 16k 64k \
        --json benchmarks/results/lens_table_64px.json --md docs/lens_table.md

The tuning images (astronaut, camera) are the defaults' own; a lens table
meant to compare families reports on others.

``--compile FAMILY ...`` trains those families through ``torch.compile``
(a speed setting: the same fit to rounding, tested within 0.05 dB), and
``--cache DIR`` takes fits from a fit cache where it has them and keeps new
ones there (``pixparam gallery --cache``: the ``standard`` profile trains the
hash grid and SIREN at exactly these defaults, so the lens table at 256 px
reuses them). A reused fit keeps the seconds its own training took; the
table marks which fits were compiled or reused.

    python benchmarks/core_table.py --images coffee chelsea rocket --sizes 256 --budgets 1k 4k 16k 64k \
        --compile hashgrid siren --cache gallery/.cache \
        --json benchmarks/results/lens_table_256px.json --md docs/lens_table_256px.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import sys
from pathlib import Path

import torch

import pixparam as pp
from pixparam._io import write_bytes_atomic
from pixparam.cache import FitCache


def _key(r: dict) -> tuple:
    return (r["image"], r["size"], r["budget"], r["model"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", nargs="+", default=["astronaut"])
    ap.add_argument("--sizes", nargs="+", type=int, default=[64, 256])
    ap.add_argument("--budgets", nargs="+", default=["1k", "4k", "16k", "64k"])
    ap.add_argument("--families", nargs="+", default=list(pp.FAMILIES))
    ap.add_argument("--steps", type=int, default=None, help="default: pixparam's default")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--compile", nargs="*", default=[], metavar="FAMILY", help="families trained compiled")
    ap.add_argument("--cache", type=Path, default=None, help="a fit cache to reuse fits from and keep them in")
    ap.add_argument("--json", type=Path, default=Path("benchmarks/results/core_table.json"))
    ap.add_argument("--md", type=Path, default=Path("docs/core_table.md"))
    ap.add_argument("--report", action="store_true", help="write the Markdown from the JSON's records; train nothing")
    args = ap.parse_args()
    device = pp.resolve_device(args.device)

    done: dict[tuple, dict] = {}
    if args.json.exists():
        done = {_key(r): r for r in json.loads(args.json.read_text())["records"]}
    meta = {
        "command": "python benchmarks/core_table.py " + " ".join(sys.argv[1:]),
        "date": dt.date.today().isoformat(),
        "pixparam": pp.__version__,
        "torch": torch.__version__,
        "device": str(device) if device.type != "cuda" else torch.cuda.get_device_name(device),
        "cpu_threads": torch.get_num_threads(),
        "machine": platform.machine(),
    }

    def save() -> None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(args.json, json.dumps({"meta": meta, "records": list(done.values())}, indent=1).encode())

    budgets = [pp.parse_budget(b) for b in args.budgets]
    if args.report:
        if not done:
            sys.exit(f"--report: {args.json} has no records; run without --report first")
        meta = json.loads(args.json.read_text())["meta"]  # the run that measured them
        write_report(args, meta, done, budgets)
        return
    cache = FitCache(args.cache)  # None: caches nothing, every fit trains
    for image, size in ((i, s) for i in args.images for s in args.sizes):
        img = pp.load_image(image, size=size)
        h, w, c = img.shape
        for budget in budgets:
            for match in ("values", "bits"):
                pix = pp.pixelate(img, budget, match=match)
                rec = {
                    "image": image,
                    "size": size,
                    "shape": [h, w, c],
                    "budget": budget,
                    "model": f"pixels ({match})",
                    "values": pix.n_values,
                    "pixels": list(pix.shape),
                    "psnr": pix.psnr,
                    "ssim": pix.ssim,
                    "steps": None,
                    "seconds": None,
                }
                done[_key(rec)] = rec
            for family in args.families:
                key = (image, size, budget, family)
                if key in done:
                    continue
                compiled = family in args.compile
                hits = cache.hits
                f = cache.fit(img, budget, family, steps=args.steps, device=device, compile=compiled, progress=False)
                done[key] = {
                    "image": image,
                    "size": size,
                    "shape": [h, w, c],
                    "budget": budget,
                    "model": family,
                    "values": f.n_params,
                    "arch": f.arch.describe(),
                    "psnr": f.psnr,
                    "ssim": f.ssim,
                    "steps": f.config["steps"],
                    "seconds": round(f.seconds, 2),
                    "batch_size": f.config["batch_size"],
                    "compiled": bool(f.config.get("compile")),
                    "reused": cache.hits > hits,
                }
                print(json.dumps(done[key]), flush=True)
                save()
    save()
    write_report(args, meta, done, budgets)


def write_report(args: argparse.Namespace, meta: dict, done: dict[tuple, dict], budgets: list[int]) -> None:
    """Write (and print) the Markdown of the records the arguments ask for, naming the fits not yet run."""
    chosen = [r for r in done.values() if r["size"] in args.sizes and r["image"] in args.images]
    planned = [(i, s, b, f) for i in args.images for s in args.sizes for b in budgets for f in args.families]
    missing = [k for k in planned if k not in done]
    report = render_markdown(meta, chosen, args.families, missing=missing, planned=len(planned))
    args.md.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(args.md, report.encode())
    print(report)


def render_markdown(
    meta: dict, records: list[dict], families: list[str], missing: list[tuple] = (), planned: int = 0
) -> str:
    """The lens table's Markdown; ``missing`` (image, size, budget, family) fits of ``planned`` make it partial."""
    models = ["pixels (values)", "pixels (bits)", *families]
    images = sorted({r["image"] for r in records})
    title = (
        "Networks vs pixel counterparts at default settings"
        if len(images) == 1
        else f"The lens table: every family beside its pixel counterpart ({', '.join(images)})"
    )
    lines = [
        f"# {title}",
        "",
        f"Generated by `{meta['command']}` on {meta['date']} "
        f"(pixparam {meta['pixparam']}, torch {meta['torch']}, device: {meta['device']}, "
        f"{meta['cpu_threads']} CPU threads). Do not edit by hand.",
        "",
        "PSNR in dB against the image (SSIM in brackets). *pixels (values)* holds at most as many float "
        "values as the budget; *pixels (bits)* at most as many 8-bit values as the budget's 32-bit "
        "parameters have bytes. Pixels are area-averaged down and bicubic up. Networks: one fit each "
        "at default settings, seed 0."
        + (
            " Seconds marked *compiled* were trained through `torch.compile` (the same fit to rounding); *reused* "
            "fits came from a fit cache, with the seconds of their own training."
            if any(r.get("compiled") or r.get("reused") for r in records)
            else ""
        ),
    ]
    if missing:
        by_cell: dict[tuple, list[str]] = {}
        for image, size, budget, family in missing:
            by_cell.setdefault((image, size, budget), []).append(family)
        lines += [
            "",
            f"**Partial table:** {planned - len(missing)} of the {planned} planned fits are in; the rest are not "
            "yet run (the script resumes from its JSON): "
            + "; ".join(f"{i} {s} px {pp.format_count(b)}: {', '.join(fams)}" for (i, s, b), fams in by_cell.items())
            + ". Verdicts below are over the cells measured so far.",
        ]
    lines += verdicts(records, families)
    for image, size in sorted({(r["image"], r["size"]) for r in records}):
        rows = [r for r in records if (r["image"], r["size"]) == (image, size)]
        h, w, c = rows[0]["shape"]
        lines += ["", f"## {image}, {h}×{w}×{c} ({h * w * c:,} values)", ""]
        lines.append("| budget | " + " | ".join(models) + " |")
        lines.append("|---:|" + "---:|" * len(models))
        for budget in sorted({r["budget"] for r in rows}):
            cells = []
            for m in models:
                r = next((x for x in rows if x["budget"] == budget and x["model"] == m), None)
                psnr = "lossless" if r is not None and r["psnr"] == float("inf") else f"{r['psnr']:.2f}" if r else ""
                cells.append("–" if r is None else f"{psnr} ({r['ssim']:.3f})")
            lines.append(f"| {pp.format_count(budget)} | " + " | ".join(cells) + " |")
        lines += [
            "",
            "| budget | model | values | steps | seconds | architecture / pixels |",
            "|---:|---|---:|---:|---:|---|",
        ]
        for r in sorted(rows, key=lambda r: (r["budget"], models.index(r["model"]) if r["model"] in models else 99)):
            detail = r.get("arch") or "{}×{} px".format(*r["pixels"])
            steps = "" if r["steps"] is None else str(r["steps"])
            secs = "" if r["seconds"] is None else f"{r['seconds']:.1f}"
            secs += "".join(f" ({how})" for how in ("compiled", "reused") if r.get(how))
            lines.append(
                f"| {pp.format_count(r['budget'])} | {r['model']} | {r['values']:,} | {steps} | {secs} | {detail} |"
            )
    return "\n".join(lines) + "\n"


def verdicts(records: list[dict], families: list[str]) -> list[str]:
    """Who wins each (image, size, budget) at equal values, and where the trained grid stands; from the records."""
    cells = sorted({(r["image"], r["size"], r["budget"]) for r in records})
    out = ["", "## Who wins at equal values", ""]
    grid_wins, grid_cells, lines = 0, 0, []
    for image, size, budget in cells:
        rows = {r["model"]: r for r in records if (r["image"], r["size"], r["budget"]) == (image, size, budget)}
        h, w, c = next(iter(rows.values()))["shape"]
        if budget >= h * w * c:
            lines.append(
                f"- {image} {size} px, {pp.format_count(budget)}: above the image's {h * w * c:,} values "
                "(pixels are lossless); not compared"
            )
            continue
        absent = [m for m in families if m not in rows]
        if absent:  # a verdict over some of the families would crown whoever happens to be measured
            where = f"{image} {size} px, {pp.format_count(budget)}"
            lines.append(f"- {where}: not compared yet ({', '.join(absent)} not run)")
            continue
        ranked = sorted((m for m in ["pixels (values)", *families] if m in rows), key=lambda m: -rows[m]["psnr"])
        best = ranked[0]
        text = f"- {image} {size} px, {pp.format_count(budget)}: {best} wins ({rows[best]['psnr']:.2f} dB)"
        if "grid" in rows:
            grid_cells += 1
            nets = [m for m in ranked if m not in ("grid", "pixels (values)")]
            above = [m for m in nets if rows[m]["psnr"] > rows["grid"]["psnr"]]
            gain = rows["grid"]["psnr"] - rows["pixels (values)"]["psnr"]
            if not above:
                grid_wins += 1
                text += f"; the grid beats every network (sampled pixels +{gain:.2f} dB by training)"
            else:
                text += (
                    f"; the grid ({rows['grid']['psnr']:.2f} dB, +{gain:.2f} dB over sampled pixels) is beaten by "
                    + ", ".join(f"{m} ({rows[m]['psnr']:.2f})" for m in above)
                )
        lines.append(text)
    if grid_cells:
        out.append(
            f"The trained grid beats every network in {grid_wins} of the {grid_cells} compared cells below "
            "(same values, PSNR). Kim and Fridovich-Keil (NeurIPS 2025) found a bicubic grid often outperforms "
            "implicit neural representations on dense 2D signals; on these images and budgets the grid "
            + (
                "holds that finding in most cells."
                if 2 * grid_wins > grid_cells
                else "does not: the networks named below beat it where they do."
            )
        )
        out.append("")
    return out + lines


if __name__ == "__main__":
    main()
