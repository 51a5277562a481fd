"""How long the ``standard`` gallery profile's ladder takes on this machine today, and the floor no schedule beats.

Issue #15 asks for the CPU time of the ``standard`` profile (3 images at 256 px,
budgets 1k–64k, every family, 2000 steps) measured on a part and
extrapolated, against a 30-minute target. This script times each family and
budget on the profile's first image: two fits of ``--short`` and ``--long``
steps, whose difference is the cost per step without the fixed costs
(planning, initialisation, the final evaluation), which it also keeps. Both
fits evaluate the whole image as often as the real fit does (every
``steps // 100`` steps; a 25-step fit would otherwise do it every step). The
ladder's time is then ``images × Σ (fixed + steps × per_step)``; the edits,
films and experiments come on top, so it is a lower bound for the whole build.

The floor is the ladder's matmul work at this machine's measured float32
matmul peak (``6 · P_mlp · pixels`` a step, the hash tables' gathers not
counted): no implementation of full-batch training for that many steps is
faster, whatever it fuses or compiles.

    OMP_NUM_THREADS=2 python benchmarks/standard_estimate.py --plain \
        --json benchmarks/results/standard_estimate_cpu.json
    OMP_NUM_THREADS=2 python benchmarks/standard_estimate.py \
        --json benchmarks/results/standard_estimate_cpu_profile.json

The first ignores the profile's training settings (``Profile.training``: today's defaults, full batch); the
second trains as the profile does. Run them one after the other on a quiet machine: their ratio is the levers'
gain. The floor counts the matmul work of the points each step sees (a mini-batch, when the profile sets one).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import torch
from _flops import matmul_peak, step_flops  # benchmarks/ is on sys.path when a script runs
from _meta import run_meta

import pixparam as pp
from pixparam._io import write_bytes_atomic
from pixparam.gallery import get_profile

#: The issue's target for the whole ``standard`` build on a 2-core CPU.
TARGET_S = 30 * 60


def floor_seconds(arch: pp.Arch, pixels: int, steps: int, peak: float, batch: int | None = None) -> float:
    """The matmul work of ``steps`` full-batch steps at ``peak`` FLOP/s; 0 for a family without an MLP (grid,
    Gaussians), whose gathers and splats are not matmuls."""
    points = pixels if batch is None else min(batch, pixels)
    return steps * step_flops(arch, points) / peak if arch.widths else 0.0


def timed_fit(img: Any, budget: int, family: str, steps: int, **training: Any) -> tuple[float, pp.Fit]:
    t = time.perf_counter()
    f = pp.fit(img, budget, family, steps=steps, device="cpu", progress=False, **training)
    return time.perf_counter() - t, f


def measure(args: argparse.Namespace) -> dict[str, Any]:
    p = get_profile(args.profile)
    img = pp.load_image(p.images[0], size=p.size)
    h, w, _ = img.shape
    peak = matmul_peak(torch.device("cpu"))
    rows = []
    for family in p.families:
        training = {"steps": p.steps} if args.plain else p.training_for(family)
        steps = training.pop("steps")
        # the whole-image evaluations a real fit of `steps` makes (every steps // 100), not one a step as a
        # 25-step fit would by default: with mini-batches an evaluation costs about a step
        training["log_every"] = max(1, steps // 100)
        for budget in p.budgets:
            short, _ = timed_fit(img, budget, family, args.short, **training)
            long, f = timed_fit(img, budget, family, args.long, **training)
            per_step = max(long - short, 0.0) / (args.long - args.short)
            fixed = max(short - args.short * per_step, 0.0)
            rows.append(
                {
                    "family": family,
                    "budget": budget,
                    "n_params": f.n_params,
                    "arch": f.arch.describe(),
                    "seconds_per_step": per_step,
                    "fixed_seconds": fixed,
                    "steps": steps,
                    "batch_size": training.get("batch_size"),
                    "fit_seconds": fixed + steps * per_step,
                    "floor_seconds": floor_seconds(f.arch, h * w, steps, peak, training.get("batch_size")),
                }
            )
            print(f"{family:9s} {budget:>6}: {per_step * 1e3:8.1f} ms/step, a fit {rows[-1]['fit_seconds']:7.1f} s",
                  flush=True)  # fmt: skip
    n = len(p.images)
    total = n * sum(r["fit_seconds"] for r in rows)
    floor = n * sum(r["floor_seconds"] for r in rows)
    meta = run_meta(profile=p.name, image=p.images[0], shape=[h, w], images=list(p.images), steps=p.steps,
                    short=args.short, long=args.long, matmul_peak_flops=peak,
                    training={} if args.plain else p.training)  # fmt: skip
    return {"meta": meta, "rows": rows, "ladder_seconds": total, "floor_seconds": floor, "target_seconds": TARGET_S}


def refloor(result: dict[str, Any]) -> dict[str, Any]:
    """A saved run with its floors recomputed by :func:`floor_seconds` from its plans and measured peak (no timing)."""
    m = result["meta"]
    pixels, peak = m["shape"][0] * m["shape"][1], m["matmul_peak_flops"]
    for r in result["rows"]:
        arch = pp.plan(r["budget"], r["family"], channels=3, resolution=max(m["shape"]))
        r["floor_seconds"] = floor_seconds(arch, pixels, r.get("steps", m["steps"]), peak, r.get("batch_size"))
    result["floor_seconds"] = len(m["images"]) * sum(r["floor_seconds"] for r in result["rows"])
    m["floor_command"] = run_meta()["command"]
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="standard")
    ap.add_argument("--short", type=int, default=5)
    ap.add_argument("--long", type=int, default=25)
    ap.add_argument("--plain", action="store_true", help="ignore the profile's training settings (today's defaults)")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--refloor", type=Path, default=None, help="recompute the floors of a saved run (no timing)")
    a = ap.parse_args()
    result = measure(a) if a.refloor is None else refloor(json.loads(a.refloor.read_text()))
    text = json.dumps(result, indent=1)
    if a.json is not None:
        write_bytes_atomic(a.json, (text + "\n").encode())
    print(f"ladder: {result['ladder_seconds'] / 60:.1f} min; floor {result['floor_seconds'] / 60:.1f} min")


if __name__ == "__main__":
    main()
