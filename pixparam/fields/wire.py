"""WIRE: complex Gabor wavelet activations (Saragadam et al., CVPR 2023)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn

from ..arch import Arch
from .base import Field, uniform_
from .planning import check_options, fill_mlp, float_option, int_option
from .registry import FamilyDefaults, FamilySpec

#: WIRE's published Gabor constants for image representation ("omega0=20, sigma0=30", in the authors'
#: wire_image_denoise.py), chosen for 256-wide networks.
WIRE_PUBLISHED = (20.0, 30.0)
#: pixparam's defaults, measured on the tuning images at 1k-4k params (networks 16-32 wide), where the
#: published window is so narrow that few units are alive: (10, 10) won 3 of the 4 (image, budget) cells
#: and the published pair lost every one by a wide margin (benchmarks/tune_defaults.py --sweep gabor;
#: benchmarks/results/tune_gabor_64px.json). Pass omega0=20, sigma0=30 for the paper's setting.
WIRE_OMEGA0 = 10.0
WIRE_SIGMA0 = 10.0
#: The Gabor window is zero where its exponent is below this (where the window is below 4e-18, 1e-10 of a
#: float32 ulp at unit scale). Below about -87 the float32 window is a subnormal number, which x86 CPUs
#: process many times slower; with the defaults a few percent of the units are there from the first
#: step (benchmarks/wire_window.py times a step with and without the floor; docs/benchmarks.md).
WINDOW_FLOOR = -40.0


def gabor(zr: torch.Tensor, zi: torch.Tensor, omega0: float, sigma0: float) -> tuple[torch.Tensor, torch.Tensor]:
    """The complex Gabor wavelet ``exp(1j * omega0 * z - |sigma0 * z|^2)`` of ``z = zr + 1j * zi``, as ``(re, im)``.

    The window ``exp(-omega0 * zi - sigma0^2 |z|^2)`` is exactly zero, with
    no gradient, where its exponent is below :data:`WINDOW_FLOOR`: part of
    the model, on every device, so that the window is never a subnormal float.

    Parameters
    ----------
    zr, zi : (N, W) torch.Tensor
        Real and imaginary parts of the pre-activation (``zi`` is zero for the first layer).
    omega0, sigma0 : float
        Frequency of the sinusoid and scale of the Gaussian window.

    Returns
    -------
    (N, W) torch.Tensor, (N, W) torch.Tensor
        The real and imaginary parts.
    """
    exponent = -omega0 * zi - sigma0**2 * (zr * zr + zi * zi)
    envelope = torch.where(exponent > WINDOW_FLOOR, torch.exp(exponent.clamp_min(WINDOW_FLOOR)), 0.0)
    phase = omega0 * zr
    return envelope * torch.cos(phase), envelope * torch.sin(phase)


class Wire(Field):
    """A complex MLP with Gabor wavelet activations, in real arithmetic.

    As in WIRE, the first layer is real (``z = W x + b`` on ``(x, y)``), every
    hidden layer after it is complex (``z = (A + iB)(h_r + i h_i) + (c + id)``),
    each followed by :func:`gabor`; the output is the real part of a complex
    linear layer, ``A h_r - B h_i + c``. A complex value is two trainable real
    values, stored as separate real tensors (``*.re`` / ``*.im``), so
    quantisation, pruning and counting act on real numbers; the output layer
    has no imaginary bias, which the real part would never read. Initial
    values are PyTorch's ``nn.Linear`` ones, U(±1/sqrt(fan_in)), for the real
    and imaginary parts alike, as in WIRE's reference code. The Gabor
    constants default to the ones measured best at pixparam's budgets
    (:data:`WIRE_OMEGA0`, :data:`WIRE_SIGMA0`); the paper's are
    :data:`WIRE_PUBLISHED`.

    Parameters
    ----------
    arch : Arch
        A ``"wire"`` architecture (options ``omega0`` and ``sigma0``).
    generator : torch.Generator
        The CPU generator every initial value is drawn from.
    """

    def __init__(self, arch: Arch, generator: torch.Generator) -> None:
        super().__init__(arch)
        self.omega0 = float(arch.options["omega0"])
        self.sigma0 = float(arch.options["sigma0"])
        widths = list(arch.widths)
        self.first = nn.Linear(2, widths[0])
        self.hidden_re = nn.ModuleList(nn.Linear(a, b) for a, b in itertools.pairwise(widths))
        self.hidden_im = nn.ModuleList(nn.Linear(a, b) for a, b in itertools.pairwise(widths))
        self.out_re = nn.Linear(widths[-1], arch.channels)
        self.out_im = nn.Linear(widths[-1], arch.channels, bias=False)
        for layer in (self.first, *self.hidden_re, *self.hidden_im, self.out_re, self.out_im):
            bound = layer.in_features**-0.5
            uniform_(layer.weight, bound, generator)
            if layer.bias is not None:
                uniform_(layer.bias, bound, generator)

    def raw_prepared(self, prepared: torch.Tensor) -> torch.Tensor:
        """The complex Gabor MLP on the coordinates; the real part of its output."""
        zr = self.first(prepared)
        hr, hi = gabor(zr, torch.zeros_like(zr), self.omega0, self.sigma0)
        for re, im in zip(self.hidden_re, self.hidden_im):
            # (A + iB)(hr + i hi) + (c + i d); nn.Linear adds c to the first product and d to the second
            zr = re(hr) - nn.functional.linear(hi, im.weight)
            zi = im(hr) + nn.functional.linear(hi, re.weight)
            hr, hi = gabor(zr, zi, self.omega0, self.sigma0)
        return self.out_re(hr) - self.out_im(hi)


def count(channels: int, widths: Sequence[int], options: Mapping[str, Any]) -> int:
    """A real first layer, complex hidden layers (two reals per weight and bias), a complex output with a real bias."""
    w = list(widths)
    hidden = sum(2 * (a + 1) * b for a, b in itertools.pairwise(w))
    return 3 * w[0] + hidden + 2 * w[-1] * channels + channels


def plan(budget: int, channels: int, resolution: int, options: dict[str, Any]) -> Arch:
    """``depth`` (default 3) hidden layers filled to the budget; ``omega0`` and ``sigma0`` (10 and 10: tuned)."""
    check_options("wire", options, {"depth", "omega0", "sigma0"})
    depth = int_option(options, "depth", 3, 1)
    opts = {
        "omega0": float_option(options, "omega0", WIRE_OMEGA0),
        "sigma0": float_option(options, "sigma0", WIRE_SIGMA0),
    }
    widths = fill_mlp(budget, depth, 2, lambda ws: count(channels, ws, opts), "wire")
    return Arch("wire", channels, tuple(widths), count(channels, widths, opts), budget, 0, opts)


def bytes_per_point(arch: Arch) -> int:
    """Float32 coordinates, four values per complex unit (pre-activation and activation), outputs."""
    return 4 * (2 + 6 * sum(arch.widths) + arch.channels)


SPEC = FamilySpec(
    name="wire",
    module=Wire,
    plan=plan,
    count=count,
    # lr: WIRE's own range ("5e-3 to 2e-2"); 1e-2 and 3e-2 each won two of the four tuning cells
    # (tune_lr_new_families_64px.json). exp() of the Gabor window: fp32 on CUDA.
    defaults=FamilyDefaults(lr=1e-2, cuda_precision="fp32"),
    bytes_per_point=bytes_per_point,
    mlp=None,  # complex units: align, neuron pruning and layer splicing would need complex-aware surgery
    encoding="raw",
    activation="gabor",
    summary="complex Gabor wavelet MLP on raw coordinates (Saragadam et al., 2023)",
)
