"""Plain ReLU MLP on raw coordinates: the "bad lens" (spectral bias, Rahaman et al. 2019)."""

from __future__ import annotations

import torch

from ..budget import Arch
from .base import MLP, Field, init_relu_mlp, relu


class ReluMLP(Field):
    """ReLU MLP fed the raw ``(x, y)``; He initialisation."""

    def __init__(self, arch: Arch, generator: torch.Generator) -> None:
        super().__init__(arch)
        self.mlp = MLP(2, arch.widths, arch.channels, relu)
        init_relu_mlp(self.mlp, generator)

    def raw_prepared(self, prepared: torch.Tensor) -> torch.Tensor:
        return self.mlp(prepared)
