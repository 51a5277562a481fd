"""Evaluating a sum of truncated 2D Gaussians at many points, with tile culling, in bounded memory.

A Gaussian ``i`` with mean ``mu_i``, covariance ``Sigma_i = L_i L_iᵀ``
(``L_i`` lower triangular, diagonal ``l11, l22 > 0``, off-diagonal ``l21``)
and colour ``c_i`` gives a point ``p`` the weight

    w_i(p) = exp(-d²/2)  if d² <= cutoff²  else 0,     d² = |L_i⁻¹ (p - mu_i)|²,

and :func:`splat` returns ``sum_i w_i(p) c_i`` for every point. The
truncation is part of the model: training and rendering evaluate the same
function, and :func:`splat_dense` (every point against every Gaussian) is the
reference it is tested against, forward and gradients.

Culling: a Gaussian can only reach points inside its ``cutoff``-sigma
bounding box (half-widths ``cutoff * sqrt(Sigma_xx)``, ``cutoff *
sqrt(Sigma_yy)``). The points' bounding rectangle is cut into square tiles;
each Gaussian is listed in every tile its box overlaps (a CSR layout sorted
by tile), and each point is paired only with the Gaussians listed in its
tile. The pairs are exact candidates: a pair outside the cutoff gets weight
zero, and no Gaussian within the cutoff of a point is missed, so the tile
size changes only the work, never the result (beyond float rounding of the
sum order). The tiles are recomputed on every call, from the current
(trainable) means and shapes, with no gradient: the set of pairs is
piecewise constant in the parameters, and the gradient is the exact gradient
of the truncated function wherever it is differentiable.

Memory: points are processed in chunks of at most :data:`PAIRS_PER_CHUNK`
candidate pairs; with gradients enabled each chunk is wrapped in
:func:`torch.utils.checkpoint.checkpoint`, so the backward pass recomputes a
chunk's pairs instead of keeping them. A call holds a few tensors per point
and per Gaussian plus one chunk's pairs (about 64 MiB), whatever the number
of points.
"""

from __future__ import annotations

import itertools
import math

import torch
from torch.utils.checkpoint import checkpoint

__all__ = ["PAIRS_PER_CHUNK", "splat", "splat_dense"]

#: Candidate (point, Gaussian) pairs evaluated at once; about 128 bytes each while a chunk runs.
PAIRS_PER_CHUNK = 1 << 19

#: Tiles across the median bounding box: finer tiles waste fewer candidates but list each Gaussian more often.
TILES_PER_BOX = 4

#: Most (Gaussian, tile) entries the tile lists may hold; coarser tiles are used above it.
MAX_TILE_ENTRIES = 1 << 24

#: Bounding boxes are widened by this fraction so rounding never drops a pair inside the cutoff.
_BOX_SLACK = 1e-5


def _weights(
    p: torch.Tensor, mu: torch.Tensor, inv11: torch.Tensor, l21: torch.Tensor, inv22: torch.Tensor
) -> torch.Tensor:
    """``d² = |L⁻¹ (p - mu)|²`` row by row (all inputs already gathered per pair)."""
    z1 = (p[:, 0] - mu[:, 0]) * inv11
    z2 = (p[:, 1] - mu[:, 1] - l21 * z1) * inv22
    return z1 * z1 + z2 * z2


def splat_dense(
    coords: torch.Tensor, means: torch.Tensor, chol: torch.Tensor, colours: torch.Tensor, cutoff: float
) -> torch.Tensor:
    """The reference: every point against every Gaussian, ``(N, G)`` at once (small cases only).

    Parameters
    ----------
    coords : (N, 2) torch.Tensor
        Points ``(x, y)``.
    means : (G, 2) torch.Tensor
        Gaussian centres.
    chol : (G, 3) torch.Tensor
        ``(l11, l21, l22)`` of each covariance's Cholesky factor, ``l11, l22 > 0``.
    colours : (G, K) torch.Tensor
        Values each Gaussian adds, weighted.
    cutoff : float
        Weights beyond ``cutoff`` standard deviations (Mahalanobis) are zero.

    Returns
    -------
    (N, K) torch.Tensor
        ``sum_i w_i(p) colours_i``.
    """
    n, g = coords.shape[0], means.shape[0]
    p = coords[:, None, :].expand(n, g, 2).reshape(-1, 2)
    mu = means[None].expand(n, g, 2).reshape(-1, 2)
    l11, l21, l22 = (chol[None, :, i].expand(n, g).reshape(-1) for i in range(3))
    d2 = _weights(p, mu, 1.0 / l11, l21, 1.0 / l22).view(n, g)
    w = torch.where(d2 <= cutoff * cutoff, torch.exp(-0.5 * d2), torch.zeros_like(d2))
    return w @ colours


