"""Anisotropic 2D Gaussians composed by accumulated blending (after GaussianImage, Zhang et al., 2024).

The model
---------
``n_gaussians`` Gaussians, each with a centre ``mu`` (2 values, in the
``[-1, 1]`` coordinates of :mod:`pixparam.coords`), a covariance
``Sigma = L Lᵀ`` through its Cholesky factor ``L = [[l11, 0], [l21, l22]]``
(3 values) and a colour ``c`` (``C`` values): ``5 + C`` values per Gaussian,
so the budget is ``n_gaussians * (5 + C)`` exactly. The stored shape values
are ``chol = (log l11, k, log l22)`` with ``l21 = k * l11``: the logarithms
keep the diagonal positive and ``k`` is a dimensionless shear, so one Adam
learning rate suits all three (the count stays 3).

The colour at a point ``p`` is the weight-normalised mean
``sum_i c_i w_i(p) / (sum_i w_i(p) + 1e-4)``, ``w_i(p) = exp(-d_i²/2)`` with
``d_i`` the Mahalanobis distance, without depth sorting. GaussianImage's
accumulated blending is the plain sum ``sum_i c_i w_i(p)`` (its opacity is
redundant with the colour in a sum, so there is none); it is the option
``blending="sum"``. ``benchmarks/tune_defaults.py --sweep blending``
measured both on the tuning images (astronaut, camera; 1k and 4k values,
64 px, 500 steps; ``benchmarks/results/tune_blending_gaussians_64px.json``):
the sum won narrowly on astronaut and the normalised mean won clearly on
camera, higher on average, so the normalised mean is the default (it starts
from an interpolation of the image; a sum starts with the uneven coverage of
randomly placed Gaussians). The field's ``raw`` output is
``2 * colour - 1``.

Holes: a point that no Gaussian reaches within the cutoff has a weight sum
of zero. With ``fill="mean"`` (the default for the normalised mean) the
Gaussians' mean colour ``c̄`` enters every point's mean with the
pseudo-weight ``1e-4``, ``(sum_i c_i w_i + 1e-4 c̄) / (sum_i w_i + 1e-4)``,
so such a point takes ``c̄`` instead of black; elsewhere the weights sum to
at least ``exp(-cutoff²/2)`` and the term pulls the mean toward ``c̄`` by
less than ``1e-4 / exp(-cutoff²/2)`` of the gap (1 % at the default
cutoff), where the bare ``1e-4`` pulled it toward black by as much. Training
leaves a few pixels uncovered now and then, and each black one costs
PSNR (``benchmarks/gaussian_holes.py`` counts them and measures both
fills). ``fill="none"`` keeps the holes black, as fits saved before the
option render (their architecture has no ``fill``).

Each weight is zero beyond ``cutoff`` standard deviations (default 3, where
``exp(-cutoff²/2) = 0.011``): the truncation is part of the model, used the
same way in training and rendering, so a render is the training forward.
:mod:`pixparam.fields.splat` evaluates it with tile culling in bounded
memory (``benchmarks/bench_memory.py`` measures a 4096² render and a
full-batch fit).

Initialisation
--------------
:func:`pixparam.fit` starts from the image (:func:`init_from_image`):
centres are drawn with probability proportional to the image's gradient
magnitude plus a uniform floor (:data:`UNIFORM_SHARE` of the mass), jittered
within their pixel; each Gaussian is round, with a standard deviation of
:data:`SCALE` times the local spacing of the centres (one over the square
root of their expected density there, at least :data:`MIN_SIGMA_PX`), so
that crowded Gaussians are small;
its colour is the image's at its centre (for ``blending="sum"``, divided by
the sum of the weights the image's pixels get there). Every draw comes from the
given CPU generator. A module built alone (:func:`pixparam.fields.build`)
has uniform centres, the mean spacing as scale, and grey colours.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from ..arch import Arch
from ..coords import grid
from ..errors import BudgetError
from .base import Field
from .planning import check_options, float_option
from .registry import FamilyDefaults, FamilySpec
from .splat import splat

__all__ = ["Gaussians", "detail_map", "init_from_image"]

#: Initial standard deviation, in units of the local spacing of the centres.
SCALE = 0.6
#: Smallest initial standard deviation, in pixels of the fitted image (smaller ones fall between pixel centres).
MIN_SIGMA_PX = 0.5
#: Share of the initial centres drawn uniformly (the rest follow the gradient magnitude).
UNIFORM_SHARE = 0.3
#: Ways of composing the Gaussians: the accumulated sum, or the weight-normalised mean.
BLENDINGS = ("sum", "normalized")
#: Added to the weight sum before dividing by it (``blending="normalized"``).
NORMALIZE_EPS = 1e-4
#: What a point no Gaussian reaches shows under the normalised mean: the Gaussians' mean colour, or black.
FILLS = ("mean", "none")


class Gaussians(Field):
    """A sum of ``n_gaussians`` truncated anisotropic 2D Gaussians (see the module docstring).

    Parameters
    ----------
    arch : Arch
        A ``"gaussians"`` architecture (options ``n_gaussians``, ``cutoff``, ``blending``).
    generator : torch.Generator
        The CPU generator the image-free initialisation is drawn from.

    Attributes
    ----------
    means : (G, 2) nn.Parameter
        Centres ``(x, y)`` in image coordinates.
    chol : (G, 3) nn.Parameter
        ``(log l11, k, log l22)``; the Cholesky factor has ``l21 = k * l11``.
    colours : (G, C) nn.Parameter
        Each Gaussian's colour.
    """

    def __init__(self, arch: Arch, generator: torch.Generator) -> None:
        super().__init__(arch)
        n, c = int(arch.options["n_gaussians"]), arch.channels
        self.cutoff = float(arch.options["cutoff"])
        self.blending = str(arch.options["blending"])
        self.fill = str(arch.options.get("fill", "none"))  # fits saved before the option had black holes
        self.means = nn.Parameter(torch.rand(n, 2, generator=generator) * 2 - 1)
        sigma = SCALE * 2.0 / math.sqrt(n)  # the mean spacing of n centres on the 2×2 square
        self.chol = nn.Parameter(torch.tensor([math.log(sigma), 0.0, math.log(sigma)]).repeat(n, 1))
        self.colours = nn.Parameter(torch.full((n, c), 0.5 / self.colour_gain()))

    def colour_gain(self) -> float:
        """The expected sum of the weights at a point under the initial scales (1 when normalised)."""
        if self.blending == "normalized":
            return 1.0
        return 2 * math.pi * SCALE**2 * (1 - math.exp(-0.5 * self.cutoff**2))

    def factors(self) -> torch.Tensor:
        """``(G, 3)`` Cholesky entries ``(l11, l21, l22)`` from the stored :attr:`chol`."""
        l11, l22 = torch.exp(self.chol[:, 0]), torch.exp(self.chol[:, 2])
        return torch.stack([l11, self.chol[:, 1] * l11, l22], dim=1)

    def raw_prepared(self, prepared: torch.Tensor) -> torch.Tensor:
        """``2 * colour - 1`` at the points (``prepared`` is the coordinates)."""
        if self.blending == "normalized":
            ones = torch.ones_like(self.colours[:, :1])
            acc = splat(prepared, self.means, self.factors(), torch.cat([self.colours, ones], dim=1), self.cutoff)
            total = acc[:, :-1]
            if self.fill == "mean":
                total = total + NORMALIZE_EPS * self.colours.mean(dim=0)
            colour = total / (acc[:, -1:] + NORMALIZE_EPS)
        else:
            colour = splat(prepared, self.means, self.factors(), self.colours, self.cutoff)
        return 2 * colour - 1


# --------------------------------------------------------------------------- initialisation from the image


def detail_map(image: np.ndarray) -> np.ndarray:
    """Where centres are drawn: gradient magnitude of the mean over channels, plus a uniform floor.

    Parameters
    ----------
    image : (H, W, C) ndarray of float32
        The image.

    Returns
    -------
    (H, W) ndarray of float64
        Probabilities summing to 1 (:data:`UNIFORM_SHARE` of the mass spread uniformly).
    """
    gray = np.asarray(image, dtype=np.float64).mean(axis=2)
    gy, gx = np.gradient(gray) if min(gray.shape) > 1 else (np.zeros_like(gray), np.zeros_like(gray))
    g = np.hypot(gx, gy)
    uniform = np.full_like(g, 1.0 / g.size)
    if g.sum() <= 0:
        return uniform
    return (1 - UNIFORM_SHARE) * g / g.sum() + UNIFORM_SHARE * uniform


def init_from_image(module: Gaussians, image: np.ndarray, generator: torch.Generator) -> None:
    """Place the Gaussians where ``image`` has detail, in place (see the module docstring).

    Parameters
    ----------
    module : Gaussians
        A built module (any device).
    image : (H, W, C) ndarray of float32
        The image to be fitted, values in ``[0, 1]``.
    generator : torch.Generator
        A CPU generator; every draw comes from it.
    """
    h, w, _ = image.shape
    n = module.means.shape[0]
    prob = torch.from_numpy(detail_map(image).reshape(-1))
    cdf = torch.cumsum(prob, 0)
    u = torch.rand(n, generator=generator, dtype=torch.float64) * float(cdf[-1])
    idx = torch.searchsorted(cdf, u).clamp_(max=h * w - 1)
    row, col = idx // w, idx % w
    jitter = torch.rand(n, 2, generator=generator, dtype=torch.float64)
    x = (col + jitter[:, 0]) * (2.0 / w) - 1
    y = (row + jitter[:, 1]) * (2.0 / h) - 1
    density = n * prob[idx]  # expected centres per pixel there
    sigma_px = (SCALE / torch.sqrt(density)).clamp_(min=MIN_SIGMA_PX)
    log_sx, log_sy = torch.log(sigma_px * (2.0 / w)), torch.log(sigma_px * (2.0 / h))
    means = torch.stack([x, y], dim=1).float()
    chol = torch.stack([log_sx, torch.zeros_like(log_sx), log_sy], dim=1).float()
    colours = torch.from_numpy(np.ascontiguousarray(image.reshape(-1, image.shape[2])))[idx]
    if module.blending == "sum":  # divide by the weight sum the image's pixels actually get there
        l11, l22 = torch.exp(chol[:, 0]), torch.exp(chol[:, 2])
        cover = splat(grid(h, w), means, torch.stack([l11, 0 * l11, l22], 1), torch.ones(n, 1), module.cutoff)
        colours = colours / cover[idx].clamp_min(1e-3)
    dev = module.means.device
    with torch.no_grad():
        module.means.copy_(means.to(dev))
        module.chol.copy_(chol.to(dev))
        module.colours.copy_(colours.to(dev, torch.float32))


# --------------------------------------------------------------------------- counting, planning, edits


def per_gaussian(channels: int) -> int:
    """Values per Gaussian: centre (2), Cholesky factor (3), colour (``channels``)."""
    return 5 + channels


def count(channels: int, widths: Sequence[int], options: Mapping[str, Any]) -> int:
    """``n_gaussians * (5 + channels)``."""
    return int(options["n_gaussians"]) * per_gaussian(channels)


def plan(budget: int, channels: int, resolution: int, options: dict[str, Any]) -> Arch:
    """``budget // (5 + channels)`` Gaussians (all the budget holds); options ``cutoff``, ``blending``, ``fill``."""
    check_options("gaussians", options, {"cutoff", "blending", "fill"})
    cutoff = float_option(options, "cutoff", 3.0)
    blending = options.get("blending") or "normalized"
    if blending not in BLENDINGS:
        raise BudgetError(f"blending={blending!r}; choose one of {', '.join(BLENDINGS)}")
    fill = options.get("fill") or ("mean" if blending == "normalized" else "none")
    if fill not in FILLS:
        raise BudgetError(f"fill={fill!r}; choose one of {', '.join(FILLS)}")
    if fill == "mean" and blending != "normalized":
        raise BudgetError("fill='mean' is part of the normalised mean; pass blending='normalized' or fill='none'")
    per = per_gaussian(channels)
    n = budget // per
    if n < 1:
        raise BudgetError(
            f"budget {budget:,} is below the minimum of {per} params for gaussians (one Gaussian of "
            f"{per} values at {channels} channels); raise the budget"
        )
    opts = {"n_gaussians": n, "cutoff": cutoff, "blending": blending, "fill": fill}
    return Arch("gaussians", channels, (), n * per, budget, 0, opts)


