"""Seconds per training step of the ``gaussians`` family beside the hash grid, at the same budget and image.

Both fit the same image (full batch) for ``--steps`` steps, alternating
family by family ``--repeats`` times in one process so that the machine's
load falls on both alike; the table reports the median loop seconds per step
(``Fit.seconds / steps``) and their ratio. Peak memory (a 4096² render of a
64k-value fit, and a full-batch fit) is measured by ``bench_memory.py``:

    python benchmarks/bench_gaussians.py --json benchmarks/results/bench_gaussians_cpu.json
    python benchmarks/bench_memory.py --families siren hashgrid gaussians --fit-first 30 \\
        --json benchmarks/results/bench_memory_gaussians_cpu.json
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from _meta import run_meta  # benchmarks/ is on sys.path when a script runs

import pixparam as pp
from pixparam._io import write_json_atomic


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", nargs="+", default=["gaussians", "hashgrid"])
    ap.add_argument("--budget", default="16k")
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--image", default="astronaut")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()

    img = pp.load_image(a.image, size=a.size)
    runs: dict[str, list[float]] = {f: [] for f in a.families}
    psnr: dict[str, float] = {}
    arch: dict[str, str] = {}
    pp.fit(img, a.budget, a.families[0], steps=2, device=a.device, progress=False)  # warm up the process
    for _ in range(a.repeats):
        for family in a.families:
            f = pp.fit(
                img,
                a.budget,
                family,
                steps=a.steps,
                device=a.device,
                batch_size=img.shape[0] * img.shape[1],
                progress=False,
            )
            runs[family].append(f.seconds / a.steps)
            psnr[family], arch[family] = f.psnr, f.arch.describe()
    base = a.families[-1]
    rows = []
    for family in a.families:
        sec = statistics.median(runs[family])
        ratio = sec / statistics.median(runs[base])
        rows.append(
            {
                "family": family,
                "arch": arch[family],
                "seconds_per_step": sec,
                "runs": runs[family],
                "ratio_to_" + base: ratio,
                "psnr_after_steps": psnr[family],
            }
        )
        print(f"{family:>10} {arch[family]:<52} {sec * 1e3:8.1f} ms/step  ×{ratio:.2f} of {base}")
    if a.json:
        meta = run_meta(device=a.device, image=a.image, size=a.size, budget=a.budget, steps=a.steps)
        write_json_atomic(a.json, {"meta": meta, "rows": rows})


if __name__ == "__main__":
    main()
