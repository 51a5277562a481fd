"""FINER: variable-periodic sine activations (Liu et al., CVPR 2024)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from ..arch import Arch, mlp_count
from .base import MLP, Field, uniform_
from .planning import check_options, fill_mlp, float_option, int_option, mlp_bytes_per_point
from .registry import FamilyDefaults, FamilySpec
from .siren import first_layer_bound

#: The first hidden layer's biases are U(-k, k) with this k by default: FINER's way of choosing
#: which periods of sin((|z| + 1) z) the network starts in (a larger k reaches higher frequencies).
#: Measured on the tuning images at 1k-4k params, k = 0.5 won 3 of the 4 (image, budget) cells
#: against 1, 2 and 5 (benchmarks/tune_defaults.py --sweep bias_scale; tune_bias_scale_64px.json):
#: at these widths a wider range starts too many units at frequencies the image does not have.
FINER_BIAS_SCALE = 0.5


class VariablePeriodicSine:
    """``sin(omega0 * (|z| + 1) * z)``; the factor ``|z| + 1`` is held constant in the backward pass.

    FINER's reference implementation computes the scale without gradient
    (``scale_req_grad=False``); so does this, so the gradient is
    ``omega0 (|z| + 1) cos(...)``.
    """

    def __init__(self, omega0: float) -> None:
        self.omega0 = omega0

    def __call__(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sin(self.omega0 * (z.detach().abs() + 1) * z)


class Finer(Field):
    """Sine MLP with FINER's variable-periodic activation ``sin(omega0 (|z|+1) z)`` on raw coordinates.

    Weights are initialised as SIREN's (first layer U(±1/fan_in), the others
    U(±sqrt(6/fan_in)/omega0)). The first layer's biases are U(-k, k) with
    ``k = bias_scale`` — FINER's initialisation, which picks where on the
    variable-periodic curve each unit starts; the other biases keep
    PyTorch's U(±1/sqrt(fan_in)).

    Parameters
    ----------
    arch : Arch
        A ``"finer"`` architecture (options ``omega0`` and ``bias_scale``).
    generator : torch.Generator
        The CPU generator every initial value is drawn from.
    """

    def __init__(self, arch: Arch, generator: torch.Generator) -> None:
        super().__init__(arch)
        omega0 = float(arch.options["omega0"])
        self.mlp = MLP(2, arch.widths, arch.channels, VariablePeriodicSine(omega0))
        for i, layer in enumerate(self.mlp.layers):
            fan_in = layer.in_features
            bound = first_layer_bound(fan_in) if i == 0 else (6.0 / fan_in) ** 0.5 / omega0
            uniform_(layer.weight, bound, generator)
            uniform_(layer.bias, float(arch.options["bias_scale"]) if i == 0 else fan_in**-0.5, generator)

    def raw_prepared(self, prepared: torch.Tensor) -> torch.Tensor:
        """The variable-periodic sine MLP on the coordinates."""
        return self.mlp(prepared)


def count(channels: int, widths: Sequence[int], options: Mapping[str, Any]) -> int:
    """Weights and biases of the MLP on ``(x, y)``."""
    return mlp_count(2, widths, channels)


def plan(budget: int, channels: int, resolution: int, options: dict[str, Any]) -> Arch:
    """``depth`` (default 4) hidden layers filled to the budget; ``omega0`` (30) and ``bias_scale``."""
    check_options("finer", options, {"depth", "omega0", "bias_scale"})
    depth = int_option(options, "depth", 4, 1)
    opts = {
        "omega0": float_option(options, "omega0", 30.0),
        "bias_scale": float_option(options, "bias_scale", FINER_BIAS_SCALE),
    }
    widths = fill_mlp(budget, depth, 2, lambda ws: count(channels, ws, opts), "finer")
    return Arch("finer", channels, tuple(widths), count(channels, widths, opts), budget, 0, opts)


SPEC = FamilySpec(
    name="finer",
    module=Finer,
    plan=plan,
    count=count,
    # lr: siren's; three times it won 3 of 4 tuning cells but diverged in the fourth (astronaut 4k),
    # a third of it lost all four (tune_lr_new_families_64px.json). fp32 on CUDA, as siren.
    defaults=FamilyDefaults(lr=3e-3, lr_width=32, cuda_precision="fp32"),
    bytes_per_point=mlp_bytes_per_point,
    odd_activation=True,  # sin((|-z| + 1)(-z)) = -sin((|z| + 1) z)
    first_layer_bound=first_layer_bound,
    encoding="raw",
    activation="finer",
    summary="variable-periodic sine MLP, sin(ω0(|z|+1)z), on raw coordinates (Liu et al., 2024)",
)
