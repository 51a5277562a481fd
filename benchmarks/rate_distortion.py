"""Rate–distortion: packed networks (after quantisation-aware fine-tuning) against JPEG, WebP, AVIF and PNG pixels.

Every network is fitted at float32 with pixparam's defaults, fine-tuned at 4, 6
and 8 bits (:func:`pixparam.edit.qat`), packed (:func:`pixparam.pack`) and
measured from the unpacked file; its rate is the packed file's size. Each codec
is searched for its best file within the same bytes, and at a grid of bit
rates; pixels are the largest counterpart whose PNG fits. Images are not the
tuning images (astronaut, camera).

    python benchmarks/rate_distortion.py --json benchmarks/results/rate_distortion_cpu.json
    python benchmarks/rate_distortion.py --doc docs/rate_distortion.md \
        --from-json benchmarks/results/rate_distortion_cpu.json          # the doc and figures, no training
    python benchmarks/rate_distortion.py --tune --json benchmarks/results/qat_tune_cpu.json  # QAT's lr, on the
                                                                         # tuning images only
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _meta import run_meta  # benchmarks/ is on sys.path when a script runs

import pixparam as pp
from pixparam._io import write_bytes_atomic
from pixparam.codecs import CODECS, at_most, png_pixels_at_most
from pixparam.store import finite, from_json

ROOT = Path(__file__).resolve().parents[1]

#: Published Kodak results at 0.3 bpp, as issue #16 quotes them (other images: no like-for-like comparison).
KODAK = [
    {"label": "COIN (16-bit SIREN)", "bpp": 0.3, "psnr": 26.4, "source": "Dupont et al. 2021"},
    {"label": "Strümpler et al. (8-bit QAT)", "bpp": 0.3, "psnr": 28.4, "source": "Strümpler et al. 2022"},
    {"label": "C3 / Cool-chic", "bpp": 0.3, "psnr": 32.0, "source": "Kim et al. 2024 (≈, matching VTM)"},
    {"label": "JPEG", "bpp": 0.3, "psnr": 26.0, "source": "as quoted with COIN (≈)"},
]
#: Bit rates every codec is also measured at, and the table's columns.
BPP_GRID = (0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0)
TABLE_BPP = (0.1, 0.2, 0.3, 0.5)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    cache = pp.FitCache(args.cache)
    records: list[dict[str, Any]] = []
    tmp = Path(tempfile.mkdtemp())
    for name in args.images:
        img = pp.load_image(name, size=args.size)
        h, w, _ = img.shape
        byte_targets = {round(bpp * h * w / 8) for bpp in BPP_GRID}
        for family in args.families:
            for budget in args.budgets:
                t0 = time.perf_counter()
                f = cache.fit(img, budget, family, steps=args.steps, device=args.device, progress=False)
                fit_s = time.perf_counter() - t0
                for bits in (32, *args.bits):
                    t0 = time.perf_counter()
                    q = f if bits == 32 else pp.edit.qat(f, bits, steps=args.qat_steps, progress=False)
                    path = pp.pack(q, tmp / "f.ppk", bits=bits)
                    back = pp.unpack(path, device="cpu")
                    back.image = img
                    n = path.stat().st_size
                    byte_targets.add(n)
                    records.append(
                        {
                            "image": name,
                            "kind": "network",
                            "series": f"{family}/{bits}",
                            "family": family,
                            "bits": bits,
                            "budget": pp.parse_budget(budget),
                            "n_params": f.n_params,
                            "bytes": n,
                            "pixels": h * w,
                            "bpp": 8 * n / (h * w),
                            "psnr": back.psnr,
                            "ssim": back.ssim,
                            "float_psnr": f.psnr,
                            "seconds": fit_s if bits == 32 else time.perf_counter() - t0,
                        }
                    )
                    print(
                        f"{name} {family} {budget} {bits:>2}-bit: {n:6,} B {8 * n / (h * w):.3f} bpp {back.psnr:.2f} dB"
                    )
        for n in sorted(byte_targets):
            for codec in (*CODECS, "pixels/png"):
                if codec == "pixels/png":
                    found = png_pixels_at_most(img, n)
                    got = None if found is None else {"bytes": found[1], "psnr": found[0].psnr, "ssim": found[0].ssim}
                else:
                    c = at_most(img, n, codec)
                    got = None if c is None else {"bytes": c.n_bytes, "psnr": c.psnr, "ssim": c.ssim, "q": c.quality}
                row = {"image": name, "kind": "codec", "series": codec, "budget_bytes": n, "pixels": h * w}
                row["bpp"] = 8 * n / (h * w)
                records.append({**row, **(got or {"bytes": None, "psnr": None, "ssim": None})})
    return {"meta": run_meta(images=args.images, size=args.size, steps=args.steps), "records": records}


def tune(args: argparse.Namespace) -> dict[str, Any]:
    """QAT's learning-rate factor and steps on the tuning images (astronaut, camera) only."""
    rows = []
    for name in ("astronaut", "camera"):
        img = pp.load_image(name, size=args.tune_size)
        for family in args.families:
            f = pp.fit(img, args.tune_budget, family, steps=args.steps, device=args.device, progress=False)
            base = pp.fields.spec_for(family).defaults.lr_for(f.arch)
            for bits in (8, 6):
                for factor in (0.01, 0.03, 0.1):
                    q = pp.edit.qat(f, bits, steps=args.qat_steps, lr=factor * base, progress=False)
                    rows.append({"image": name, "family": family, "bits": bits, "lr_factor": factor,
                                 "float_psnr": f.psnr, "psnr": q.psnr, "cost_db": f.psnr - q.psnr})  # fmt: skip
                    print(rows[-1])
    return {"meta": run_meta(size=args.tune_size, budget=args.tune_budget, qat_steps=args.qat_steps), "tune": rows}