def describe(arch: Arch) -> str:
    """``' · 2,048 Gaussians'`` (and the blending, or black holes, when not the default)."""
    o = arch.options
    blend = "" if o.get("blending") == "normalized" else f" ({o['blending']})"
    holes = " (holes black)" if o.get("blending") == "normalized" and o.get("fill", "none") == "none" else ""
    return f" · {o['n_gaussians']:,} Gaussians{blend}{holes}"


def bytes_per_point(arch: Arch) -> int:
    """The per-point tensors of a culled evaluation (tile, candidate count, outputs and their gradients).

    The candidate pairs are evaluated in chunks of
    :data:`~pixparam.fields.splat.PAIRS_PER_CHUNK` whatever the number of
    points (a fixed working set of about 64 MiB), and checkpointed in
    training, so they add nothing per point.
    """
    return 96 + 16 * (arch.channels + 1)


def units(module: Gaussians) -> torch.Tensor:
    """Importance of each Gaussian: its total weight, ``|c| · l11 · l22`` (``l11 · l22`` when normalised)."""
    area = torch.exp(module.chol[:, 0] + module.chol[:, 2])
    if module.blending == "normalized":
        return area
    return module.colours.norm(dim=1) * area


def region_values(
    module: Gaussians, shape: tuple[int, int], region: tuple[int, int, int, int]
) -> dict[str, torch.Tensor]:
    """Every value of the Gaussians whose centre lies in the region (pixel rectangle ``y0, x0, y1, x1``).

    A choice, not the only one: a Gaussian centred just outside still
    reaches in with its tail, and one taken from inside reaches out.
    """
    h, w = shape
    y0, x0, y1, x1 = region
    x, y = module.means[:, 0], module.means[:, 1]
    inside = (x >= x0 * 2.0 / w - 1) & (x < x1 * 2.0 / w - 1) & (y >= y0 * 2.0 / h - 1) & (y < y1 * 2.0 / h - 1)
    return {name: inside[:, None].expand_as(p).clone() for name, p in module.named_parameters()}


SPEC = FamilySpec(
    name="gaussians",
    module=Gaussians,
    plan=plan,
    count=count,
    # lr: the best of 3.3e-3, 1e-2, 3e-2 on average over the tuning images (benchmarks/tune_defaults.py
    # --sweep lr --families gaussians; benchmarks/results/tune_lr_gaussians_64px.json); no matmuls, so fp32
    defaults=FamilyDefaults(lr=1e-2, cuda_precision="fp32"),
    bytes_per_point=bytes_per_point,
    mlp=None,
    tables=("means", "chol", "colours"),
    describe=describe,
    encoding="gaussians",
    activation="none",
    summary="anisotropic 2D Gaussians, accumulated blending, tile-culled (after GaussianImage, Zhang et al., 2024)",
    init_from_image=init_from_image,  # type: ignore[arg-type]
    region_values=region_values,  # type: ignore[arg-type]
    units=units,  # type: ignore[arg-type]
    unit_option="n_gaussians",
)
