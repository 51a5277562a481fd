"""Peak memory of a 4096² render and of a 1024² full-batch fit, each in a fresh process.

Each case runs in its own Python process so its peak is its own: the peak
resident set size (``ru_maxrss``) on the CPU, and PyTorch's peak allocated
memory on CUDA. A render is of an untrained network (the cost of an MLP
does not depend on the weights), or with ``--fit-first STEPS`` of a network
first fitted for that many steps to the astronaut at 128 px (a Gaussian
field's render cost depends on where its Gaussians are and how large; the
small fit adds little to the peak); a fit is ``--steps`` full-batch steps
(``batch_size`` = every pixel, so no mini-batching hides the cost).

    python benchmarks/bench_memory.py --json benchmarks/results/bench_memory_cpu.json
    python benchmarks/bench_memory.py --device cuda --steps 20 --json benchmarks/results/bench_memory_cuda.json
    python benchmarks/bench_memory.py --families siren hashgrid gaussians --fit-first 30 \
        --json benchmarks/results/bench_memory_gaussians_cpu.json
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import torch
from _meta import run_meta  # benchmarks/ is on sys.path when a script runs

import pixparam as pp
from pixparam._io import write_json_atomic
from pixparam.result import render_field


def measure_case(kind: str, family: str, budget: str, size: int, steps: int, device: str, fit_first: int = 0) -> dict:
    """Peak memory of one case: a ``size``² render (of a network first fitted ``fit_first`` steps), or a ``size``² fit.

    On CUDA the peak is ``torch.cuda.max_memory_allocated`` since this call
    began (so cases can share a process); on the CPU it is the process's peak
    resident set size, which is the case's own only in a fresh process.
    """
    size, steps, fit_first = int(size), int(steps), int(fit_first)
    dev = pp.resolve_device(device)
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(dev)
    t = time.perf_counter()
    if kind == "render":
        arch = pp.plan(budget, family, 3, resolution=size)
        if fit_first:  # a fitted network (Gaussians placed by the image), trained on a small image first
            small = pp.load_image("astronaut", size=128)
            model = pp.fit(small, arch, steps=fit_first, device=str(dev), progress=False).model
        else:
            model = pp.build(arch, device=dev)
        out = render_field(model, size, size)
        extra = {"output_bytes": out.nbytes, "fit_first": fit_first}
    else:
        img = pp.load_image("astronaut", size=size)
        f = pp.fit(img, budget, family, steps=steps, device=str(dev), batch_size=size * size, progress=False)
        extra = {"batch_size": f.config["batch_size"], "psnr": f.psnr}
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
    seconds = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    peak = torch.cuda.max_memory_allocated(dev) if dev.type == "cuda" else rss
    return {
        "kind": kind,
        "family": family,
        "budget": budget,
        "size": size,
        "steps": steps,
        "device": str(dev),
        "seconds": seconds,
        "peak_bytes": peak,
        **extra,
    }


# one case in a fresh process (its peak its own): benchmarks/ on the path, then measure_case
CASE = """
import json, sys
sys.path.insert(0, sys.argv[8])
from bench_memory import measure_case
print(json.dumps(measure_case(*sys.argv[1:8])))
"""

BASELINE = "import resource, torch, pixparam; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", nargs="+", default=["siren", "hashgrid"])
    ap.add_argument("--budget", default="64k")
    ap.add_argument("--render-size", type=int, default=4096)
    ap.add_argument("--fit-size", type=int, default=1024)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--fit-first", type=int, default=0, help="render a network fitted this many steps (128 px)")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()

    baseline = int(subprocess.run([sys.executable, "-c", BASELINE], capture_output=True, text=True).stdout)
    print(f"python + torch + pixparam at rest: {baseline / 2**20:.0f} MiB resident")
    rows = []
    for kind, size in (("render", a.render_size), ("fit", a.fit_size)):
        for family in a.families:
            args = [
                kind,
                family,
                a.budget,
                str(size),
                str(a.steps),
                a.device,
                str(a.fit_first),
                str(Path(__file__).parent),
            ]
            done = subprocess.run([sys.executable, "-c", CASE, *args], capture_output=True, text=True)
            if done.returncode != 0:
                print(f"{kind} {family}: failed\n{done.stderr[-2000:]}")
                continue
            row = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(
                f"{kind:>6} {family:>8} {a.budget} {size}²: peak {row['peak_bytes'] / 2**30:.2f} GiB "
                f"in {row['seconds']:.1f} s" + (f" (batch {row['batch_size']})" if kind == "fit" else "")
            )
    if a.json:
        write_json_atomic(a.json, {"meta": run_meta(device=a.device, baseline_bytes=baseline), "rows": rows})


if __name__ == "__main__":
    main()
