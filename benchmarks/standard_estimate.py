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
matmul peak (``6 · M · pixels`` a step, for the ``M`` multiply-adds a point of
``_flops.mlp_macs``; the hash tables' gathers not counted): no implementation
of full-batch training for that many steps is faster, whatever it fuses or
compiles.

    OMP_NUM_THREADS=2 python benchmarks/standard_estimate.py --plain \
        --json benchmarks/results/standard_estimate_cpu.json
    OMP_NUM_THREADS=2 python benchmarks/standard_estimate.py \
        --json benchmarks/results/standard_estimate_cpu_profile.json

The first ignores the profile's training settings (``Profile.training``: today's defaults, full batch); the
second trains as the profile does. Run them one after the other on a quiet machine: their ratio is the levers'
gain. The floor counts the matmul work of the points each step sees (a mini-batch, when the profile sets one).

``--compile`` also times every fit through ``torch.compile``, right after the eager one, so that both are
measured side by side: a first compiled fit, cold (nothing of its graph in Inductor's on-disk cache), gives the
fixed cost, compilation included; two more, of ``--short`` and ``--compiled-long`` steps, the cost of a step.
Each compiled fit compiles afresh, as each fit of a gallery does. Compiling
*pays* for a family when its compiled ladder takes at most ``CHEAPER`` (0.9) of the eager one's time; the
profile compiles exactly those families (``tests/test_time_to_quality.py`` checks it against the saved run)::

    OMP_NUM_THREADS=2 python benchmarks/standard_estimate.py --compile \
        --json benchmarks/results/standard_estimate_cpu_profile.json
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
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
#: Compiling pays for a family when its ladder takes at most this fraction of the eager time (timing noise aside).
CHEAPER = 0.9


def floor_seconds(arch: pp.Arch, pixels: int, steps: int, peak: float, batch: int | None = None) -> float:
    """The matmul work of ``steps`` full-batch steps at ``peak`` FLOP/s; 0 for a family without an MLP (grid,
    Gaussians), whose gathers and splats are not matmuls."""
    points = pixels if batch is None else min(batch, pixels)
    return steps * step_flops(arch, points) / peak if arch.widths else 0.0


def timed_fit(img: Any, budget: int, family: str, steps: int, **training: Any) -> tuple[float, pp.Fit]:
    t = time.perf_counter()
    f = pp.fit(img, budget, family, steps=steps, device="cpu", progress=False, **training)
    return time.perf_counter() - t, f


def step_cost(img: Any, budget: int, family: str, short: int, long: int, **training: Any) -> tuple[float, float, Any]:
    """Seconds a step and fixed seconds of a fit of ``budget``, from fits of ``short`` and ``long`` steps."""
    t_short, _ = timed_fit(img, budget, family, short, **training)
    t_long, f = timed_fit(img, budget, family, long, **training)
    per_step = max(t_long - t_short, 0.0) / (long - short)
    return per_step, max(t_short - short * per_step, 0.0), f


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
        if args.compile:  # the eager side of the comparison (without --compile: as the profile trains, compiled or not)
            training["compile"] = False
        for budget in p.budgets:
            per_step, fixed, f = step_cost(img, budget, family, args.short, args.long, **training)
            row = {
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
            if args.compile:  # right after the eager fits, so that both see the same machine
                compiled = training | {"compile": True}
                # the first compiled fit compiles cold (Inductor's on-disk cache empty for this graph): its time
                # gives the fixed cost; the next two (warm, and longer, so compile-time noise is spread thin) the
                # cost of a step
                cold, _ = timed_fit(img, budget, family, args.short, **compiled)
                c_step, _, _ = step_cost(img, budget, family, args.short, args.compiled_long, **compiled)
                c_fixed = max(cold - args.short * c_step, 0.0)
                row |= {"compiled_seconds_per_step": c_step, "compiled_fixed_seconds": c_fixed,
                        "compiled_fit_seconds": c_fixed + steps * c_step}  # fmt: skip
            rows.append(row)
            also = f"; compiled {row['compiled_fit_seconds']:7.1f} s" if args.compile else ""
            print(f"{family:9s} {budget:>6}: {per_step * 1e3:8.1f} ms/step, a fit {row['fit_seconds']:7.1f} s{also}",
                  flush=True)  # fmt: skip
    n = len(p.images)
    total = n * sum(r["fit_seconds"] for r in rows)
    floor = n * sum(r["floor_seconds"] for r in rows)
    meta = run_meta(profile=p.name, image=p.images[0], shape=[h, w], images=list(p.images), steps=p.steps,
                    short=args.short, long=args.long, matmul_peak_flops=peak,
                    **({"compiled_long": args.compiled_long} if args.compile else {}),
                    training={} if args.plain else p.training)  # fmt: skip
    result = {"meta": meta, "rows": rows, "ladder_seconds": total, "floor_seconds": floor, "target_seconds": TARGET_S}
    if args.compile:
        result |= compiled_ladder(rows, n)
    return result


def compiled_ladder(rows: list[dict[str, Any]], images: int) -> dict[str, Any]:
    """Which families compiling pays for (compiled ladder ≤ ``CHEAPER`` × eager), and the ladder's time when
    exactly those are compiled."""
    pays, total = [], 0.0
    for family in dict.fromkeys(r["family"] for r in rows):
        eager = sum(r["fit_seconds"] for r in rows if r["family"] == family)
        compiled = sum(r["compiled_fit_seconds"] for r in rows if r["family"] == family)
        if compiled <= CHEAPER * eager:
            pays.append(family)
        total += compiled if family in pays else eager
    return {"compile_pays": pays, "compiled_ladder_seconds": images * total}


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
    ap.add_argument("--compile", action="store_true", help="also time every fit compiled, side by side")
    ap.add_argument("--compiled-long", type=int, default=105, help="steps of the longer compiled timing fit")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--refloor", type=Path, default=None, help="recompute the floors of a saved run (no timing)")
    a = ap.parse_args()
    if a.compile:  # an empty on-disk compile cache, so that each graph's first compilation is a cold one
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="pixparam-inductor-")
    result = measure(a) if a.refloor is None else refloor(json.loads(a.refloor.read_text()))
    text = json.dumps(result, indent=1)
    if a.json is not None:
        write_bytes_atomic(a.json, (text + "\n").encode())
    print(f"ladder: {result['ladder_seconds'] / 60:.1f} min; floor {result['floor_seconds'] / 60:.1f} min")
    if "compiled_ladder_seconds" in result:
        print(f"compiled where it pays ({', '.join(result['compile_pays']) or 'nowhere'}): "
              f"{result['compiled_ladder_seconds'] / 60:.1f} min")  # fmt: skip


if __name__ == "__main__":
    main()
