"""FLOP counts of a training step and the device's measured matmul peak, for achieved-throughput figures."""

from __future__ import annotations

import itertools
import time

import torch

import pixparam as pp
from pixparam.devices import matmul_precision


def mlp_macs(arch: pp.Arch) -> int:
    """The MLP's multiply-adds a point, forward: one per weight (and bias) in a matmul, not hash tables.

    WIRE's hidden layers multiply complex weights ``A + iB`` with complex
    activations: each of ``A`` and ``B`` enters two real matmuls, so its
    hidden weights count twice.
    """
    if arch.family == "hashgrid":
        o = arch.options
        return pp.budget.mlp_count(o["levels"] * o["features_per_level"], arch.widths, arch.channels)
    if arch.family == "wire":
        return arch.n_params + sum(2 * a * b for a, b in itertools.pairwise(arch.widths))
    return arch.n_params


def step_flops(arch: pp.Arch, points: int) -> float:
    """About ``6 · M · points`` for ``M`` = :func:`mlp_macs`: 2 FLOPs a multiply-add forward, twice that backward."""
    return 6.0 * mlp_macs(arch) * points


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def matmul_peak(device: torch.device, precision: str = "fp32", n: int | None = None, repeats: int = 10) -> float:
    """Best FLOP/s of a dense ``n × n`` matmul on ``device`` at ``precision``.

    ``fp32`` and ``tf32`` multiply float32 matrices (TF32 allowed or not); ``bf16``
    multiplies bfloat16 matrices on CUDA (its dense peak; no cast inside the
    clock) and float32 elsewhere, where the precision changes nothing. The
    operands are drawn on the CPU from a fixed seed, then moved.
    """
    n = n or (8192 if device.type == "cuda" else 2048)
    gen = torch.Generator().manual_seed(0)
    dtype = torch.bfloat16 if precision == "bf16" and device.type == "cuda" else torch.float32
    a = torch.randn(n, n, generator=gen).to(device=device, dtype=dtype)
    b = torch.randn(n, n, generator=gen).to(device=device, dtype=dtype)
    best = float("inf")
    with matmul_precision(device, precision):
        a @ b  # warm-up
        sync(device)
        for _ in range(repeats):
            t = time.perf_counter()
            a @ b
            sync(device)
            best = min(best, time.perf_counter() - t)
    return 2.0 * n**3 / best
