"""Multiresolution hash-grid encoding + tiny ReLU MLP (Müller et al., 2022), in PyTorch."""

from __future__ import annotations

import torch
from torch import nn

from ..budget import Arch
from .base import MLP, Field, init_relu_mlp, relu, uniform_

#: instant-ngp's spatial-hash prime for the second coordinate (the first is 1).
PRIME = 2654435761

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
        """Table rows of grid vertices ``ij`` (``(..., L, 4, 2)`` integer (i, j) per level)."""
        i, j = ij[..., 0], ij[..., 1]
        res = self.resolutions.view(-1, 1)
        dense = j * (res + 1) + i
        hashed = (((j * PRIME) & 0xFFFFFFFF) ^ i) % self.table_size
        return torch.where(self.dense.view(-1, 1), dense, hashed) + self.offsets.view(-1, 1)

    def lookup(self, coords: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Table rows and bilinear weights of each point's cell corners, ``(N, L, 4)`` each.

        Depends only on the coordinates (and the grid), not on the table, so
        it is :meth:`prepare`: training on fixed pixels computes it once.
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
        """``(N, levels * features)`` features from :meth:`lookup`'s rows and weights."""
        # index_select's backward is an index_add, several times faster on CPU than embedding's
        feats = self.table.index_select(0, idx.reshape(-1)).view(*idx.shape, self.n_features)  # (N, L, 4, F)
        out = (feats * weights[..., None]).sum(dim=2)  # (N, L, F)
        return out.reshape(idx.shape[0], -1)

    def encode(self, coords: torch.Tensor) -> torch.Tensor:
        """``(N, 2)`` coordinates -> ``(N, levels * features)`` interpolated features."""
        return self.interpolate(*self.lookup(coords))

    def prepare(self, coords: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.lookup(coords)

    def raw_prepared(self, prepared: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        return self.mlp(self.interpolate(*prepared))
