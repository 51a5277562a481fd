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
    python benchmarks/rate_distortion.py --tune-rate --tune-size 128 --tune-budget 2k \
        --families siren hashgrid grid gaussians --steps 1000 --qat-steps 200 \
        --json benchmarks/results/qat_rate_tune_128px.json              # QAT's rate term, ditto
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
from _rate_doc import KODAK, render

import pixparam as pp
from pixparam._io import write_bytes_atomic
from pixparam.codecs import CODECS, at_most, png_pixels_at_most
from pixparam.store import finite, from_json

ROOT = Path(__file__).resolve().parents[1]

#: Bit rates every codec is also measured at.
BPP_GRID = (0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Every network and codec record; with ``--json`` the file is rewritten after every fit, and a rerun resumes it."""
    cache = pp.FitCache(args.cache)
    meta = run_meta(images=args.images, size=args.size, steps=args.steps, qat_steps=args.qat_steps)
    records: list[dict[str, Any]] = []
    if args.json is not None and args.json.exists():  # resume: keep what a run with these settings measured
        old = from_json(json.loads(args.json.read_text()))
        same = all(old["meta"].get(k) == meta.get(k) for k in ("size", "steps", "qat_steps"))
        records = old["records"] if same else []
    done = {(r["image"], r["series"], r["budget"]) for r in records if r["kind"] == "network"}
    done |= {(r["image"], r["series"], r["budget_bytes"]) for r in records if r["kind"] == "codec"}

    def save() -> None:
        if args.json is not None:
            text = json.dumps(finite({"meta": meta, "records": records}), indent=1, allow_nan=False)
            write_bytes_atomic(args.json, (text + "\n").encode())

    tmp = Path(tempfile.mkdtemp())
    for name in args.images:
        img = pp.load_image(name, size=args.size)
        h, w, _ = img.shape
        byte_targets = {round(bpp * h * w / 8) for bpp in BPP_GRID}
        for family in args.families:
            for budget in args.budgets:
                keys = [(name, f"{family}/{bits}", pp.parse_budget(budget)) for bits in (32, *args.bits)]
                if all(k in done for k in keys):
                    byte_targets |= {r["bytes"] for r in records if (r["image"], r["series"], r.get("budget")) in keys}
                    continue
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
                    key = (name, f"{family}/{bits}", pp.parse_budget(budget))
                    records[:] = [r for r in records if (r["image"], r["series"], r.get("budget")) != key]
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
                    bpp = 8 * n / (h * w)
                    said = f"{n:6,} B {bpp:.3f} bpp {back.psnr:.2f} dB"
                    print(f"{name} {family} {budget} {bits:>2}-bit: {said}", flush=True)
                save()
        for n in sorted(byte_targets):
            for codec in (*CODECS, "pixels/png", "pixels/raw"):
                if (name, codec, n) in done:
                    continue
                if codec == "pixels/png":
                    found = png_pixels_at_most(img, n)
                    got = None if found is None else {"bytes": found[1], "psnr": found[0].psnr, "ssim": found[0].ssim}
                elif codec == "pixels/raw":  # the counterpart's 8-bit values, stored as they are
                    raw = pp.pixelate(img, n, match="bits", param_bits=8) if n >= img.shape[2] else None
                    got = None if raw is None else {"bytes": raw.n_values, "psnr": raw.psnr, "ssim": raw.ssim}
                else:
                    c = at_most(img, n, codec)
                    got = None if c is None else {"bytes": c.n_bytes, "psnr": c.psnr, "ssim": c.ssim, "q": c.quality}
                row = {"image": name, "kind": "codec", "series": codec, "budget_bytes": n, "pixels": h * w}
                row["bpp"] = 8 * n / (h * w)
                records.append({**row, **(got or {"bytes": None, "psnr": None, "ssim": None})})
        save()
    return {"meta": meta, "records": records}


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


#: The rate term's weights λ and QAT learning-rate factors ``--tune-rate`` sweeps.
RATE_LAMBDAS = (0.0, 1e-4, 1e-3, 1e-2, 1e-1)
RATE_LR_FACTORS = (0.03, 0.3)


def tune_rate(args: argparse.Namespace) -> dict[str, Any]:
    """Whether QAT's rate term (``pp.edit.qat(rate=λ)``) pays, on the tuning images (astronaut, camera) only."""
    rows = []
    tmp = Path(tempfile.mkdtemp())
    for name in ("astronaut", "camera"):
        img = pp.load_image(name, size=args.tune_size)
        h, w, _ = img.shape
        for family in args.families:
            f = pp.fit(img, args.tune_budget, family, steps=args.steps, device=args.device, progress=False)
            base = pp.fields.spec_for(family).defaults.lr_for(f.arch)
            for bits in (8, 6):
                for factor in RATE_LR_FACTORS:
                    for lam in RATE_LAMBDAS:
                        q = pp.edit.qat(f, bits, steps=args.qat_steps, lr=factor * base, rate=lam, progress=False)
                        n = pp.pack(q, tmp / "f.ppk", bits=bits).stat().st_size
                        rows.append({"image": name, "family": family, "bits": bits, "lr_factor": factor, "rate": lam,
                                     "bytes": n, "bpp": 8 * n / (h * w), "psnr": q.psnr})  # fmt: skip
                        print(rows[-1], flush=True)
    meta = run_meta(size=args.tune_size, budget=args.tune_budget, steps=args.steps, qat_steps=args.qat_steps)
    return {"meta": meta, "tune_rate": rows}


def write_doc(result: dict[str, Any], doc: Path, tunes: dict[str, dict]) -> None:
    from pixparam.figures import save_figure
    from pixparam.figures.rate import plot_rate_distortion

    figures = {}
    for image in dict.fromkeys(r["image"] for r in result["records"]):
        png = doc.parent / f"rate_distortion-{image}.png"
        fig = plot_rate_distortion(result["records"], image=image, references=KODAK, title=f"{image}: quality per bit")
        save_figure(fig, png)
        figures[image] = png.name
    write_bytes_atomic(doc, render(result, figures, tunes).encode())


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
    ap.add_argument("--tune-rate", action="store_true", help="sweep QAT's rate term on the tuning images")
    ap.add_argument("--tune-size", type=int, default=96)
    ap.add_argument("--tune-budget", default="4k")
    a = ap.parse_args()
    tuning = a.tune or a.tune_rate
    tunes: dict[str, dict] = {}
    if a.from_json is not None:  # measurements and the two sweeps, told apart by what they hold
        parts = [(path, from_json(json.loads(path.read_text()))) for path in a.from_json]
        for key in ("tune", "tune_rate"):
            tunes.update((key, part) for _, part in parts if key in part)
        runs = [(path, part) for path, part in parts if "records" in part]
        if not runs:
            raise SystemExit("--from-json: none of the files holds rate-distortion records")
        result = {"meta": runs[0][1]["meta"], "records": [r for _, part in runs for r in part["records"]]}
        result["meta"]["command"] = " and ".join(part["meta"]["command"] for _, part in runs)
        result["path"] = ", ".join(str(path.resolve()) for path, _ in runs)
    else:
        result = tune_rate(a) if a.tune_rate else tune(a) if a.tune else measure(a)
        if a.json is not None and tuning:  # measure() writes its own file as it goes
            text = json.dumps(finite(result), indent=1, allow_nan=False)
            write_bytes_atomic(a.json, (text + "\n").encode())
        result["path"] = str((a.json or Path("unsaved.json")).resolve())
    if a.doc is not None and not tuning:
        write_doc(result, a.doc, tunes)
    if a.json is None and a.doc is None:
        json.dump(
            result,
            sys.stdout,
            indent=1,
            default=lambda v: None if not isinstance(v, float) or not math.isfinite(v) else v,
        )


if __name__ == "__main__":
    main()
