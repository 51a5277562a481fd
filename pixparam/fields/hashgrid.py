"""Multiresolution hash-grid encoding + tiny ReLU MLP (Müller et al., 2022), in PyTorch."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn

from ..arch import Arch, mlp_count
from ..coords import region_grid
from ..errors import BudgetError
from .base import MLP, Field, init_relu_mlp, relu, relu_first_layer_bound, uniform_
from .planning import check_options, int_option, mlp_bytes_per_point
from .registry import FamilyDefaults, FamilySpec

#: instant-ngp's spatial-hash prime for the second coordinate (the first is 1).
PRIME = 2654435761

#: Most levels the planner takes (instant-ngp uses 16).
MAX_LEVELS = 64
#: Finest grid resolution the planner takes (cells per side; budget.MAX_RESOLUTION, repeated to avoid a cycle).
MAX_RESOLUTION = 2**20

# Corner offsets (dx, dy) of a grid cell, in the order the weights are formed.
_CORNERS = ((0, 0), (1, 0), (0, 1), (1, 1))


class HashGrid(Field):
    """Hash-grid field: per-level feature tables, bilinear lookup, tiny MLP.

    Level ``l`` is a grid of ``N_l`` cells per side over the image
    (``N_l`` from ``base_resolution`` to ``max_resolution``, geometric).
    A level whose ``(N_l + 1)²`` vertices fit in ``table_size`` entries is
    stored densely (one entry per vertex); finer levels hash vertex
    ``(i, j)`` to ``((j * PRIME) mod 2³² xor i) mod table_size``. All levels
    share one parameter tensor ``table`` of shape ``(entries, features)``,
    initialised U(-1e-4, 1e-4) as in instant-ngp. The concatenated level
    features feed a ReLU MLP.

    Parameters
    ----------
    arch : Arch
        A ``"hashgrid"`` architecture (options ``resolutions``,
        ``table_size``, ``features_per_level``).
    generator : torch.Generator
        The CPU generator every initial value is drawn from.
    """

    def __init__(self, arch: Arch, generator: torch.Generator) -> None:
        super().__init__(arch)
        o = arch.options
        res = [int(n) for n in o["resolutions"]]
        table_size = int(o["table_size"])
        sizes = [min(table_size, (n + 1) ** 2) for n in res]
        offsets = [sum(sizes[:i]) for i in range(len(sizes))]
        self.n_features = int(o["features_per_level"])
        self.table_size = table_size
        self.table = nn.Parameter(torch.empty(sum(sizes), self.n_features))
        uniform_(self.table, 1e-4, generator)
        self.register_buffer("resolutions", torch.tensor(res, dtype=torch.int64), persistent=False)
        self.register_buffer("offsets", torch.tensor(offsets, dtype=torch.int64), persistent=False)
        self.register_buffer("dense", torch.tensor([(n + 1) ** 2 <= table_size for n in res]), persistent=False)
        self.register_buffer("corners", torch.tensor(_CORNERS, dtype=torch.int64), persistent=False)
        self.mlp = MLP(len(res) * self.n_features, arch.widths, arch.channels, relu)
        init_relu_mlp(self.mlp, generator)

    def vertex_index(self, ij: torch.Tensor) -> torch.Tensor:
        """Table rows of grid vertices ``ij``.

        Parameters
        ----------
        ij : (..., L, 4, 2) torch.Tensor of int64
            Integer vertex coordinates ``(i, j)`` per level and cell corner.

        Returns
        -------
        (..., L, 4) torch.Tensor of int64
            Rows of :attr:`table`.
        """
        i, j = ij[..., 0], ij[..., 1]
        res = self.resolutions.view(-1, 1)
        dense = j * (res + 1) + i
        hashed = (((j * PRIME) & 0xFFFFFFFF) ^ i) % self.table_size
        return torch.where(self.dense.view(-1, 1), dense, hashed) + self.offsets.view(-1, 1)

    def lookup(self, coords: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Table rows and bilinear weights of each point's cell corners, ``(N, L, 4)`` each.

        Depends only on the coordinates (and the grid), not on the table, so
        it is :meth:`prepare`: training on fixed pixels computes it once.

        Parameters
        ----------
        coords : (N, 2) torch.Tensor
            ``(x, y)`` in ``[-1, 1]`` (clamped to the image).

        Returns
        -------
        rows : (N, L, 4) torch.Tensor of int64
            Table rows of the four corners per level.
        weights : (N, L, 4) torch.Tensor
            Their bilinear weights (summing to 1).
        """
        u = ((coords + 1) * 0.5).clamp(0.0, 1.0)
        res = self.resolutions.to(u.dtype).view(1, -1, 1)
        pos = u[:, None, :] * res  # (N, L, 2) in cells
        cell = torch.minimum(pos.floor(), res - 1)  # the last vertex row belongs to the last cell
        frac = pos - cell
        ij = cell.long()[:, :, None, :] + self.corners  # (N, L, 4, 2)
        idx = self.vertex_index(ij)
        fx, fy = frac[..., 0:1], frac[..., 1:2]  # (N, L, 1)
        wx = torch.cat([1 - fx, fx, 1 - fx, fx], dim=-1)
        wy = torch.cat([1 - fy, 1 - fy, fy, fy], dim=-1)
        return idx, wx * wy

    def interpolate(self, idx: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """``(N, levels * features)`` features from :meth:`lookup`'s rows and weights.

        Parameters
        ----------
        idx : (N, L, 4) torch.Tensor of int64
            Table rows.
        weights : (N, L, 4) torch.Tensor
            Bilinear weights.

        Returns
        -------
        (N, L * features_per_level) torch.Tensor
        """
        # index_select's backward is an index_add, several times faster on CPU than embedding's
        feats = self.table.index_select(0, idx.reshape(-1)).view(*idx.shape, self.n_features)  # (N, L, 4, F)
        out = (feats * weights[..., None]).sum(dim=2)  # (N, L, F)
        return out.reshape(idx.shape[0], -1)

    def encode(self, coords: torch.Tensor) -> torch.Tensor:
        """``(N, 2)`` coordinates -> ``(N, levels * features)`` interpolated features.

        Parameters
        ----------
        coords : (N, 2) torch.Tensor
            ``(x, y)`` in ``[-1, 1]``.

        Returns
        -------
        (N, L * features_per_level) torch.Tensor
        """
        return self.interpolate(*self.lookup(coords))

    def prepare(self, coords: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The rows and weights of :meth:`lookup` (they do not depend on the table)."""
        return self.lookup(coords)

    def mlp_input(self, prepared: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:  # type: ignore[override]
        """The interpolated table features (:meth:`interpolate`)."""
        return self.interpolate(*prepared)

    def raw_prepared(self, prepared: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        """The ReLU MLP on the interpolated features."""
        return self.mlp(self.mlp_input(prepared))


# --------------------------------------------------------------------------- counting and planning


def table_entries(resolutions: Sequence[int], table_size: int) -> int:
    """Rows of the shared table: a level with ``(N+1)^2 <= T`` vertices is stored densely, one row per vertex."""
    return sum(min(table_size, (n + 1) ** 2) for n in resolutions)


def count(channels: int, widths: Sequence[int], options: Mapping[str, Any]) -> int:
    """Table entries times features, plus the tiny MLP on the concatenated level features."""
    f = options["features_per_level"]
    return table_entries(options["resolutions"], options["table_size"]) * f + mlp_count(
        options["levels"] * f, widths, channels
    )


def _hashgrid_levels(budget: int) -> int:
    # More levels as the budget grows: 1k -> 6, 4k -> 8, 16k -> 10, 64k -> 12, 256k+ -> 14..16.
    return max(4, min(16, 2 * round(math.log2(budget) / 2) - 4))


def _hashgrid_width(budget: int, n_inputs: int, channels: int) -> int:
    # The tiny MLP (two hidden layers, 64 wide in instant-ngp) takes at most a quarter of the budget.
    for w in (64, 32, 16):
        if mlp_count(n_inputs, [w, w], channels) <= budget / 4:
            return w
    return 8


def _hashgrid_base(budget: int) -> int:
    # Coarsest level: 4 cells at 1k params, 8 at 4k, 16 (instant-ngp's) from 16k, so the
    # coarse levels of small tables are stored densely rather than hashed.
    return max(4, min(16, 2 ** round(math.log2(math.sqrt(budget) / 8))))


def _level_resolutions(levels: int, base: int, finest: int) -> list[int]:
    base = min(base, finest)
    if levels == 1:
        return [finest]
    growth = math.exp((math.log(finest) - math.log(base)) / (levels - 1))
    return [min(finest, math.floor(base * growth**level + 1e-6)) for level in range(levels)]


def plan(budget: int, channels: int, res: int, options: dict[str, Any]) -> Arch:
    """Levels, table size and features per level from the budget (instant-ngp's settings, scaled down)."""
    family = "hashgrid"
    check_options(family, options, {"levels", "features_per_level", "width", "base_resolution", "max_resolution"})
    levels = int_option(options, "levels", _hashgrid_levels(budget), 1, MAX_LEVELS)
    width = int_option(options, "width", _hashgrid_width(budget, 2 * levels, channels), 1)
    base = int_option(options, "base_resolution", _hashgrid_base(budget), 1, MAX_RESOLUTION)
    finest = int_option(options, "max_resolution", res, 1, MAX_RESOLUTION)
    resolutions = _level_resolutions(levels, base, finest)
    dense = max((n + 1) ** 2 for n in resolutions)
    fixed_f = options.get("features_per_level")
    candidates = [int_option(options, "features_per_level", 2, 1)] if fixed_f is not None else [2, 4, 8, 16, 32]

    def arch_for(f: int) -> Arch | None:
        def n(table: int) -> int:
            opts = {"levels": levels, "features_per_level": f, "table_size": table, "resolutions": resolutions}
            return count(channels, [width, width], opts)

        if n(1) > budget:
            return None
        a, b = 1, dense  # entries per level stop growing once every level is dense
        while a < b:
            mid = (a + b + 1) // 2
            if n(mid) <= budget:
                a = mid
            else:
                b = mid - 1
        opts = {
            "levels": levels,
            "features_per_level": f,
            "table_size": a,
            "resolutions": resolutions,
            "base_resolution": min(base, finest),
            "max_resolution": finest,
        }
        return Arch(family, channels, (width, width), n(a), budget, 0, opts)

    found = [a for a in map(arch_for, candidates) if a is not None]
    if not found:
        need = count(
            channels,
            [width, width],
            {"levels": levels, "features_per_level": candidates[0], "table_size": 1, "resolutions": resolutions},
        )
        raise BudgetError(
            f"budget {budget:,} is below the minimum of {need:,} params for hashgrid with {levels} levels "
            f"and MLP width {width}; raise the budget or pass smaller levels=/width="
        )
    # The fewest features per level that fill the budget; more only when the grid saturates.
    for arch in found:
        if arch.n_params >= 0.97 * budget:
            return arch
    most = max(found, key=lambda a: a.n_params)
    if most.options["table_size"] < dense:
        return most  # tiny budgets: the count steps are coarser than 3 %
    raise BudgetError(
        f"budget {budget:,} is more than a hash grid for a {finest}-px image can hold: with every "
        f"level dense and {most.options['features_per_level']} features per level it has "
        f"{most.n_params:,} params; pass a larger resolution= (or max_resolution=, features_per_level=) "
        f"or a smaller budget"
    )


def describe(arch: Arch) -> str:
    """``' · 8 levels × 2 · table 1,234'``."""
    o = arch.options
    return f" · {o['levels']} levels × {o['features_per_level']} · table {o['table_size']:,}"


def bytes_per_point(arch: Arch) -> int:
    """The MLP's activations plus, per level, the four corners' rows, weights and features."""
    levels, feats = arch.options["levels"], arch.options["features_per_level"]
    return mlp_bytes_per_point(arch) + levels * 4 * (3 * 8 + 4 * (feats + 4))


def region_values(
    model: HashGrid, shape: tuple[int, int], region: tuple[int, int, int, int]
) -> dict[str, torch.Tensor]:
    """The table rows that pixel centres of ``region`` read (all levels, all four cell corners), as a mask."""
    rows, _ = model.lookup(region_grid(shape, region, device=model.table.device))
    hit = torch.zeros(model.table.shape[0], dtype=torch.bool, device=model.table.device)
    hit[rows.reshape(-1)] = True
    return {"table": hit[:, None].expand_as(model.table).clone()}


SPEC = FamilySpec(
    name="hashgrid",
    module=HashGrid,
    plan=plan,
    count=count,
    defaults=FamilyDefaults(lr=1e-2, betas=(0.9, 0.99), eps=1e-15),
    bytes_per_point=bytes_per_point,
    tables=("table",),
    first_layer_bound=relu_first_layer_bound,
    describe=describe,
    encoding="hash",
    activation="relu",
    summary="multiresolution hash-grid tables and a tiny ReLU MLP (Müller et al., 2022)",
    region_values=region_values,
)
