"""Random Gaussian Fourier features + ReLU MLP (Tancik et al., 2020)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import torch

from ..arch import Arch, mlp_count
from .base import MLP, Field, init_relu_mlp, relu, relu_first_layer_bound
from .planning import check_options, fill_mlp, float_option, int_option, mlp_bytes_per_point
from .registry import FamilyDefaults, FamilySpec

#: Default Fourier-feature scale: sigma = 0.65 * sqrt(n_features) cycles per image side.
#: Random frequencies then cover the plane at a constant density whatever their number;
#: it gives Tancik et al.'s sigma = 10 at 256 features, and the best sigma measured for
#: 14-60 features (benchmarks/tune_defaults.py --sweep sigma).
FOURIER_SIGMA_PER_SQRT_FEATURE = 0.65


class FourierMLP(Field):
    """``[sin, cos](2π B u)`` features of ``u = (coords + 1) / 2``, then a ReLU MLP.

    ``B`` is a fixed ``(2, n_features)`` matrix drawn from N(0, sigma²) with
    the build seed; it is a buffer (saved, not trained, not counted). With
    ``u`` in ``[0, 1]``, ``sigma`` is in cycles per image side, the units of
    Tancik et al. (who use sigma = 10 for 512-px images).

    Parameters
    ----------
    arch : Arch
        A ``"fourier"`` architecture (options ``n_features`` and ``sigma``).
    generator : torch.Generator
        The CPU generator every initial value and ``B`` are drawn from.
    """

    def __init__(self, arch: Arch, generator: torch.Generator) -> None:
        super().__init__(arch)
        m, sigma = int(arch.options["n_features"]), float(arch.options["sigma"])
        self.register_buffer("B", torch.randn(2, m, generator=generator) * sigma)
        self.mlp = MLP(2 * m, arch.widths, arch.channels, relu)
        init_relu_mlp(self.mlp, generator)

    def encode(self, coords: torch.Tensor) -> torch.Tensor:
        """``(N, 2)`` coordinates -> ``(N, 2 * n_features)`` Fourier features (fixed, so :meth:`prepare` too).

        Parameters
        ----------
        coords : (N, 2) torch.Tensor
            ``(x, y)`` in ``[-1, 1]``.

        Returns
        -------
        (N, 2 * n_features) torch.Tensor
            The sines, then the cosines.
        """
        u = (coords + 1) * 0.5
        # Elementwise rather than a matmul: phases reach hundreds of radians, and a
        # reduced-precision (TF32/bf16) matmul would scramble them.
        phase = (2 * math.pi) * (u[:, 0:1] * self.B[0] + u[:, 1:2] * self.B[1])
        return torch.cat([torch.sin(phase), torch.cos(phase)], dim=-1)

    def prepare(self, coords: torch.Tensor) -> torch.Tensor:
        """The Fourier features (:meth:`encode`): fixed, so computed once for a fixed grid."""
        return self.encode(coords)

    def raw_prepared(self, prepared: torch.Tensor) -> torch.Tensor:
        """The ReLU MLP on the features."""
        return self.mlp(prepared)


def count(channels: int, widths: Sequence[int], options: Mapping[str, Any]) -> int:
    """Weights and biases of the ReLU MLP on ``2 * n_features`` Fourier features."""
    return mlp_count(2 * options["n_features"], widths, channels)


def plan(budget: int, channels: int, resolution: int, options: dict[str, Any]) -> Arch:
    """``depth`` (default 4) hidden layers; ``n_features`` defaults to the hidden width, ``sigma`` to 0.65·√n."""
    check_options("fourier", options, {"depth", "n_features", "sigma"})
    depth = int_option(options, "depth", 4, 1)
    sigma = float_option(options, "sigma", 1.0) if options.get("sigma") is not None else None
    fixed_m = int_option(options, "n_features", 1, 1) if options.get("n_features") is not None else None

    def n_features(ws: list[int]) -> int:
        return fixed_m if fixed_m is not None else max(1, ws[0])

    def count_fn(ws: list[int]) -> int:
        return count(channels, ws, {"n_features": n_features(ws)})

    widths = fill_mlp(budget, depth, 2, count_fn, "fourier")
    m = n_features(widths)
    opts = {
        "n_features": m,
        "sigma": sigma if sigma is not None else round(FOURIER_SIGMA_PER_SQRT_FEATURE * math.sqrt(m), 2),
    }
    return Arch("fourier", channels, tuple(widths), count_fn(widths), budget, 2 * m, opts)


def describe(arch: Arch) -> str:
    """``' · 32 features σ=3.68'``."""
    return f" · {arch.options['n_features']} features σ={arch.options['sigma']:g}"


def bytes_per_point(arch: Arch) -> int:
    """The MLP's activations plus the features and their phases."""
    return mlp_bytes_per_point(arch) + 4 * 4 * arch.options["n_features"]


SPEC = FamilySpec(
    name="fourier",
    module=FourierMLP,
    plan=plan,
    count=count,
    defaults=FamilyDefaults(lr=3e-2),
    bytes_per_point=bytes_per_point,
    first_layer_bound=relu_first_layer_bound,
    describe=describe,
    encoding="fourier",
    activation="relu",
    summary="random Gaussian Fourier features and a ReLU MLP (Tancik et al., 2020)",
)
