"""Pruning: zero the smallest (or random) parameters, or remove whole hidden units."""

from __future__ import annotations

from dataclasses import replace

import torch

from .._checks import number
from ..budget import count
from ..errors import EditError
from ..fields import build, spec_for
from ..result import Fit
from ._base import check_fit, copy_model, derive, layer_prefix, linears, reindex
from .quantgrid import QuantGrid

#: The ``method`` values :func:`prune` takes.
METHODS = ("magnitude", "random", "neurons")


def prune(fit: Fit, amount: float, method: str = "magnitude", *, seed: int = 0) -> Fit:
    """Prune a fitted network: zero a fraction of its parameters, or remove hidden units.

    Parameters
    ----------
    fit : Fit
        The network (left untouched).
    amount : float in [0, 1]
        Fraction to remove. For ``magnitude`` and ``random``: of all trainable
        values (weights, biases and hash-table entries, each value counted
        once); ``k = round(amount * n_params)`` values end up zero, including
        any pruned before. For ``neurons``: of each hidden layer's units
        (``round(amount * width)``, at least one unit left per layer).
    method : {"magnitude", "random", "neurons"}
        ``magnitude``: global unstructured pruning of the smallest absolute
        values (hash-grid tables prune per entry, like weights).
        ``random``: the same count chosen uniformly at random (``seed``).
        ``neurons``: structured; the hidden units with the smallest
        ``‖incoming weights, bias‖ · ‖outgoing weights‖`` are removed, giving a
        genuinely smaller network with a new :class:`~pixparam.Arch` whose
        ``n_params`` is exact. A hash grid's table is left whole. A family
        with structured units instead of hidden ones (the registry's
        ``FamilySpec.units``: Gaussians) drops its lowest-scoring units.
    seed : int
        Seeds ``random`` (a CPU generator).

    Returns
    -------
    Fit
        A new fit. Unstructured pruning keeps ``n_params`` (the nominal
        count) and records a mask per tensor in ``fit.masks``;
        ``fit.n_effective`` counts the non-zero values left.

    Raises
    ------
    EditError
        ``amount`` outside ``[0, 1]`` or an unknown ``method``.

    Examples
    --------
    >>> import pixparam as pp
    >>> f = pp.fit(pp.load_image("camera", size=16), 500, steps=5, progress=False)
    >>> g = pp.edit.prune(f, 0.5)
    >>> g.n_params == f.n_params, g.n_effective == f.n_params - round(0.5 * f.n_params)
    (True, True)
    """
    check_fit(fit)
    amount = number(amount, "amount", 0.0, 1.0)
    if method not in METHODS:
        raise EditError(f"method={method!r}; choose one of {', '.join(METHODS)}")
    edit = {"name": "prune", "amount": amount, "method": method}
    if method == "neurons":
        return _prune_neurons(fit, amount, edit)
    if method == "random":
        edit["seed"] = int(seed)
    model = copy_model(fit)
    params = dict(model.named_parameters())
    scores = []
    for name, p in params.items():
        if method == "magnitude":
            s = p.detach().abs().float().cpu().flatten()
        else:
            s = torch.empty(0)  # filled below from one generator, in parameter order
        mask = fit.masks.get(name)
        scores.append((name, s, mask))
    if method == "random":
        gen = torch.Generator().manual_seed(int(seed))
        drawn = torch.rand(sum(p.numel() for p in params.values()), generator=gen)
        pos = 0
        for i, (name, _, mask) in enumerate(scores):
            n = params[name].numel()
            scores[i] = (name, drawn[pos : pos + n], mask)
            pos += n
    flat = torch.cat([torch.where(m.flatten(), s, -1.0) if m is not None else s for _, s, m in scores])
    n = flat.numel()
    already = int((flat < 0).sum())
    k = max(round(amount * n), already)
    if k == 0:
        return derive(fit, model, edit)
    keep = torch.ones(n, dtype=torch.bool)
    keep[torch.argsort(flat, stable=True)[:k]] = False
    masks = dict(fit.masks)
    pos = 0
    with torch.no_grad():
        for name, p in params.items():
            m = keep[pos : pos + p.numel()].view(p.shape)
            pos += p.numel()
            if not bool(m.all()):
                masks[name] = m
                p.mul_(m.to(p.device, p.dtype))
    return derive(fit, model, edit, masks=masks)


def _prune_neurons(fit: Fit, amount: float, edit: dict) -> Fit:
    spec = spec_for(fit.family)
    if spec.mlp is None and spec.units is not None:
        return _prune_units(fit, amount, edit)
    layer_prefix(fit)  # EditError for a family without hidden units
    layers = linears(fit.model)
    rows = []
    for i, layer in enumerate(layers[:-1]):
        w_in = torch.cat([layer.weight.detach(), layer.bias.detach()[:, None]], dim=1).float().cpu()
        w_out = layers[i + 1].weight.detach().float().cpu()
        score = w_in.norm(dim=1) * w_out.norm(dim=0)
        width = score.numel()
        n_keep = max(1, width - round(amount * width))
        keep = torch.sort(torch.argsort(score, descending=True, stable=True)[:n_keep]).values
        rows.append(keep)
    widths = tuple(int(r.numel()) for r in rows)
    old = fit.arch
    arch = replace(old, widths=widths, n_params=count(old.family, old.channels, widths, old.options))
    state, masks, grids = reindex(fit, rows)
    model = build(arch, seed=int(fit.config.get("seed", 0)), device=fit.device)
    model.load_state_dict(state, strict=True)
    edit["kept"] = [r.tolist() for r in rows]
    return derive(fit, model, edit, arch=arch, masks=masks, grids=grids)


def _prune_units(fit: Fit, amount: float, edit: dict) -> Fit:
    """Drop the lowest-scoring units (``FamilySpec.units``) of a family whose parameters have a row per unit."""
    spec = spec_for(fit.family)
    scores = spec.units(fit.model).detach().float().cpu()  # type: ignore[misc]
    n = scores.numel()
    n_keep = max(1, n - round(amount * n))
    keep = torch.sort(torch.argsort(scores, descending=True, stable=True)[:n_keep]).values
    old = fit.arch
    options = {**old.options, spec.unit_option: n_keep}
    arch = replace(old, options=options, n_params=count(old.family, old.channels, old.widths, options))
    state = {k: v.detach()[keep.to(v.device)].clone() for k, v in fit.model.state_dict().items()}
    masks = {k: m[keep] for k, m in fit.masks.items()}
    grids = {k: (QuantGrid(g.bits, g.lo[keep], g.step[keep]) if g.per_channel else g) for k, g in fit.grids.items()}  # type: ignore[index]
    model = build(arch, seed=int(fit.config.get("seed", 0)), device=fit.device)
    model.load_state_dict(state, strict=True)
    edit["kept"] = keep.tolist()
    return derive(fit, model, edit, arch=arch, masks=masks, grids=grids)