def best_network_at(records: list[dict], image: str, bpp: float) -> dict | None:
    nets = [r for r in records if r["image"] == image and r["kind"] == "network" and r["bpp"] <= bpp * 1.0001]
    return max(nets, key=lambda r: r["psnr"], default=None)


def codec_at(records: list[dict], image: str, series: str, n_bytes: int) -> dict | None:
    for r in records:
        if r["image"] == image and r["series"] == series and r["budget_bytes"] == n_bytes:
            return r
    return None


def has_file(r: dict | None) -> bool:
    """Whether a codec record holds a file (no file fits: its PSNR is None, or NaN once read back)."""
    return r is not None and r.get("psnr") is not None and not math.isnan(r["psnr"])


def db(r: dict | None) -> str:
    return f"{r['psnr']:.2f} dB" if has_file(r) else "no file fits"


def shown(paths: str) -> str:
    """Comma-separated paths, each relative to the repository when it is inside it."""
    out = [Path(p) for p in paths.split(", ")]
    return ", ".join(str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p) for p in out)


def render_doc(result: dict[str, Any], figures: dict[str, str]) -> str:
    records, meta = result["records"], result["meta"]
    images = list(dict.fromkeys(r["image"] for r in records))
    lines = [
        "# Equal bytes: packed networks against codecs",
        "",
        f"Generated by `benchmarks/rate_distortion.py` from `{shown(result['path'])}`; do not edit by hand.",
        "",
        f"- Commands: `{meta['command']}`",
        f"- Machine: {meta['machine']}; torch {meta['torch']}; {meta['date']}",
        f"- Images ({meta['size']} px, longest side; none used for tuning): {', '.join(images)}",
        "- Networks: pixparam defaults at float32 for "
        f"{meta['steps']} steps, then `pp.edit.qat` and `pp.pack`; a network's rate is its packed file's size "
        "and its PSNR is measured on the unpacked file.",
        "- Codecs: the best file that fits the bytes (JPEG 4:2:0 and 4:4:4, WebP and AVIF through Pillow, "
        "quality 1–100); pixels: the largest area-downsampled counterpart whose PNG fits, bicubic upsampled.",
        "",
    ]
    for image in images:
        px = next(r["pixels"] for r in records if r["image"] == image)
        lines += [f"## {image}", "", "| bpp | best packed network | JPEG | WebP | AVIF | pixels (PNG) |"]
        lines += ["|---|---|---|---|---|---|"]
        for bpp in TABLE_BPP:
            n = round(bpp * px / 8)
            net = best_network_at(records, image, bpp)
            name = "none fits" if net is None else f"{db(net)} ({describe(net)})"
            cells = [db(codec_at(records, image, s, n)) for s in ("jpeg", "webp", "avif", "pixels/png")]
            lines.append(f"| {bpp} | {name} | " + " | ".join(cells) + " |")
        lines += ["", f"![rate-distortion, {image}]({figures[image]})", ""]
        lines += wins(records, image)
    lines += ["## What quantisation-aware packing costs", ""]
    lines += ["| image | family | budget | float32 | 8-bit | 6-bit | 4-bit |", "|---|---|---|---|---|---|---|"]
    nets = [r for r in records if r["kind"] == "network"]
    for key in dict.fromkeys((r["image"], r["family"], r["budget"]) for r in nets):
        row = {r["bits"]: r for r in nets if (r["image"], r["family"], r["budget"]) == key}
        base = row[32]["psnr"]
        cells = [f"{base:.2f} dB ({row[32]['bytes']:,} B)"]
        for bits in (8, 6, 4):
            r = row.get(bits)
            cells.append("–" if r is None else f"{r['psnr'] - base:+.2f} dB ({r['bytes']:,} B)")
        lines.append(f"| {key[0]} | {key[1]} | {pp.format_count(key[2])} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Published Kodak points (other images: for orientation only)",
        "",
        "| system | bpp | PSNR | source |",
        "|---|---|---|---|",
        *[f"| {r['label']} | {r['bpp']} | {r['psnr']} dB | {r['source']} |" for r in KODAK],
        "",
    ]
    return "\n".join(lines)


