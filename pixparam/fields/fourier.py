"""Random Gaussian Fourier features + ReLU MLP (Tancik et al., 2020)."""

from __future__ import annotations

import math

import torch

from ..budget import Arch
from .base import MLP, Field, init_relu_mlp, relu


class FourierMLP(Field):
    """``[sin, cos](2π B u)`` features of ``u = (coords + 1) / 2``, then a ReLU MLP.

    ``B`` is a fixed ``(2, n_features)`` matrix drawn from N(0, sigma²) with
    the build seed; it is a buffer (saved, not trained, not counted). With
    ``u`` in ``[0, 1]``, ``sigma`` is in cycles per image side, the units of
    Tancik et al. (who use sigma = 10 for 512-px images).
    """

    def __init__(self, arch: Arch, generator: torch.Generator) -> None:
        super().__init__(arch)
        m, sigma = int(arch.options["n_features"]), float(arch.options["sigma"])
        self.register_buffer("B", torch.randn(2, m, generator=generator) * sigma)
        self.mlp = MLP(2 * m, arch.widths, arch.channels, relu)
        init_relu_mlp(self.mlp, generator)

    def encode(self, coords: torch.Tensor) -> torch.Tensor:
        """``(N, 2)`` coordinates -> ``(N, 2 * n_features)`` Fourier features (fixed, so :meth:`prepare` too)."""
        u = (coords + 1) * 0.5
        # Elementwise rather than a matmul: phases reach hundreds of radians, and a
        # reduced-precision (TF32/bf16) matmul would scramble them.
        phase = (2 * math.pi) * (u[:, 0:1] * self.B[0] + u[:, 1:2] * self.B[1])
        return torch.cat([torch.sin(phase), torch.cos(phase)], dim=-1)

    def prepare(self, coords: torch.Tensor) -> torch.Tensor:
        return self.encode(coords)

    def raw_prepared(self, prepared: torch.Tensor) -> torch.Tensor:
        return self.mlp(prepared)
