"""Quantisation and noise: per-value edits of the stored numbers."""

from __future__ import annotations

import torch

from .._checks import number
from .._deprecate import keyword_only
from ..errors import EditError
from ..result import Fit
from ._base import check_fit, copy_model, derive, tables
from .quantgrid import QuantGrid

#: Bit depths :func:`quantize` offers below 32 (16 is a float16 cast).
BITS = (16, 8, 6, 4, 3, 2)


def quantize(fit: Fit, bits: int, *, per_channel: bool = False) -> Fit:
    """Round every parameter to a grid of ``2**bits`` values.

    Parameters
    ----------
    fit : Fit
        The network (left untouched).
    bits : int
        2 to 15: a uniform grid per tensor from its smallest to its largest
        kept value (``2**bits`` levels, asymmetric min–max, round to nearest).
        16: a float16 cast. 32: nothing changes (float32 already).
    per_channel : bool
        One grid per output unit (row) of each linear weight instead of one
        per tensor; biases and hash tables keep one grid per tensor.

    Returns
    -------
    Fit
        A new fit whose ``grids`` record each tensor's grid (so
        :func:`heal` keeps the weights on it) and whose ``storage_bits``
        counts ``bits`` per kept value plus 64 bits per grid. Pruned values
        stay exactly zero (their mask says they are not stored).

    Raises
    ------
    EditError
        ``bits`` is not an integer in 2..16 or 32.
    """
    check_fit(fit)
    if isinstance(bits, bool) or not isinstance(bits, int) or not (2 <= bits <= 16 or bits == 32):
        raise EditError(f"bits={bits!r}; use an integer from 2 to 15 (uniform grid), 16 (float16) or 32 (no change)")
    edit = {"name": "quantize", "bits": bits, "per_channel": bool(per_channel)}
    model = copy_model(fit)
    if bits == 32:
        return derive(fit, model, edit)
    grids = dict(fit.grids)
    per_tensor = tables(fit)  # lookup tables keep one grid per tensor
    with torch.no_grad():
        for name, p in model.named_parameters():
            mask = fit.masks.get(name)
            m = None if mask is None else mask.to(p.device)
            if bits == 16:
                grid = QuantGrid(16)
            else:
                grid = _uniform_grid(p.detach(), m, bits, per_channel and p.ndim == 2 and name not in per_tensor)
            q = grid.project(p)
            p.copy_(q if m is None else q * m.to(q.dtype))
            grids[name] = grid
    return derive(fit, model, edit, grids=grids)


def _uniform_grid(p: torch.Tensor, mask: torch.Tensor | None, bits: int, per_row: bool) -> QuantGrid:
    x = p.float()
    if not per_row:
        x = x.reshape(1, -1)
        mask = None if mask is None else mask.reshape(1, -1)
    big = torch.finfo(torch.float32).max
    lo = (x if mask is None else torch.where(mask, x, big)).amin(dim=1)
    hi = (x if mask is None else torch.where(mask, x, -big)).amax(dim=1)
    empty = lo > hi  # rows with nothing kept
    lo = torch.where(empty, 0.0, lo)
    hi = torch.where(empty, 0.0, hi)
    step = (hi - lo) / (2**bits - 1)
    step = torch.where(step > 0, step, torch.ones_like(step))
    if per_row:
        return QuantGrid(bits, lo.cpu()[:, None].contiguous(), step.cpu()[:, None].contiguous())
    return QuantGrid(bits, lo.cpu().reshape(()), step.cpu().reshape(()))


@keyword_only("seed")
def noise(fit: Fit, scale: float, *, seed: int = 0) -> Fit:
    """Add Gaussian noise to every parameter, relative to each tensor's spread.

    Parameters
    ----------
    fit : Fit
        The network (left untouched).
    scale : float, >= 0
        Noise standard deviation as a fraction of each tensor's standard
        deviation (of its kept values): ``p + scale * std(p) * N(0, 1)``.
    seed : int
        Seeds a CPU generator; the noise is drawn in parameter order, then
        moved to the model's device, so results agree across devices.

    Returns
    -------
    Fit
        A new fit. Pruned values stay zero; quantisation grids are dropped
        (noisy values are off the grid) unless ``scale`` is 0.
    """
    check_fit(fit)
    scale = number(scale, "scale", 0.0)
    model = copy_model(fit)
    gen = torch.Generator().manual_seed(int(seed))
    with torch.no_grad():
        for name, p in model.named_parameters():
            mask = fit.masks.get(name)
            kept = p.detach().flatten() if mask is None else p.detach()[mask.to(p.device)]
            std = float(kept.float().std()) if kept.numel() > 1 else 0.0
            z = torch.randn(p.shape, generator=gen).to(p.device, p.dtype)
            p.add_(z * (scale * std))
            if mask is not None:
                p.mul_(mask.to(p.device, p.dtype))
    grids = dict(fit.grids) if scale == 0 else {}
    return derive(fit, model, {"name": "noise", "scale": scale, "seed": int(seed)}, grids=grids)
