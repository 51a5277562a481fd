"""Each fast path against the plain one, side by side in one run: seconds per step and PSNR.

Per family, on one image and budget:

* ``fit`` as shipped (encodings prepared once per fit, fused Adam) against
  ``fit`` with each switched off in turn (the plain paths the tests compare
  them with);
* ``fit(compile=True)``, its time including compilation, which is cold
  (no on-disk cache) unless ``--warm-cache``;
* ``torch.compile`` of the network in a bare training loop against the same
  loop uncompiled: per-step time after warm-up, and the compile time;
* on CUDA, each matmul precision (fp32, tf32, bf16): time and PSNR change.

Variants alternate over ``--repeats`` rounds; the fastest round is kept, and
each variant's first round too (for ``torch.compile`` the first round in a
process is the one that pays for compilation).

    python benchmarks/bench_fastpaths.py --size 128 --budget 16k --steps 300 \
        --json benchmarks/results/bench_fastpaths_cpu.json
    python benchmarks/bench_fastpaths.py --device cuda --size 512 --budget 64k --steps 1000 \
        --json benchmarks/results/bench_fastpaths_cuda.json
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from _flops import sync
from _meta import run_meta  # benchmarks/ is on sys.path when a script runs

import pixparam as pp
from pixparam._io import write_json_atomic
from pixparam.coords import grid
from pixparam.training import adam_options


def switch(**settings: Any) -> Callable[[], contextlib.AbstractContextManager]:
    """A variant: ``fit`` with these TrainConfig switches (the fast paths are public settings)."""
    return lambda: contextlib.nullcontext(settings)


def fit_variants(img, budget: str, family: str, steps: int, device: str, repeats: int) -> list[dict[str, Any]]:
    shipped_fused = bool(adam_options(pp.resolve_device(device)).get("fused"))
    variants: dict[str, Callable[[], contextlib.AbstractContextManager]] = {
        "shipped": contextlib.nullcontext,
        "encode every step": switch(prepare=False),
        "unfused Adam" if shipped_fused else "fused Adam": switch(fused_adam=not shipped_fused),
        "torch.compile": switch(compile=True),
    }
    best: dict[str, pp.Fit] = {}
    first: dict[str, float] = {}  # a process's first compile pays in full; later ones reuse in-memory work
    for r in range(repeats):
        names = list(variants) if r % 2 == 0 else list(reversed(variants))
        for name in names:
            with variants[name]() as extra:
                f = pp.fit(img, budget, family, steps=steps, device=device, progress=False, **(extra or {}))
            first.setdefault(name, f.seconds)
            if name not in best or f.seconds < best[name].seconds:
                best[name] = f
    base = best["shipped"]
    return [
        {
            "family": family,
            "variant": name,
            "ms_per_step": 1e3 * f.seconds / steps,
            "first_ms_per_step": 1e3 * first[name] / steps,
            "speedup_of_shipped": f.seconds / base.seconds,
            "psnr": f.psnr,
            "dpsnr": f.psnr - base.psnr,
        }
        for name, f in best.items()
    ]


def compile_variant(img, budget: str, family: str, steps: int, device: torch.device) -> dict[str, Any]:
    h, w, c = img.shape
    coords, target = grid(h, w, device=device), torch.from_numpy(img.reshape(-1, c)).to(device)
    arch = pp.plan(budget, family, c, resolution=max(h, w))
    out: dict[str, Any] = {"family": family}
    for compiled in (False, True):
        model = pp.build(arch, device=device)
        net = torch.compile(model) if compiled else model
        opt = torch.optim.Adam(model.parameters(), lr=1e-4, fused=True)
        t0 = time.perf_counter()
        for i in range(steps + 10):
            if i == 10:  # the first steps pay for compilation
                sync(device)
                t1 = time.perf_counter()
            loss = F.mse_loss(net(coords), target)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        sync(device)
        t2 = time.perf_counter()
        key = "compiled" if compiled else "eager"
        out[f"{key}_ms_per_step"] = 1e3 * (t2 - t1) / steps
        out[f"{key}_first10_s"] = t1 - t0
    out["speedup"] = out["eager_ms_per_step"] / out["compiled_ms_per_step"]
    return out


def precision_variants(img, budget: str, family: str, steps: int, device: str) -> list[dict[str, Any]]:
    rows = []
    for precision in ("fp32", "tf32", "bf16"):
        f = pp.fit(img, budget, family, steps=steps, device=device, precision=precision, progress=False)
        rows.append({"family": family, "precision": precision, "ms_per_step": 1e3 * f.seconds / steps, "psnr": f.psnr})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image", default="astronaut")
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--budget", default="16k")
    ap.add_argument("--families", nargs="+", default=list(pp.FAMILIES))
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--no-compile", action="store_true")
    ap.add_argument(
        "--warm-cache", action="store_true", help="let torch.compile reuse its on-disk caches (default: cold compiles)"
    )
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()

    if not a.warm_cache:  # every compile pays in full, as a first run on a new machine does
        import torch._inductor.config as inductor_config

        inductor_config.force_disable_caches = True
    device = pp.resolve_device(a.device)
    img = pp.load_image(a.image, size=a.size)
    pp.fit(img, "1k", "siren", steps=5, device=str(device), progress=False)  # warm-up
    result: dict[str, Any] = {"fit": [], "compile": [], "precision": []}
    for family in a.families:
        rows = fit_variants(img, a.budget, family, a.steps, str(device), a.repeats)
        result["fit"] += rows
        for r in rows:
            print(
                f"{family:>8} {r['variant']:<18} {r['ms_per_step']:8.2f} ms/step "
                f"(first run {r['first_ms_per_step']:.2f}) "
                f"(×{r['speedup_of_shipped']:.2f} of shipped) PSNR {r['psnr']:.3f} dB (Δ {r['dpsnr']:+.3f})"
            )
        if not a.no_compile:
            c = compile_variant(img, a.budget, family, a.steps, device)
            result["compile"].append(c)
            print(
                f"{family:>8} torch.compile      {c['compiled_ms_per_step']:8.2f} ms/step against "
                f"{c['eager_ms_per_step']:.2f} eager (×{c['speedup']:.2f}); first 10 steps "
                f"{c['compiled_first10_s']:.1f} s against {c['eager_first10_s']:.2f} s"
            )
        if device.type == "cuda":
            for r in precision_variants(img, a.budget, family, a.steps, str(device)):
                result["precision"].append(r)
                print(f"{family:>8} {r['precision']:<18} {r['ms_per_step']:8.2f} ms/step PSNR {r['psnr']:.3f} dB")
    result["meta"] = run_meta(
        device=str(device), image=a.image, size=a.size, budget=a.budget, steps=a.steps, warm_cache=a.warm_cache
    )
    if a.json:
        write_json_atomic(a.json, result)


if __name__ == "__main__":
    main()
