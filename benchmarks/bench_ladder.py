"""``fit_ladder`` sequential against batched, side by side: time, throughput and agreement.

For every family: the ladder fitted one rung after another
(``batched=False``) and all rungs together (``batched=True``), alternating
which goes first over ``--repeats`` rounds, with the best time of each kept.
Reports, per family: the wall time of each, their ratio, the largest
|ΔPSNR| between the two results for any rung (the batched loop must give the
sequential results), and per rung (from the sequential fits): seconds per
step, pixels·params per second, and the achieved FLOP/s (about 6·P per pixel
per step, P the parameters inside matmuls) against the device's measured
float32 matmul peak.

    python benchmarks/bench_ladder.py --size 64 --budgets 1k 4k 16k 64k --steps 500 \
        --json benchmarks/results/bench_ladder_cpu.json --md docs/bench_ladder_cpu.md
    # the issue's GPU setting (a 6-rung ladder on a 512² image, 2000 steps each)
    python benchmarks/bench_ladder.py --device cuda --size 512 --budgets 1k 4k 16k 64k 128k 256k \
        --steps 2000 --json benchmarks/results/bench_ladder_cuda.json --md docs/bench_ladder_cuda.md
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from _flops import matmul_peak, step_flops, sync
from _meta import run_meta  # benchmarks/ is on sys.path when a script runs

import pixparam as pp
from pixparam._io import write_bytes_atomic


def timed_ladder(img, budgets: list[str], family: str, batched: bool, **kw: Any) -> tuple[float, list[pp.Fit]]:
    device = pp.resolve_device(kw["device"])
    sync(device)
    t = time.perf_counter()
    fits = pp.fit_ladder(img, budgets, family, batched=batched, **kw)
    sync(device)
    return time.perf_counter() - t, fits


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image", default="astronaut")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--budgets", nargs="+", default=["1k", "4k", "16k", "64k"])
    ap.add_argument("--families", nargs="+", default=["siren", "hashgrid"])
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--md", type=Path, default=None)
    a = ap.parse_args()

    device = pp.resolve_device(a.device)
    img = pp.load_image(a.image, size=a.size)
    h, w, _ = img.shape
    kw = dict(steps=a.steps, device=str(device), progress=False)
    pp.fit_ladder(img, a.budgets[:1], a.families[0], **{**kw, "steps": 5})  # warm-up: first-call costs
    peak = matmul_peak(device)
    rows = []
    for family in a.families:
        best: dict[bool, float] = {True: float("inf"), False: float("inf")}
        fits: dict[bool, list[pp.Fit]] = {}
        for r in range(a.repeats):
            for batched in (r % 2 == 0, r % 2 == 1):  # alternate which runs first
                seconds, fits[batched] = timed_ladder(img, a.budgets, family, batched, **kw)
                best[batched] = min(best[batched], seconds)
        rungs = []
        for f in fits[False]:
            per_step = f.seconds / a.steps
            flops = step_flops(f.arch, h * w) / per_step
            rungs.append(
                {
                    "budget": f.arch.budget,
                    "params": f.n_params,
                    "psnr": f.psnr,
                    "seconds": f.seconds,
                    "seconds_per_step": per_step,
                    "pixel_params_per_s": h * w * f.n_params / per_step,
                    "flops": flops,
                    "of_peak": flops / peak,
                    "batch_size": f.config["batch_size"],
                }
            )
        rows.append(
            {
                "family": family,
                "sequential_s": best[False],
                "batched_s": best[True],
                "speedup": best[False] / best[True],
                "groups": [f.config.get("trained_with", 1) for f in fits[True]],
                "max_abs_dpsnr": max(abs(x.psnr - y.psnr) for x, y in zip(fits[True], fits[False])),
                "rungs": rungs,
            }
        )
        print(
            f"{family}: sequential {best[False]:.2f} s, batched {best[True]:.2f} s "
            f"(×{rows[-1]['speedup']:.2f}), max |ΔPSNR| {rows[-1]['max_abs_dpsnr']:.3g} dB"
        )
    result = {
        "meta": run_meta(
            device=str(device), image=a.image, shape=[h, w], steps=a.steps, repeats=a.repeats, matmul_peak=peak
        ),
        "rows": rows,
    }
    report = render_markdown(result)
    print(report)
    if a.json:
        write_bytes_atomic(a.json, (json.dumps(result, indent=1) + "\n").encode())
    if a.md:
        write_bytes_atomic(a.md, report.encode())


def render_markdown(result: dict) -> str:
    m = result["meta"]
    lines = [
        f"`{m['command']}` · {m['date']} · {m['device']} ({m['threads']} threads) · torch {m['torch']}",
        "",
        f"{m['image']} {m['shape'][1]}×{m['shape'][0]}, {m['steps']} steps per rung, best of {m['repeats']}; "
        f"measured float32 matmul peak {m['matmul_peak'] / 1e9:.0f} GFLOP/s.",
        "",
        "| family | sequential | batched | speed-up | max abs ΔPSNR |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        lines.append(
            f"| {r['family']} | {r['sequential_s']:.2f} s | {r['batched_s']:.2f} s | ×{r['speedup']:.2f} "
            f"| {r['max_abs_dpsnr']:.3g} dB |"
        )
    lines += [
        "",
        "| family | params | PSNR | ms/step | pixels·params/s | GFLOP/s | of matmul peak |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        for g in r["rungs"]:
            lines.append(
                f"| {r['family']} | {g['params']:,} | {g['psnr']:.2f} dB | {1e3 * g['seconds_per_step']:.2f} "
                f"| {g['pixel_params_per_s']:.3g} | {g['flops'] / 1e9:.1f} | {100 * g['of_peak']:.0f} % |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