def _tiles(
    lo: torch.Tensor, hi: torch.Tensor, box_lo: torch.Tensor, box_hi: torch.Tensor, n_points: int
) -> tuple[float, int, int, torch.Tensor, torch.Tensor]:
    """Tile side and grid over ``[lo, hi]``, and each box's tile range (clamped to the grid)."""
    span = (hi - lo).clamp_min(1e-12)
    width = (box_hi - box_lo).amax(dim=1)
    side = float(width.median()) / TILES_PER_BOX if width.numel() else float(span.max())
    # at most ~4 points' worth of tiles, and never so fine that the tile lists overflow
    side = max(side, float(span.max()) / 4096, math.sqrt(float(span[0] * span[1]) / max(1, n_points // 4)))
    while True:
        nx, ny = (int(v) for v in torch.ceil(span / side).clamp_min(1).tolist())
        t0 = torch.floor((box_lo - lo) / side).long()
        t1 = torch.floor((box_hi - lo) / side).long()
        t0[:, 0].clamp_(0, nx - 1)
        t1[:, 0].clamp_(0, nx - 1)
        t0[:, 1].clamp_(0, ny - 1)
        t1[:, 1].clamp_(0, ny - 1)
        entries = int(((t1 - t0 + 1).prod(dim=1)).sum()) if t0.numel() else 0
        if entries <= MAX_TILE_ENTRIES or nx * ny == 1:
            return side, nx, ny, t0, t1
        side *= 2


def _tile_lists(
    coords: torch.Tensor, means: torch.Tensor, chol: torch.Tensor, cutoff: float
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per point: its tile's first entry and its number of candidates; the Gaussians listed by tile.

    Returns ``start (N,)``, ``count (N,)`` and ``listed (E,)`` (Gaussian indices sorted by tile).
    """
    dev = coords.device
    lo, hi = coords.amin(dim=0), coords.amax(dim=0)
    half = cutoff * (1 + _BOX_SLACK) * torch.stack([chol[:, 0], torch.hypot(chol[:, 1], chol[:, 2])], dim=1)
    box_lo, box_hi = means - half, means + half
    near = ((box_hi >= lo) & (box_lo <= hi)).all(dim=1)  # boxes that reach the points at all
    kept = torch.nonzero(near).reshape(-1)
    side, nx, ny, t0, t1 = _tiles(lo, hi, box_lo[kept], box_hi[kept], coords.shape[0])
    spans = t1 - t0 + 1  # (G', 2)
    per = spans[:, 0] * spans[:, 1]
    owner = torch.repeat_interleave(torch.arange(kept.numel(), device=dev), per)
    local = torch.arange(owner.numel(), device=dev) - torch.repeat_interleave(torch.cumsum(per, 0) - per, per)
    tx = t0[owner, 0] + local % spans[owner, 0]
    ty = t0[owner, 1] + local // spans[owner, 0]
    tile = ty * nx + tx
    order = torch.argsort(tile, stable=True)
    listed = kept[owner[order]]
    per_tile = torch.bincount(tile, minlength=nx * ny)
    first = torch.cumsum(per_tile, 0) - per_tile
    pt = torch.floor((coords - lo) / side).long()
    pt[:, 0].clamp_(0, nx - 1)
    pt[:, 1].clamp_(0, ny - 1)
    point_tile = pt[:, 1] * nx + pt[:, 0]
    return first[point_tile], per_tile[point_tile], listed


def _chunk(
    coords: torch.Tensor,
    start: torch.Tensor,
    count: torch.Tensor,
    listed: torch.Tensor,
    cutoff: float,
    packed: torch.Tensor,
) -> torch.Tensor:
    """The weighted sum for one chunk of points from its candidate pairs (recomputed in backward).

    ``packed`` is ``(G, 5 + K)``: centre, ``1/l11``, ``l21``, ``1/l22``, colour. Gathers are
    ``index_select`` (whose backward is an ``index_add``, fast on a CPU too).
    """
    dev = coords.device
    n = coords.shape[0]
    pid = torch.repeat_interleave(torch.arange(n, device=dev), count)
    offset = torch.arange(pid.numel(), device=dev) - torch.repeat_interleave(torch.cumsum(count, 0) - count, count)
    gid = listed.index_select(0, start.index_select(0, pid) + offset)
    with torch.no_grad():  # which candidates lie within the cutoff (the choice has no gradient)
        shape = packed[:, :5].detach().index_select(0, gid)
        d2 = _weights(coords.index_select(0, pid), shape[:, 0:2], shape[:, 2], shape[:, 3], shape[:, 4])
        inside = torch.nonzero(d2 <= cutoff * cutoff).reshape(-1)
        pid, gid = pid.index_select(0, inside), gid.index_select(0, inside)
    p = coords.index_select(0, pid)
    g = packed.index_select(0, gid)
    d2 = _weights(p, g[:, 0:2], g[:, 2], g[:, 3], g[:, 4])
    contrib = torch.exp(-0.5 * d2)[:, None] * g[:, 5:]
    out = torch.zeros(n, packed.shape[1] - 5, device=dev, dtype=contrib.dtype)
    return out.index_add(0, pid, contrib)


def splat(
    coords: torch.Tensor,
    means: torch.Tensor,
    chol: torch.Tensor,
    colours: torch.Tensor,
    cutoff: float,
    *,
    chunk_pairs: int = PAIRS_PER_CHUNK,
) -> torch.Tensor:
    """``sum_i w_i(p) colours_i`` at every point, culled by tiles; equals :func:`splat_dense`.

    Parameters
    ----------
    coords : (N, 2) torch.Tensor
        Points ``(x, y)`` (no gradient flows to them).
    means : (G, 2) torch.Tensor
        Gaussian centres.
    chol : (G, 3) torch.Tensor
        ``(l11, l21, l22)`` of each covariance's Cholesky factor, ``l11, l22 > 0``.
    colours : (G, K) torch.Tensor
        Values each Gaussian adds, weighted.
    cutoff : float
        Weights beyond ``cutoff`` standard deviations (Mahalanobis) are zero.
    chunk_pairs : int
        Candidate pairs evaluated at once (the memory bound; the result does not depend on it).

    Returns
    -------
    (N, K) torch.Tensor
        Differentiable in ``means``, ``chol`` and ``colours``.
    """
    coords = coords.detach()
    n = coords.shape[0]
    if n == 0 or means.shape[0] == 0:
        return colours.new_zeros(n, colours.shape[1]) + 0 * colours.sum()
    with torch.no_grad():
        start, count, listed = _tile_lists(coords, means.detach(), chol.detach(), cutoff)
        ends = torch.cumsum(count, 0)
        total = int(ends[-1])
        marks = torch.arange(1, max(1, math.ceil(total / chunk_pairs)), device=coords.device) * chunk_pairs
        cuts = [0, *torch.searchsorted(ends, marks).tolist(), n]
    packed = torch.cat([means, 1.0 / chol[:, 0:1], chol[:, 1:2], 1.0 / chol[:, 2:3], colours], dim=1)
    grad = torch.is_grad_enabled() and any(t.requires_grad for t in (means, chol, colours))
    parts = []
    for a, b in itertools.pairwise(cuts):
        if b <= a:
            continue
        args = (coords[a:b], start[a:b], count[a:b], listed, cutoff, packed)
        parts.append(checkpoint(_chunk, *args, use_reentrant=False) if grad else _chunk(*args))
    return torch.cat(parts, dim=0)
