"""A trained pixel grid: ``h × w × C`` values read by bicubic (or bilinear) interpolation.

The honest baseline for "a parameter is worth more than a pixel": the pixel
counterpart's own shape and reconstruction, with its values trained by
gradient descent on the full image instead of sampled from it (Kim and
Fridovich-Keil, "Grids Often Outperform Implicit Neural Representations",
NeurIPS 2025, find such grids strong on dense 2D signals).

Interpolation is PIL's, exactly: a Keys cubic with ``a = -0.5`` (or the
triangle for bilinear) centred on ``u = (x + 1) / 2 * w - 0.5`` cells, with
the taps that fall outside the grid dropped and the rest renormalised. So a
grid holding the area-averaged image renders what
:meth:`pixparam.Pixels.render` does, and :func:`pixparam.fit` starts from
there: training can only improve on the sampled pixels it starts as.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from ..arch import Arch
from ..coords import region_grid
from ..errors import BudgetError
from ..images import area_downsample
from .base import Field
from .planning import check_options
from .registry import FamilyDefaults, FamilySpec

#: The interpolations a grid can be read through, and the taps per axis each needs.
INTERPOLATIONS = {"bicubic": 4, "bilinear": 2}

#: Longest grid side the planner makes (a 1M-value RGB grid is 578 px a side).
MAX_SIDE = 1 << 14


def _keys(d: torch.Tensor) -> torch.Tensor:
    """The Keys cubic convolution kernel with ``a = -0.5`` (PIL's bicubic) at distances ``d``."""
    a = -0.5
    d = d.abs()
    near = ((a + 2) * d - (a + 3)) * d * d + 1
    far = ((d - 5) * d + 8) * d * a - 4 * a
    return torch.where(d <= 1, near, torch.where(d < 2, far, torch.zeros_like(d)))


def axis_taps(x: torch.Tensor, n: int, taps: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Cells and normalised weights along one axis for coordinates ``x`` in ``[-1, 1]``.

    Parameters
    ----------
    x : (N,) torch.Tensor
        Coordinates; ``-1`` and ``1`` are the outer edges of the first and last cell (points
        beyond them read the edge cells).
    n : int
        Cells along the axis.
    taps : {2, 4}
        Bilinear or bicubic.

    Returns
    -------
    cells : (N, taps) torch.Tensor of int64
        Cell indices, clamped into ``[0, n)``.
    weights : (N, taps) torch.Tensor
        Weights summing to 1; taps outside the grid weigh 0.
    """
    # clamped to the grid's extent: points beyond the image read the edge, as PIL's renormalised taps do there
    u = ((x.double() + 1) * 0.5 * n - 0.5).clamp(-0.5, n - 0.5)
    first = torch.floor(u) - (1 if taps == 4 else 0)
    j = first[:, None] + torch.arange(taps, dtype=u.dtype, device=x.device)
    d = u[:, None] - j
    w = _keys(d) if taps == 4 else (1 - d.abs()).clamp_min(0)
    w = torch.where((j >= 0) & (j < n), w, torch.zeros_like(w))
    w = w / w.sum(dim=1, keepdim=True)
    return j.clamp(0, n - 1).long(), w.to(x.dtype)


class Grid(Field):
    """A trainable ``h × w × C`` grid of values read by interpolation (``values`` in colour units).

    Built alone it is mid-grey; :func:`pixparam.fit` first fills it with the
    area-averaged image (``init_from_image``), the pixel counterpart.

    Parameters
    ----------
    arch : Arch
        A ``"grid"`` architecture (options ``shape`` and ``interp``).
    generator : torch.Generator
        Unused: a grid starts deterministic (kept for the family contract).
    """

    def __init__(self, arch: Arch, generator: torch.Generator) -> None:
        super().__init__(arch)
        h, w = (int(v) for v in arch.options["shape"])
        self.shape = (h, w)
        self.taps = INTERPOLATIONS[str(arch.options["interp"])]
        self.values = nn.Parameter(torch.full((h, w, arch.channels), 0.5))

    def prepare(self, coords: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The grid cells each point reads and their weights, ``(N, taps²)`` each (no trainable values)."""
        h, w = self.shape
        cx, wx = axis_taps(coords[:, 0], w, self.taps)
        cy, wy = axis_taps(coords[:, 1], h, self.taps)
        idx = (cy[:, :, None] * w + cx[:, None, :]).reshape(len(coords), -1)
        weights = (wy[:, :, None] * wx[:, None, :]).reshape(len(coords), -1)
        return idx, weights

    def raw_prepared(self, prepared: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        """``2 * interpolated - 1`` at the points."""
        idx, weights = prepared
        flat = self.values.reshape(-1, self.values.shape[-1])
        v = flat.index_select(0, idx.reshape(-1)).view(*idx.shape, flat.shape[1])
        return 2 * (v * weights[..., None]).sum(dim=1) - 1


def init_from_image(model: Grid, image: np.ndarray, generator: torch.Generator) -> None:
    """Fill the grid with the image area-averaged to its shape: the pixel counterpart."""
    small = area_downsample(image, model.shape) if model.shape != image.shape[:2] else image
    with torch.no_grad():
        model.values.copy_(torch.as_tensor(np.ascontiguousarray(small), dtype=model.values.dtype))


def region_values(model: Grid, shape: tuple[int, int], region: tuple[int, int, int, int]) -> dict[str, torch.Tensor]:
    """The cells (all channels) that pixel centres of ``region`` read with non-zero weight."""
    idx, weights = model.prepare(region_grid(shape, region, device=model.values.device))
    hit = torch.zeros(model.shape[0] * model.shape[1], dtype=torch.bool, device=model.values.device)
    hit[idx[weights != 0]] = True
    return {"values": hit.view(*model.shape, 1).expand_as(model.values).clone()}


def count(channels: int, widths: Sequence[int], options: Mapping[str, Any]) -> int:
    """``h * w * channels`` values."""
    h, w = options["shape"]
    return int(h) * int(w) * channels


def fill_shape(n_pixels: int, aspect: float) -> tuple[int, int]:
    """The ``(h, w)`` of at most ``n_pixels`` cells closest to ``aspect = h / w`` among those filling >= 97 %.

    Parameters
    ----------
    n_pixels : int
        The most cells allowed.
    aspect : float
        The wanted ``h / w``.

    Returns
    -------
    (int, int)
        The best-filling shape when none fills 97 % (tiny grids).
    """
    target = math.log(aspect)
    best: tuple[float, int, int, int] | None = None
    h_mid = math.sqrt(n_pixels * aspect)
    for h in range(max(1, int(h_mid / 1.5)), int(h_mid * 1.5) + 2):
        w = n_pixels // h
        if w < 1:
            break
        full = h * w >= 0.97 * n_pixels
        key = (float(full), -abs(math.log(h / w) - target) if full else h * w, h, w)
        if best is None or key > best:
            best = key
    assert best is not None
    return best[2], best[3]


def plan(budget: int, channels: int, resolution: int, options: dict[str, Any]) -> Arch:
    """The grid for ``budget`` values: the pixel counterpart's shape when the image's shape is known.

    Options: ``interp`` (``"bicubic"``, default, or ``"bilinear"``),
    ``shape`` (an explicit ``(h, w)``), and ``image_shape`` (``(H, W)`` of the
    image, which :func:`pixparam.fit` passes). With ``image_shape`` and a
    budget below the image's value count, the grid takes exactly
    :func:`pixparam.pixels.counterpart_shape`'s shape (as many values as the
    pixel counterpart, so the two compare value for value; like it, that can
    fill as little as about 95 % of a 1k budget). Otherwise it is the grid of
    the image's aspect (square without one) closest to it among those filling
    at least 97 % of the budget — larger than the image when the budget is.
    """
    from ..pixels import counterpart_shape  # pixels imports budget, which imports the fields

    check_options("grid", options, {"interp", "shape", "image_shape"})
    interp = options.get("interp") or "bicubic"
    if interp not in INTERPOLATIONS:
        raise BudgetError(f"grid interp={interp!r}; choose one of {', '.join(INTERPOLATIONS)}")
    n_pixels = budget // channels
    if n_pixels < 1:
        raise BudgetError(f"budget {budget} is below the minimum of a grid: one {channels}-channel cell")
    if options.get("shape") is not None:
        try:
            h, w = (int(v) for v in options["shape"])
        except (TypeError, ValueError):
            raise BudgetError(f"grid shape={options['shape']!r}; pass (h, w) in cells") from None
        if not (1 <= h <= MAX_SIDE and 1 <= w <= MAX_SIDE) or h * w > n_pixels:
            raise BudgetError(f"grid shape=({h}, {w}) × {channels} channels does not fit budget {budget:,}")
    else:
        image_shape = options.get("image_shape")
        H, W = (int(v) for v in image_shape) if image_shape is not None else (1, 1)
        if image_shape is not None and n_pixels < H * W:
            h, w = counterpart_shape((H, W, channels), budget)
        else:
            h, w = fill_shape(n_pixels, H / W)
        if max(h, w) > MAX_SIDE:
            raise BudgetError(f"budget {budget:,} makes a grid side above {MAX_SIDE:,} cells; pass a smaller budget")
    opts = {"shape": [h, w], "interp": interp}
    return Arch("grid", channels, (), count(channels, (), opts), budget, 0, opts)


def describe(arch: Arch) -> str:
    """``' · 18×18 bicubic'``."""
    h, w = arch.options["shape"]
    return f" · {h}×{w} {arch.options['interp']}"


def bytes_per_point(arch: Arch) -> int:
    """Per point: the taps' indices and weights, and the gathered values forward and backward."""
    taps = INTERPOLATIONS[str(arch.options["interp"])] ** 2
    return 4 * (2 + arch.channels) + taps * (8 + 4 + 2 * 4 * arch.channels)


SPEC = FamilySpec(
    name="grid",
    module=Grid,
    plan=plan,
    count=count,
    # lr: the best or tied-best of 3e-3 × (1/3, 1, 3) in all four tuning cells (tune_lr_new_families_64px.json);
    # no warm-up: the grid starts as the pixel counterpart, a good point, and its loss is convex.
    defaults=FamilyDefaults(lr=9e-3, warmup=0.0),
    bytes_per_point=bytes_per_point,
    mlp=None,
    tables=("values",),
    describe=describe,
    encoding="grid",
    activation="none",
    summary="a trained pixel grid read bicubically: the pixel counterpart's shape, its values fitted",
    init_from_image=init_from_image,
    region_values=region_values,
    shape_option="image_shape",
)
