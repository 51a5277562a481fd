"""Why bf16 training runs without autocast's cast cache: the same loop with and without it, on the CPU.

pixparam enters one ``matmul_precision`` context around a whole training
loop. Inside one ``torch.autocast`` context the cast cache hands every
forward the bf16 copies made at the first step, though the optimiser updates
the fp32 weights in place: the loop then learns nothing. On an H200 the GPU
suite's bf16 rows showed it (``gpu_suite.json``: SIREN at 1M 10.5 dB against
36.8 at fp32). This script shows the same on a CPU, where autocast has the
same cache: tiny-cuda-nn's setting (``bench_tcnn_setting.OneBlobNet``) at
64 px, batches of 2^12, in fp32, in one bf16 context with the cache, and in
one without it.

    python benchmarks/autocast_cache.py --json benchmarks/results/autocast_cache_cpu.json
"""

from __future__ import annotations

import argparse
import contextlib
import math
from pathlib import Path

import torch
from _meta import run_meta  # benchmarks/ is on sys.path when a script runs
from bench_tcnn_setting import OneBlobNet, optimizer, train_step

import pixparam as pp
from pixparam._io import write_json_atomic


def train(img_t: torch.Tensor, steps: int, batch: int, mode: str) -> list[float]:
    """Batch PSNR every 50 steps of the loop, all of it in one context: ``fp32``, ``bf16-cache`` or ``bf16``."""
    net = OneBlobNet(img_t.shape[0], seed=0)
    opt = optimizer(net)
    gen = torch.Generator().manual_seed(0)
    image = img_t[None]
    ctx = (
        contextlib.nullcontext()
        if mode == "fp32"
        else torch.autocast("cpu", dtype=torch.bfloat16, cache_enabled=mode == "bf16-cache")
    )
    psnr = []
    with ctx:
        for step in range(steps):
            loss = train_step(net, opt, image, batch, gen)
            if step % 50 == 0 or step == steps - 1:
                psnr.append(-10 * math.log10(loss.item()))
    return psnr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch-log2", type=int, default=12)
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    img = pp.load_image("astronaut", size=a.size)  # a tuning image: this measures a mechanism, not a default
    img_t = torch.from_numpy(img).permute(2, 0, 1).contiguous()
    rows = {mode: train(img_t, a.steps, 1 << a.batch_log2, mode) for mode in ("fp32", "bf16-cache", "bf16")}
    print(f"{'context':<11} batch PSNR every 50 steps (dB)")
    for mode, psnr in rows.items():
        print(f"{mode:<11} " + " ".join(f"{p:5.1f}" for p in psnr))
    if a.json:
        meta = run_meta(size=a.size, steps=a.steps, batch=1 << a.batch_log2, image="astronaut")
        write_json_atomic(a.json, {"meta": meta, "psnr_every_50": rows})


if __name__ == "__main__":
    main()