def describe(net: dict) -> str:
    """``'hashgrid 4k, 6-bit, 0.281 bpp'``."""
    return f"{net['family']} {pp.format_count(net['budget'])}, {net['bits']}-bit, {net['bpp']:.3f} bpp"


def wins(records: list[dict], image: str) -> list[str]:
    """Who wins at each table rate: the best packed network against each codec, in words."""
    out = []
    px = next(r["pixels"] for r in records if r["image"] == image)
    for bpp in TABLE_BPP:
        net = best_network_at(records, image, bpp)
        n = round(bpp * px / 8)
        said = []
        for series, label in (("jpeg", "JPEG"), ("webp", "WebP"), ("avif", "AVIF"), ("pixels/png", "PNG pixels")):
            c = codec_at(records, image, series, n)
            if not has_file(c):
                said.append(f"{label} has no file" + ("" if net is None else ", the network has one"))
            elif net is None:
                said.append(f"{label} wins ({c['psnr']:.2f} dB; no network fits)")
            elif net["psnr"] > c["psnr"]:
                said.append(f"the network beats {label} by {net['psnr'] - c['psnr']:.2f} dB")
            else:
                said.append(f"{label} beats the network by {c['psnr'] - net['psnr']:.2f} dB")
        out.append(f"- {bpp} bpp: " + "; ".join(said) + ".")
    return [*out, ""]


def write_doc(result: dict[str, Any], doc: Path) -> None:
    from pixparam.figures import save_figure
    from pixparam.figures.rate import plot_rate_distortion

    figures = {}
    for image in dict.fromkeys(r["image"] for r in result["records"]):
        png = doc.parent / f"rate_distortion-{image}.png"
        fig = plot_rate_distortion(result["records"], image=image, references=KODAK, title=f"{image}: quality per bit")
        save_figure(fig, png)
        figures[image] = png.name
    write_bytes_atomic(doc, (render_doc(result, figures) + "\n").encode())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", nargs="+", default=["coffee", "chelsea"])
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--budgets", nargs="+", default=["1k", "2k", "4k", "8k"])
    ap.add_argument("--families", nargs="+", default=list(pp.FAMILIES))
    ap.add_argument("--bits", nargs="+", type=int, default=[8, 6, 4])
    ap.add_argument("--steps", type=int, default=pp.training.DEFAULT_STEPS)
    ap.add_argument("--qat-steps", type=int, default=300)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--cache", type=Path, default=ROOT / "benchmarks" / ".cache" / "rate_distortion")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--doc", type=Path, default=None, help="write the markdown doc and figures beside it")
    ap.add_argument("--from-json", type=Path, nargs="+", default=None, help="render --doc from saved results")
    ap.add_argument("--tune", action="store_true", help="sweep QAT's learning rate on the tuning images")
    ap.add_argument("--tune-size", type=int, default=96)
    ap.add_argument("--tune-budget", default="4k")
    a = ap.parse_args()
    if a.from_json is not None:
        parts = [from_json(json.loads(path.read_text())) for path in a.from_json]
        result = {"meta": parts[0]["meta"], "records": [r for part in parts for r in part["records"]]}
        result["meta"]["command"] = " and ".join(part["meta"]["command"] for part in parts)
        result["path"] = ", ".join(str(path.resolve()) for path in a.from_json)
    else:
        result = tune(a) if a.tune else measure(a)
        if a.json is not None:
            text = json.dumps(finite(result), indent=1, allow_nan=False)
            write_bytes_atomic(a.json, (text + "\n").encode())
        result["path"] = str((a.json or Path("unsaved.json")).resolve())
    if a.doc is not None and not a.tune:
        write_doc(result, a.doc)
    if a.json is None and a.doc is None:
        json.dump(
            result,
            sys.stdout,
            indent=1,
            default=lambda v: None if not isinstance(v, float) or not math.isfinite(v) else v,
        )


if __name__ == "__main__":
    main()
