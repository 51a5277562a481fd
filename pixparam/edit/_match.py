"""Alignment: permute (and for SIREN sign-flip) b's hidden units to best match a's (Git Re-Basin)."""

from __future__ import annotations

import torch

from ..errors import EditError
from ..fields import spec_for
from ..result import Fit
from ._base import compatible, derive, layer_prefix, linears, reindex


def align(a: Fit, b: Fit, *, max_iter: int = 100, signs: bool | None = None) -> Fit:
    """``b`` with its hidden units permuted to best match ``a``; the same function as ``b``.

    Weight matching (Ainsworth et al., 2023, "Git Re-Basin"): for each hidden
    layer in turn, with the other layers' permutations fixed, solve the linear
    assignment that maximises the summed inner products between a's units and
    b's (incoming weights, bias and outgoing weights) with
    :func:`scipy.optimize.linear_sum_assignment`; sweep over the layers until
    no permutation changes (or ``max_iter`` sweeps). Each step maximises the
    total inner product over one layer's permutation with the others fixed,
    so the sweeps never increase :func:`weight_distance`.

    For an odd activation (``FamilySpec.odd_activation``: SIREN's
    ``sin(-ω0 z) = -sin(ω0 z)``), negating a unit's incoming weights and bias
    and its outgoing weights leaves the function unchanged (ω0 multiplies
    the whole pre-activation ``W x + b``, so it commutes with the flip, in the
    first layer as in the others), so each unit may also be flipped: the
    assignment then scores ``|similarity|`` and flips a unit when its
    similarity is negative. The signed search starts from the
    permutation-only solution, so its :func:`weight_distance` to ``a`` is
    never larger than permutation alone gives. The hash grid's table and the
    Fourier features are inputs to the MLP and are not permuted.

    Parameters
    ----------
    a, b : Fit
        Same family and shapes.
    max_iter : int
        Most sweeps over the layers (per stage: permutations, then signs).
    signs : bool, optional
        Also search sign flips. Default: when the family's activation is odd
        and ``b`` is not quantised (a flip would move values off a
        per-tensor grid). ``False`` searches permutations only.

    Returns
    -------
    Fit
        A new fit: ``b``'s weights reordered; renders equal ``b``'s (up to
        float rounding of the reordered sums). Its masks and per-channel
        grids follow the units. ``edits[-1]`` records ``sweeps`` and
        ``flips`` (units negated).

    Raises
    ------
    EditError
        ``a`` and ``b`` differ in family or shape, or ``signs=True`` where a
        flip would change the function (an activation that is not odd) or
        leave a quantisation grid.
    """
    from scipy.optimize import linear_sum_assignment

    compatible(a, b, "align", buffers=False)
    layer_prefix(b)  # EditError for a family without hidden units
    odd = spec_for(b.family).odd_activation
    if signs and not odd:
        raise EditError(
            f"signs=True but a {b.family} network's activation is not odd, so flipping a unit's sign changes "
            "its function; use signs=False (permutations only)"
        )
    if signs and b.grids:
        raise EditError("signs=True but b is quantised: a sign flip moves values off its grid; align before quantize")
    signed = bool(odd and not b.grids) if signs is None else bool(signs)
    la = [(m.weight.detach().double().cpu(), m.bias.detach().double().cpu()) for m in linears(a.model)]
    lb = [(m.weight.detach().double().cpu(), m.bias.detach().double().cpu()) for m in linears(b.model)]
    hidden = len(la) - 1
    perms = [torch.arange(la[i][0].shape[0]) for i in range(hidden)]
    units = [torch.ones(la[i][0].shape[0], dtype=torch.float64) for i in range(hidden)]
    sweeps = 0
    for stage in (False, True) if signed else (False,):  # permutations first, then sign flips from there
        for n in range(1, max_iter + 1):
            sweeps += 1
            changed = False
            for i in range(hidden) if n % 2 else reversed(range(hidden)):
                sim = _similarity(la, lb, perms, units, i)
                sign = torch.where(sim < 0, -1.0, 1.0).double() if stage else torch.ones_like(sim)
                _, cols = linear_sum_assignment((sim * sign).numpy(), maximize=True)
                perm = torch.as_tensor(cols, dtype=torch.int64)
                new_sign = sign[torch.arange(perm.numel()), perm]
                if not (torch.equal(perm, perms[i]) and torch.equal(new_sign, units[i])):
                    changed = True
                perms[i], units[i] = perm, new_sign
            if not changed:
                break
    state, masks, grids = reindex(b, perms, [s.float() for s in units] if signed else None)
    model = _copy_with(b, state)
    flips = int(sum(int((s < 0).sum()) for s in units))
    edit = {"name": "align", "to": a.arch.describe(), "sweeps": sweeps, "flips": flips, "signs": signed}
    return derive(b, model, edit, masks=masks, grids=grids)


def _similarity(
    la: list[tuple[torch.Tensor, torch.Tensor]],
    lb: list[tuple[torch.Tensor, torch.Tensor]],
    perms: list[torch.Tensor],
    units: list[torch.Tensor],
    i: int,
) -> torch.Tensor:
    """``sim[j, k]``: the inner product of a's unit j of hidden layer i with b's unit k (in, bias, out)."""
    hidden = len(la) - 1
    wa, ba = la[i]
    wb, bb = lb[i]
    if i > 0:
        wb = wb[:, perms[i - 1]] * units[i - 1][None, :]
    sim = wa @ wb.T + torch.outer(ba, bb)
    wa_out, wb_out = la[i + 1][0], lb[i + 1][0]
    if i + 1 < hidden:
        wb_out = wb_out[perms[i + 1]] * units[i + 1][:, None]
    return sim + wa_out.T @ wb_out


def weight_distance(a: Fit, b: Fit) -> float:
    """Squared Euclidean distance between two fits' parameters: what :func:`align` lowers.

    Parameters
    ----------
    a, b : Fit
        Same family and parameter shapes.

    Returns
    -------
    float
        ``sum over tensors of ||a - b||²`` (in float64). Permuting or
        sign-flipping b's hidden units leaves each fit's own norm unchanged,
        so a smaller distance is a larger total inner product, the quantity
        weight matching maximises.

    Raises
    ------
    EditError
        ``a`` and ``b`` differ in family or shape.
    """
    compatible(a, b, "measure the distance between", buffers=False)
    pb = dict(b.model.named_parameters())
    total = 0.0
    for name, p in a.model.named_parameters():
        q = pb[name].detach().to("cpu", torch.float64)
        total += float((p.detach().to("cpu", torch.float64) - q).square().sum())
    return total


def _copy_with(fit: Fit, state: dict[str, torch.Tensor]) -> torch.nn.Module:
    import copy

    model = copy.deepcopy(fit.model)
    model.load_state_dict(state, strict=True)
    return model
