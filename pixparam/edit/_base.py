"""Shared pieces of the edit operators: copying a Fit, argument checks, compatibility, layer surgery."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from ..arch import Arch
from ..errors import EditError
from ..fields import hidden_layers, spec_for
from ..result import Fit
from .quantgrid import QuantGrid


def derive(
    fit: Fit,
    model: nn.Module,
    edit: dict[str, Any],
    *,
    arch: Arch | None = None,
    masks: dict[str, torch.Tensor] | None = None,
    grids: dict[str, QuantGrid] | None = None,
) -> Fit:
    """A new Fit around ``model`` (already a copy), with ``edit`` appended and metrics to be re-measured."""
    model.eval()
    return Fit(
        model=model,  # type: ignore[arg-type]
        arch=fit.arch if arch is None else arch,
        image_shape=fit.image_shape,
        history=copy.deepcopy(fit.history),
        seconds=fit.seconds,
        config=copy.deepcopy(fit.config),
        metrics={},
        edits=(*fit.edits, edit),
        image=fit.image,
        masks=dict(fit.masks) if masks is None else masks,
        grids=dict(fit.grids) if grids is None else grids,
    )


def copy_model(fit: Fit) -> nn.Module:
    return copy.deepcopy(fit.model)


def check_fit(fit: Any, what: str = "fit") -> Fit:
    if not isinstance(fit, Fit):
        raise EditError(f"{what} must be a pixparam Fit (from pp.fit or pp.load), got {type(fit).__name__}")
    return fit


def linears(model: nn.Module) -> list[nn.Linear]:
    """The MLP's linear layers, input side first (the registry's ``FamilySpec.mlp``; ``[]`` without one)."""
    return hidden_layers(model)


def applicable(family: str) -> list[str]:
    """The edits that apply to a family, as people read them (what an EditError lists).

    Parameters
    ----------
    family : str
        A registered family.

    Returns
    -------
    list of str
        E.g. ``["prune (magnitude, random)", "quantize", ...]``; the registry
        decides: hidden units (``FamilySpec.mlp``), structured units
        (``FamilySpec.units``) and regions (``FamilySpec.region_values``).
    """
    spec = spec_for(family)
    out = ["prune (magnitude, random)"]
    if spec.mlp is not None:
        out += ["prune (neurons)", "align", "splice (layers, neurons)"]
    elif spec.units is not None:
        out.append(f"prune (neurons: drops whole {(spec.unit_option or 'units').removeprefix('n_')})")
    if spec.region_values is not None:
        out.append("splice (region)")
    return [*out, "quantize", "noise", "blend", "heal", "qat"]


def not_applicable(fit: Fit, what: str) -> EditError:
    """The EditError for an edit the family has nothing for, naming the edits that apply."""
    edits = ", ".join(applicable(fit.family))
    return EditError(f"a {fit.family} network has {what}; the edits that apply to it are {edits}")


def layer_prefix(fit: Fit) -> str:
    """The parameter-name prefix of the MLP's layers (``"mlp.layers."``), or EditError for a family without one."""
    name = spec_for(fit.family).mlp
    if name is None:
        raise not_applicable(fit, "no hidden units to align, prune by neuron or splice by layer")
    return f"{name}.layers."


def tables(fit: Fit) -> tuple[str, ...]:
    """Names of the parameters that are lookup tables (the registry's ``FamilySpec.tables``)."""
    return spec_for(fit.family).tables


def compatible(a: Fit, b: Fit, op: str, *, buffers: bool = True) -> None:
    """Raise EditError unless ``a`` and ``b`` have the same parameter shapes (and fixed buffers)."""
    check_fit(a, "a")
    check_fit(b, "b")
    sa = {k: tuple(v.shape) for k, v in a.model.named_parameters()}
    sb = {k: tuple(v.shape) for k, v in b.model.named_parameters()}
    if a.family != b.family or sa != sb or a.arch.options != b.arch.options:
        raise EditError(
            f"cannot {op} {a.arch.describe()!r} with {b.arch.describe()!r}: the networks differ in family or "
            f"shape; fit b with the same architecture (pp.fit(image, a.arch, ...) or init_from=a)"
        )
    if a.image_shape[2] != b.image_shape[2]:
        raise EditError(f"cannot {op} fits of {a.image_shape[2]} and {b.image_shape[2]} channels")
    if buffers:
        ba, bb = dict(a.model.named_buffers()), dict(b.model.named_buffers())
        persistent = set(a.model.state_dict()) - set(sa)
        for k in sorted(persistent):
            if not torch.equal(ba[k].cpu(), bb[k].cpu()):
                raise EditError(
                    f"cannot {op}: a and b use different fixed {k!r} (random features drawn from seeds "
                    f"{a.config.get('seed')} and {b.config.get('seed')}); fit b with the same seed or init_from=a"
                )


def reindex(
    fit: Fit,
    rows: Sequence[torch.Tensor],
    signs: Sequence[torch.Tensor] | None = None,
) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor], dict[str, QuantGrid]]:
    """Select/permute (and sign-flip) the hidden units of ``fit``'s MLP.

    ``rows[l]`` lists, for hidden layer ``l``, which old unit becomes each new
    unit; ``signs[l]`` multiplies each new unit's incoming weights, bias and
    outgoing weights (±1, only valid for odd activations). Returns the new
    state dict, masks and grids (masks follow the units; per-channel grids
    follow the rows).
    """
    state = {k: v.detach().clone() for k, v in fit.model.state_dict().items()}
    masks = {k: v.clone() for k, v in fit.masks.items()}
    grids = dict(fit.grids)
    prefix = layer_prefix(fit)
    n = len(linears(fit.model))
    for i in range(n):
        r = rows[i] if i < n - 1 else None
        c = rows[i - 1] if i > 0 else None
        sr = signs[i] if (signs is not None and i < n - 1) else None
        sc = signs[i - 1] if (signs is not None and i > 0) else None
        for kind in ("weight", "bias"):
            name = f"{prefix}{i}.{kind}"
            t = state[name]
            dev = t.device
            if r is not None:
                t = t[r.to(dev)]
            if kind == "weight" and c is not None:
                t = t[:, c.to(dev)]
            if sr is not None:
                t = t * (sr.to(dev, t.dtype)[:, None] if kind == "weight" else sr.to(dev, t.dtype))
            if kind == "weight" and sc is not None:
                t = t * sc.to(dev, t.dtype)[None, :]
            state[name] = t.contiguous()
            if name in masks:
                m = masks[name]
                if r is not None:
                    m = m[r]
                if kind == "weight" and c is not None:
                    m = m[:, c]
                masks[name] = m.contiguous()
            g = grids.get(name)
            if g is not None and g.per_channel and r is not None:
                grids[name] = QuantGrid(g.bits, g.lo[r], g.step[r])  # type: ignore[index]
    return state, masks, grids
