"""SIREN: sine activations (Sitzmann et al., 2020)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from ..arch import Arch, mlp_count
from .base import MLP, Field, uniform_
from .planning import check_options, fill_mlp, float_option, int_option, mlp_bytes_per_point
from .registry import FamilyDefaults, FamilySpec


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

    Parameters
    ----------
    arch : Arch
        A ``"siren"`` architecture (option ``omega0``).
    generator : torch.Generator
        The CPU generator every initial value is drawn from.
    """

    def __init__(self, arch: Arch, generator: torch.Generator) -> None:
        super().__init__(arch)
        omega0 = float(arch.options["omega0"])
        self.mlp = MLP(2, arch.widths, arch.channels, Sine(omega0))
        for i, layer in enumerate(self.mlp.layers):
            fan_in = layer.in_features
            bound = first_layer_bound(fan_in) if i == 0 else (6.0 / fan_in) ** 0.5 / omega0
            uniform_(layer.weight, bound, generator)
            uniform_(layer.bias, fan_in**-0.5, generator)

    def raw_prepared(self, prepared: torch.Tensor) -> torch.Tensor:
        """The sine MLP on the coordinates."""
        return self.mlp(prepared)


def first_layer_bound(fan_in: int) -> float:
    """SIREN's first-layer weights are U(±1/fan_in)."""
    return 1.0 / fan_in


def count(channels: int, widths: Sequence[int], options: Mapping[str, Any]) -> int:
    """Weights and biases of the sine MLP on ``(x, y)``."""
    return mlp_count(2, widths, channels)


def plan(budget: int, channels: int, resolution: int, options: dict[str, Any]) -> Arch:
    """``depth`` (default 4) hidden layers filled to the budget; ``omega0`` (default 30)."""
    check_options("siren", options, {"depth", "omega0"})
    depth = int_option(options, "depth", 4, 1)
    opts = {"omega0": float_option(options, "omega0", 30.0)}
    widths = fill_mlp(budget, depth, 2, lambda ws: count(channels, ws, opts), "siren")
    return Arch("siren", channels, tuple(widths), count(channels, widths, opts), budget, 0, opts)


SPEC = FamilySpec(
    name="siren",
    module=Siren,
    plan=plan,
    count=count,
    # SIREN's sin(30·x) amplifies matmul rounding thirty-fold: it stays in float32 on CUDA.
    defaults=FamilyDefaults(lr=3e-3, lr_width=32, cuda_precision="fp32"),
    bytes_per_point=mlp_bytes_per_point,
    odd_activation=True,
    first_layer_bound=first_layer_bound,
    encoding="raw",
    activation="sine",
    summary="sine MLP on raw coordinates (Sitzmann et al., 2020)",
)
