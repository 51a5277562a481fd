"""Alignment: permute (and for SIREN sign-flip) b's hidden units to best match a's (Git Re-Basin)."""

from __future__ import annotations

import torch

from ..fields import spec_for
from ..result import Fit
from ._base import compatible, derive, layer_prefix, linears, reindex


def align(a: Fit, b: Fit, *, max_iter: int = 100) -> Fit:
    """``b`` with its hidden units permuted to best match ``a``; the same function as ``b``.

    Weight matching (Ainsworth et al., 2023, "Git Re-Basin"): for each hidden
    layer in turn, with the other layers' permutations fixed, solve the linear
    assignment that maximises the summed inner products between a's units and
    b's (incoming weights, bias and outgoing weights) with
    :func:`scipy.optimize.linear_sum_assignment`; sweep over the layers until
    no permutation changes (or ``max_iter`` sweeps).

    For an odd activation (``FamilySpec.odd_activation``, SIREN's
    ``sin(-z) = -sin(z)``), negating a unit's incoming weights and
    bias and its outgoing weights leaves the function unchanged, so each unit
    may also be flipped; the assignment then scores ``|similarity|`` and
    flips a unit when its similarity is negative. (Not done for quantised
    fits: a flip would move values off a per-tensor grid.) The hash grid's
    table and the Fourier features are inputs to the MLP and are not
    permuted.

    Parameters
    ----------
    a, b : Fit
        Same family and shapes.
    max_iter : int
        Most sweeps over the layers.

    Returns
    -------
    Fit
        A new fit: ``b``'s weights reordered; renders equal ``b``'s (up to
        float rounding of the reordered sums). Its masks and per-channel
        grids follow the units.

    Raises
    ------
    EditError
        ``a`` and ``b`` differ in family or shape.
    """
    from scipy.optimize import linear_sum_assignment

    compatible(a, b, "align", buffers=False)
    layer_prefix(b)  # EditError for a family without hidden units
    signed = spec_for(b.family).odd_activation and not b.grids
    la = [(m.weight.detach().double().cpu(), m.bias.detach().double().cpu()) for m in linears(a.model)]
    lb = [(m.weight.detach().double().cpu(), m.bias.detach().double().cpu()) for m in linears(b.model)]
    hidden = len(la) - 1
    perms = [torch.arange(la[i][0].shape[0]) for i in range(hidden)]
    signs = [torch.ones(la[i][0].shape[0], dtype=torch.float64) for i in range(hidden)]
    sweeps = 0
    for sweeps in range(1, max_iter + 1):
        changed = False
        order = range(hidden) if sweeps % 2 else reversed(range(hidden))
        for i in order:
            wa, ba = la[i]
            wb, bb = lb[i]
            if i > 0:
                wb = wb[:, perms[i - 1]] * signs[i - 1][None, :]
            sim = wa @ wb.T + torch.outer(ba, bb)
            wa_out, wb_out = la[i + 1][0], lb[i + 1][0]
            if i + 1 < hidden:
                wb_out = wb_out[perms[i + 1]] * signs[i + 1][:, None]
            sim = sim + wa_out.T @ wb_out
            sign = torch.where(sim < 0, -1.0, 1.0).double() if signed else torch.ones_like(sim)
            _, cols = linear_sum_assignment((sim * sign).numpy(), maximize=True)
            perm = torch.as_tensor(cols, dtype=torch.int64)
            new_sign = sign[torch.arange(perm.numel()), perm]
            if not (torch.equal(perm, perms[i]) and torch.equal(new_sign, signs[i])):
                changed = True
            perms[i], signs[i] = perm, new_sign
        if not changed:
            break
    state, masks, grids = reindex(b, perms, [s.float() for s in signs] if signed else None)
    model = _copy_with(b, state)
    flips = int(sum(int((s < 0).sum()) for s in signs))
    edit = {"name": "align", "to": a.arch.describe(), "sweeps": sweeps, "flips": flips}
    return derive(b, model, edit, masks=masks, grids=grids)


def _copy_with(fit: Fit, state: dict[str, torch.Tensor]) -> torch.nn.Module:
    import copy

    model = copy.deepcopy(fit.model)
    model.load_state_dict(state, strict=True)
    return model
