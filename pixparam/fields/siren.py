"""SIREN: sine activations (Sitzmann et al., 2020)."""

from __future__ import annotations

import torch

from ..budget import Arch
from .base import MLP, Field, uniform_


class Sine:
    """``sin(omega0 * x)``; a plain callable so the MLP has no extra state."""

    def __init__(self, omega0: float) -> None:
        self.omega0 = omega0

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sin(self.omega0 * x)


class Siren(Field):
    """Sine MLP on raw coordinates with the SIREN initialisation.

    Every hidden layer computes ``sin(omega0 * (W x + b))`` (omega0 = 30 by
    default). The first layer's weights are U(-1/fan_in, 1/fan_in); the others
    U(-sqrt(6/fan_in)/omega0, +sqrt(6/fan_in)/omega0), so pre-activations stay
    unit-scaled through depth. Biases keep PyTorch's U(±1/sqrt(fan_in)).
    """

    def __init__(self, arch: Arch, generator: torch.Generator) -> None:
        super().__init__(arch)
        omega0 = float(arch.options["omega0"])
        self.mlp = MLP(2, arch.widths, arch.channels, Sine(omega0))
        for i, layer in enumerate(self.mlp.layers):
            fan_in = layer.in_features
            bound = 1.0 / fan_in if i == 0 else (6.0 / fan_in) ** 0.5 / omega0
            uniform_(layer.weight, bound, generator)
            uniform_(layer.bias, fan_in**-0.5, generator)

    def raw_prepared(self, prepared: torch.Tensor) -> torch.Tensor:
        return self.mlp(prepared)
