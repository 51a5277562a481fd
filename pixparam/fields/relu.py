"""Plain ReLU MLP on raw coordinates: the "bad lens" (spectral bias, Rahaman et al. 2019)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from ..arch import Arch, mlp_count
from .base import MLP, Field, init_relu_mlp, relu, relu_first_layer_bound
from .planning import check_options, fill_mlp, int_option, mlp_bytes_per_point
from .registry import FamilyDefaults, FamilySpec


class ReluMLP(Field):
    """ReLU MLP fed the raw ``(x, y)``; He initialisation.

    Parameters
    ----------
    arch : Arch
        A ``"relu"`` architecture.
    generator : torch.Generator
        The CPU generator every initial value is drawn from.
    """

    def __init__(self, arch: Arch, generator: torch.Generator) -> None:
        super().__init__(arch)
        self.mlp = MLP(2, arch.widths, arch.channels, relu)
        init_relu_mlp(self.mlp, generator)

    def raw_prepared(self, prepared: torch.Tensor) -> torch.Tensor:
        """The ReLU MLP on the coordinates."""
        return self.mlp(prepared)


def count(channels: int, widths: Sequence[int], options: Mapping[str, Any]) -> int:
    """Weights and biases of the ReLU MLP on ``(x, y)``."""
    return mlp_count(2, widths, channels)


def plan(budget: int, channels: int, resolution: int, options: dict[str, Any]) -> Arch:
    """``depth`` (default 4) hidden layers filled to the budget."""
    check_options("relu", options, {"depth"})
    depth = int_option(options, "depth", 4, 1)
    widths = fill_mlp(budget, depth, 2, lambda ws: count(channels, ws, {}), "relu")
    return Arch("relu", channels, tuple(widths), count(channels, widths, {}), budget, 0, {})


SPEC = FamilySpec(
    name="relu",
    module=ReluMLP,
    plan=plan,
    count=count,
    defaults=FamilyDefaults(lr=3e-2),
    bytes_per_point=mlp_bytes_per_point,
    first_layer_bound=relu_first_layer_bound,
    encoding="raw",
    activation="relu",
    summary='plain ReLU MLP on raw coordinates: the "bad lens" (spectral bias)',
)
