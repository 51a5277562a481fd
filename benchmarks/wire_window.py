"""WIRE's window floor: training steps with and without it, side by side (issue #15's levers).

WIRE's Gabor window ``exp(-omega0 * zi - sigma0^2 |z|^2)`` underflows to
subnormal float32 numbers (below about 1e-38) for units far from their
centre, and x86 CPUs process subnormals many times slower than normal
numbers. ``pixparam.fields.wire.gabor`` sets the window to zero where its
exponent is below ``WINDOW_FLOOR`` (-40, a window below 4e-18). This script
times a training step (forward, mean squared error, backward, Adam) of the
shipped model against the same model with the window unfloored, alternating
the two, at each budget and number of points a step; and fits a small image
with each to show the floor does not change the result. Only the window
differs between the two: the unfloored one is this file's
:func:`unfloored`, swapped in for the shipped function.

    OMP_NUM_THREADS=2 python benchmarks/wire_window.py --json benchmarks/results/wire_window_cpu.json
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any
from unittest import mock

import torch
from _meta import run_meta  # benchmarks/ is on sys.path when a script runs

import pixparam as pp
from pixparam._io import write_json_atomic
from pixparam.fields import wire


def unfloored(zr: torch.Tensor, zi: torch.Tensor, omega0: float, sigma0: float) -> tuple[torch.Tensor, torch.Tensor]:
    """The Gabor wavelet with the window's exponent unbounded below (the formula before the floor)."""
    envelope = torch.exp(-omega0 * zi - sigma0**2 * (zr * zr + zi * zi))
    phase = omega0 * zr
    return envelope * torch.cos(phase), envelope * torch.sin(phase)


def step_seconds(arch: pp.Arch, points: int, steps: int, seed: int) -> float:
    """Seconds a step, the mean of ``steps`` after two untimed ones, on ``points`` random coordinates."""
    g = torch.Generator().manual_seed(seed)
    x, y = torch.rand(points, 2, generator=g) * 2 - 1, torch.rand(points, arch.channels, generator=g)
    model = pp.build(arch, seed=seed)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for i in range(steps + 2):
        if i == 2:
            t = time.perf_counter()
        loss = (model.raw_prepared(x) - y).square().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return (time.perf_counter() - t) / steps


def measure(a: argparse.Namespace) -> dict[str, Any]:
    """Every (budget, points a step): the best of ``repeats`` alternated timings of each window; the fits."""
    rows = []
    for budget in (pp.parse_budget(b) for b in a.budgets):
        arch = pp.plan(budget, "wire", channels=3)
        for points in a.points:
            best = {"floored": float("inf"), "unfloored": float("inf")}
            for _ in range(a.repeats):
                best["floored"] = min(best["floored"], step_seconds(arch, points, a.steps, a.seed))
                with mock.patch.object(wire, "gabor", unfloored):
                    best["unfloored"] = min(best["unfloored"], step_seconds(arch, points, a.steps, a.seed))
            rows.append({"budget": budget, "n_params": arch.n_params, "points": points, **best})
            gain = best["unfloored"] / best["floored"]
            print(f"{budget:>7} {points:>6} points  unfloored {best['unfloored']:.3f} s/step  "
                  f"floored {best['floored']:.3f} s/step  ×{gain:.2f}", flush=True)  # fmt: skip
    img = pp.load_image(a.image, size=a.fit_size)
    fits = {}
    for name in ("floored", "unfloored"):
        with mock.patch.object(wire, "gabor", unfloored if name == "unfloored" else wire.gabor):
            f = pp.fit(img, a.fit_budget, "wire", steps=a.fit_steps, seed=a.seed, device="cpu", progress=False)
        fits[name] = {"psnr": f.metrics["psnr"], "ssim": f.metrics["ssim"]}
    print(f"fit: floored {fits['floored']['psnr']:.4f} dB, unfloored {fits['unfloored']['psnr']:.4f} dB")
    meta = run_meta(steps=a.steps, repeats=a.repeats, seed=a.seed, floor=wire.WINDOW_FLOOR)
    meta |= {"fit": {"image": a.image, "size": a.fit_size, "budget": a.fit_budget, "steps": a.fit_steps}}
    return {"meta": meta, "rows": rows, "fits": fits}


def render(d: dict[str, Any]) -> str:
    """The Markdown section of ``docs/benchmarks.md`` for a saved run."""
    m, fit = d["meta"], d["meta"]["fit"]
    out = [
        "## WIRE's window floor (`wire_window.py`)",
        "",
        f"`{m['command']}` · {m['date'][:10]} · {m['machine']} · {m['threads']} threads · torch {m['torch']}",
        "",
        f"A training step (forward, MSE, backward, Adam) of WIRE with its Gabor window set to zero below "
        f"exp({m['floor']:g}), as shipped, against the same model with the window unbounded below, whose "
        f"far units underflow to subnormal floats; the best of {m['repeats']} alternated runs of {m['steps']} "
        "steps each.",
        "",
        "| budget | points a step | unfloored s/step | floored s/step | speed-up |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in d["rows"]:
        out.append(
            f"| {r['n_params']:,} | {r['points']:,} | {r['unfloored']:.3f} | {r['floored']:.3f} "
            f"| ×{r['unfloored'] / r['floored']:.2f} |"
        )
    f, u = d["fits"]["floored"], d["fits"]["unfloored"]
    out += [
        "",
        f"The same fit with each ({fit['image']}, {fit['size']} px, {fit['budget']}, {fit['steps']} steps): "
        f"{f['psnr']:.4f} dB floored, {u['psnr']:.4f} dB unfloored (Δ {f['psnr'] - u['psnr']:+.4f} dB); "
        f"SSIM {f['ssim']:.4f} and {u['ssim']:.4f}.",
        "",
    ]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budgets", nargs="+", default=["1k", "4k", "16k", "64k"])
    ap.add_argument("--points", nargs="+", type=int, default=[43776, 16384], help="a 171×256 image; a mini-batch")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--image", default="astronaut")
    ap.add_argument("--fit-size", type=int, default=64)
    ap.add_argument("--fit-budget", default="4k")
    ap.add_argument("--fit-steps", type=int, default=300)
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    d = measure(a)
    if a.json:
        write_json_atomic(a.json, d)
    print(render(d))


if __name__ == "__main__":
    main()
