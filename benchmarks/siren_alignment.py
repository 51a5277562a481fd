"""Does weight matching let two independently seeded SIRENs be blended? Midpoint PSNR by alignment.

On the tuning images only (astronaut, camera), for each budget, family setting
and seed pair ``(s, s + 1)``: fit ``a`` and ``b`` (one architecture, two
seeds, the same image), then blend their weights at α = 0.25, 0.5, 0.75 after

* ``none``: no alignment;
* ``perm``: permutations of hidden units only (``pp.edit.align(a, b, signs=False)``);
* ``perm+sign``: permutations and sign flips (``signs=True``; odd activations only);
* ``perm+sign+wrap`` (SIREN): also SIREN's periodic symmetry ``sin(ω0 (z + 2π/ω0)) = sin(ω0 z)``:
  each of b's hidden biases is moved by whole periods ``2π/ω0`` to the nearest of a's matched bias.

Every alignment must leave b's function unchanged (``max_render_change``).
A plain ReLU MLP is the control (permutations only). Also recorded: the
weight distance to ``a`` (:func:`pixparam.edit.weight_distance`), the
first-layer residual ``‖W0_a − W0_b‖ / ‖W0_a‖`` after alignment, how far
training moved the first layer from its initialisation, and the PSNR of a flat
image of the mean colour (a blend below it holds less than nothing). The JSON
is rewritten after every pair, and a rerun skips pairs already done.

    OMP_NUM_THREADS=1 python benchmarks/siren_alignment.py
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from _meta import run_meta  # benchmarks/ is on sys.path when a script runs

import pixparam as pp

ALPHAS = (0.25, 0.5, 0.75)
TUNING_IMAGES = ("astronaut", "camera")


def setting(text: str) -> tuple[str, dict[str, float]]:
    """``"siren:30"`` -> ``("siren", {"omega0": 30.0})``; ``"relu"`` -> ``("relu", {})``."""
    family, _, omega = text.partition(":")
    return family, ({"omega0": float(omega)} if omega else {})


def wrap_biases(a: pp.Fit, b: pp.Fit) -> pp.Fit:
    """``b`` with each hidden bias moved by whole periods ``2π/ω0`` towards a's: the same SIREN function."""
    period = 2 * math.pi / float(a.arch.options["omega0"])
    out = copy.deepcopy(b)
    with torch.no_grad():
        for la, lb in zip(pp.fields.hidden_layers(a.model)[:-1], pp.fields.hidden_layers(out.model)[:-1], strict=True):
            lb.bias += torch.round((la.bias - lb.bias) / period) * period
    out.metrics.clear()
    return out


def first_layer_residual(a: pp.Fit, b: pp.Fit) -> float:
    wa, wb = (pp.fields.hidden_layers(f.model)[0].weight.detach().double() for f in (a, b))
    return float((wa - wb).norm() / wa.norm())


def one_pair(img: np.ndarray, budget: int, family: str, opts: dict, seed: int, steps: int) -> dict[str, Any]:
    a = pp.fit(img, budget, family, steps=steps, seed=seed, device="cpu", progress=False, **opts)
    b = pp.fit(img, a.arch, steps=steps, seed=seed + 1, device="cpu", progress=False)
    init = pp.build(a.arch, seed=seed)
    w0, w1 = pp.fields.hidden_layers(init)[0].weight.detach(), pp.fields.hidden_layers(a.model)[0].weight.detach()
    flat = pp.psnr(img, np.broadcast_to(img.mean(axis=(0, 1)), img.shape).astype(np.float32))
    ref = b.render()
    aligned: dict[str, pp.Fit] = {"none": b, "perm": pp.edit.align(a, b, signs=False)}
    if pp.fields.spec_for(family).odd_activation:
        aligned["perm+sign"] = pp.edit.align(a, b, signs=True)
    if "omega0" in a.arch.options:
        aligned["perm+sign+wrap"] = wrap_biases(a, aligned["perm+sign"])
    methods = {}
    for name, bb in aligned.items():
        path = [pp.edit.blend(a, bb, t, align=False).psnr for t in ALPHAS]
        methods[name] = {
            "psnr": dict(zip([str(t) for t in ALPHAS], path, strict=True)),
            "mid": path[ALPHAS.index(0.5)],
            "distance": pp.edit.weight_distance(a, bb),
            "first_layer_residual": first_layer_residual(a, bb),
            "max_render_change": float(np.abs(bb.render() - ref).max()),
            "flips": int(bb.edits[-1].get("flips", 0)) if bb.edits and bb.edits[-1]["name"] == "align" else 0,
        }
    return {
        "arch": a.arch.describe(),
        "n_params": a.n_params,
        "psnr_a": a.psnr,
        "psnr_b": b.psnr,
        "flat_psnr": flat,
        "first_layer_moved": float((w1 - w0).norm() / w0.norm()),
        "methods": methods,
    }


def summarise(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[tuple, list[dict]] = {}
    for r in runs:
        groups.setdefault((r["setting"], r["budget"]), []).append(r)
    out = []
    for (label, budget), rs in groups.items():
        names = list(rs[0]["methods"])
        mid = {m: float(np.mean([r["methods"][m]["mid"] for r in rs])) for m in names}
        best = max((m for m in names if m != "none"), key=mid.get)  # type: ignore[arg-type]
        out.append(
            {
                "setting": label,
                "budget": budget,
                "runs": len(rs),
                "endpoint_psnr": float(np.mean([(r["psnr_a"] + r["psnr_b"]) / 2 for r in rs])),
                "flat_psnr": float(np.mean([r["flat_psnr"] for r in rs])),
                "first_layer_moved": float(np.mean([r["first_layer_moved"] for r in rs])),
                "mid": mid,
                "mid_min": {m: float(np.min([r["methods"][m]["mid"] for r in rs])) for m in names},
                "mid_max": {m: float(np.max([r["methods"][m]["mid"] for r in rs])) for m in names},
                "distance": {m: float(np.mean([r["methods"][m]["distance"] for r in rs])) for m in names},
                "first_layer_residual": {
                    m: float(np.mean([r["methods"][m]["first_layer_residual"] for r in rs])) for m in names
                },
                "max_render_change": max(r["methods"][m]["max_render_change"] for r in rs for m in names),
                "best_alignment": best,
                "gain_db": mid[best] - mid["none"],
                "pairs_improved": sum(r["methods"][best]["mid"] > r["methods"]["none"]["mid"] for r in rs),
                "above_flat": {m: sum(r["methods"][m]["mid"] > r["flat_psnr"] for r in rs) for m in names},
            }
        )
    return out


def write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        json.dump(value, fh, indent=1)
    os.replace(tmp, path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", nargs="+", default=list(TUNING_IMAGES), choices=TUNING_IMAGES)
    ap.add_argument("--size", type=int, default=48)
    ap.add_argument("--budgets", nargs="+", type=int, default=[2000, 8000])
    ap.add_argument("--settings", nargs="+", default=["siren:30", "siren:10", "relu"], help="family[:omega0]")
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 2, 4], help="first seed of each pair (s, s+1)")
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--json", type=Path, default=Path("benchmarks/results/siren_alignment_48px.json"))
    args = ap.parse_args()
    t0 = time.perf_counter()
    old = json.loads(args.json.read_text()) if args.json.exists() else {}
    done = {r["id"]: r for r in old.get("runs", [])}
    out: dict[str, Any] = {
        "meta": run_meta(
            images=args.images,
            size=args.size,
            steps=args.steps,
            alphas=list(ALPHAS),
            notes="PSNR in dB against the image both fits were fitted to; a and b share the architecture and the "
            "image and differ only in seed; mid = PSNR of the weight blend at alpha 0.5",
        ),
        "runs": [],
    }
    for name in args.images:
        img = pp.load_image(name, size=args.size)
        for budget in args.budgets:
            for label in args.settings:
                family, opts = setting(label)
                for seed in args.seeds:
                    rid = f"{name}/{args.size}/{budget}/{label}/{seed}/{args.steps}"
                    if rid not in done:
                        rec = one_pair(img, budget, family, opts, seed, args.steps)
                        done[rid] = {"id": rid, "image": name, "budget": budget, "setting": label, "seed": seed, **rec}
                        print(rid, {m: round(v["mid"], 2) for m, v in rec["methods"].items()}, flush=True)
                    out["runs"].append(done[rid])
                    out["summary"] = summarise(out["runs"])
                    out["meta"]["seconds"] = round(time.perf_counter() - t0, 1)
                    write_json(args.json, out)
    for s in out["summary"]:
        mids = ", ".join(f"{m} {v:.2f}" for m, v in s["mid"].items())
        print(f"{s['setting']:>9} {s['budget']:>6}: flat {s['flat_psnr']:.2f} | {mids} | gain {s['gain_db']:+.2f} dB")


if __name__ == "__main__":
    main()
