"""Combining two fits: splice parts of b into a, or blend their weights."""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import torch

from .._checks import number
from .._deprecate import keyword_only
from ..errors import EditError
from ..fields import spec_for
from ..result import Fit
from ._base import compatible, copy_model, derive, layer_prefix, linears, not_applicable, tables
from ._match import align as _align


@keyword_only("layers", "neurons", "align")
def splice(
    a: Fit,
    b: Fit,
    *,
    layers: Sequence[int | str] | None = None,
    neurons: float | Sequence[int] | None = None,
    align: bool = True,
    region: tuple[int, int, int, int] | None = None,
) -> Fit:
    """``a``'s network with some of its parts taken from ``b``.

    Parameters
    ----------
    a, b : Fit
        Same family, shapes and fixed features (Fourier frequencies).
    layers : sequence of int or "table", optional
        MLP linear layers (``0`` = first, ``-1`` = output) whose weights and
        biases come from ``b``; ``"table"`` names a hash grid's table.
    neurons : float or sequence of int, optional
        Hidden units taken from ``b`` in every hidden layer: a fraction
        (the first ``round(fraction * width)`` units after alignment) or unit
        indices. A unit brings its incoming weights, its bias and its
        outgoing weights.
    align : bool
        First permute ``b``'s units to match ``a`` (:func:`align`), so that
        "unit i" means the same thing in both (a family without hidden
        units has nothing to align, and this is ignored).
    region : (y0, x0, y1, x1), optional
        Families whose values sit at places in the image (the registry's
        ``FamilySpec.region_values``: hash grid, grid, Gaussians): a
        rectangle in **pixel coordinates** of the fitted image (rows
        ``y0:y1``, columns ``x0:x1``, half-open like numpy slicing). Every
        value that a pixel centre inside it reads comes from ``b`` — the
        closest thing to pasting pixels. For a hash grid that is every table
        entry read (all levels, all four cell corners), and hash collisions
        and cell corners mean some pixels outside the rectangle change too.
        ``fit.edits[-1]["values"]`` counts the values taken.

    Returns
    -------
    Fit
        A new fit (a's arch, image and fixed features). Masks and grids are
        dropped: spliced values come from another tensor.

    Raises
    ------
    EditError
        Nothing to splice, incompatible fits, bad indices, or ``region`` on a
        family with no values tied to places (the message lists the edits that apply).
    """
    compatible(a, b, "splice")
    if layers is None and neurons is None and region is None:
        raise EditError("splice needs layers=, neurons= or region= to say what to take from b")
    region_values = spec_for(a.family).region_values
    if region is not None and region_values is None:
        raise not_applicable(a, "no values tied to a region of the image (region= takes those)")
    box = None if region is None else check_region(region, a.image_shape[:2])
    if neurons is not None:
        layer_prefix(a)  # EditError for a family without hidden units
    align = bool(align) and spec_for(a.family).mlp is not None  # nothing to align without hidden units
    if align:
        b = _align(a, b)
    edit: dict = {"name": "splice", "layers": None, "neurons": None, "align": align, "region": None}
    model = copy_model(a)
    pa = dict(model.named_parameters())
    pb = dict(b.model.named_parameters())
    la, lb = linears(model), linears(b.model)
    tabs = tables(a)  # the family's lookup tables (the registry's FamilySpec.tables)
    with torch.no_grad():
        if layers is not None:
            names = []
            for layer in layers:
                if isinstance(layer, str):
                    if layer not in tabs:
                        raise EditError(
                            f"layers=[{layer!r}] but a {a.family} network has no such table; use layer numbers"
                            + (f" or {', '.join(map(repr, tabs))}" if tabs else "")
                        )
                    names.append(layer)
                    continue
                if isinstance(layer, numbers.Integral) and not la:
                    layer_prefix(a)  # EditError naming the edits that apply to a family without hidden units
                if isinstance(layer, numbers.Integral) and not isinstance(layer, bool) and -len(la) <= layer < len(la):
                    i = int(layer) % len(la)
                    prefix = layer_prefix(a)
                    names += [f"{prefix}{i}.weight", f"{prefix}{i}.bias"]
                else:
                    raise EditError(
                        f"layers contains {layer!r}; use layer numbers from {-len(la)} to {len(la) - 1}"
                        + (f" or {', '.join(map(repr, tabs))}" if tabs else "")
                    )
            for n in names:
                pa[n].copy_(pb[n].to(pa[n].device))
            edit["layers"] = [layer if isinstance(layer, str) else int(layer) for layer in layers]
        if neurons is not None:
            picked = []
            for i in range(len(la) - 1):
                width = la[i].out_features
                idx = _units(neurons, width)
                picked.append(idx)
                if idx.numel() == 0:
                    continue
                d = la[i].weight.device
                la[i].weight[idx.to(d)] = lb[i].weight[idx.to(d)].to(d)
                la[i].bias[idx.to(d)] = lb[i].bias[idx.to(d)].to(d)
                la[i + 1].weight[:, idx.to(d)] = lb[i + 1].weight[:, idx.to(d)].to(d)
            edit["neurons"] = float(neurons) if isinstance(neurons, numbers.Real) else [int(v) for v in neurons]
        if box is not None and region_values is not None:
            taken = 0
            masks = region_values(model, a.image_shape[:2], box)  # read from a, before anything is taken
            for name, mask in masks.items():
                m = mask.to(pa[name].device)
                pa[name][m] = pb[name].to(pa[name].device)[m]
                taken += int(m.sum())
            edit["region"] = list(box)
            edit["values"] = taken
            if tabs:
                rows = masks[tabs[0]]
                edit["table_entries"] = int(rows.reshape(rows.shape[0], -1).any(dim=1).sum())
    return derive(a, model, edit, masks={}, grids={})


def _units(neurons: float | Sequence[int], width: int) -> torch.Tensor:
    if isinstance(neurons, numbers.Real) and not isinstance(neurons, bool):
        frac = number(neurons, "neurons", 0.0, 1.0)
        return torch.arange(round(frac * width))
    try:
        idx = [int(v) for v in neurons]  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise EditError(f"neurons={neurons!r}; pass a fraction in [0, 1] or a list of unit indices") from None
    bad = [v for v in idx if not 0 <= v < width]
    if bad:
        raise EditError(f"neurons contains {bad}; hidden layers here have {width} units (indices 0..{width - 1})")
    return torch.as_tensor(sorted(set(idx)), dtype=torch.int64)


def check_region(region: tuple[int, int, int, int], shape: tuple[int, int]) -> tuple[int, int, int, int]:
    """``region`` as four ints ``(y0, x0, y1, x1)``, or EditError unless it is a non-empty rectangle inside ``shape``.

    Parameters
    ----------
    region : (int, int, int, int)
        Pixel coordinates, half-open like numpy slicing.
    shape : (int, int)
        ``(h, w)`` of the image it is measured in.

    Returns
    -------
    (int, int, int, int)
    """
    h, w = int(shape[0]), int(shape[1])
    try:
        y0, x0, y1, x1 = (int(v) for v in region)
    except (TypeError, ValueError):
        raise EditError(f"region={region!r}; write (y0, x0, y1, x1) in pixels") from None
    if not (0 <= y0 < y1 <= h and 0 <= x0 < x1 <= w):
        raise EditError(f"region={region!r} is not a non-empty rectangle inside the {h}×{w} image (y0, x0, y1, x1)")
    return y0, x0, y1, x1


def table_rows(model: torch.nn.Module, shape: tuple[int, int], region: tuple[int, int, int, int]) -> torch.Tensor:
    """Hash-table rows read by the pixel centres of ``region`` (pixel coordinates ``y0, x0, y1, x1``).

    Parameters
    ----------
    model : torch.nn.Module
        A field with a lookup table (``FamilySpec.tables``) and ``region_values``: a hash grid.
    shape : (int, int)
        ``(h, w)`` of the image the region is measured in.
    region : (int, int, int, int)
        ``(y0, x0, y1, x1)``, half-open, inside the image.

    Returns
    -------
    (R,) torch.Tensor of int64
        The distinct rows, sorted, on the CPU.

    Raises
    ------
    EditError
        The region is empty or leaves the image, or the field has no table.
    """
    box = check_region(region, shape)
    spec = spec_for(model.arch.family)  # type: ignore[union-attr]
    if not spec.tables or spec.region_values is None:
        raise EditError(f"table_rows needs a field with a lookup table (hashgrid); this is {spec.name}")
    mask = spec.region_values(model, shape, box)[spec.tables[0]]  # type: ignore[arg-type]
    return torch.nonzero(mask.reshape(mask.shape[0], -1).any(dim=1)).reshape(-1).cpu()


def blend(a: Fit, b: Fit, alpha: float, *, align: bool = True) -> Fit:
    """Interpolate two networks' weights: ``(1 - alpha) * a + alpha * b``.

    Parameters
    ----------
    a, b : Fit
        Same family, shapes and fixed features (Fourier frequencies).
    alpha : float in [0, 1]
        0 gives ``a``'s weights exactly, 1 gives (aligned) ``b``'s.
    align : bool
        First permute ``b``'s units to match ``a`` (:func:`align`). Two
        independently seeded fits sit in different basins, and the midpoint
        of their weights is usually a poor image; alignment narrows that
        barrier, and a ``b`` fitted from ``a``'s weights
        (``pp.fit(..., init_from=a)``) shares a's basin.

    Returns
    -------
    Fit
        A new fit with a's arch and image. Masks and grids are dropped.
    """
    compatible(a, b, "blend")
    alpha = number(alpha, "alpha", 0.0, 1.0)
    align = bool(align) and spec_for(a.family).mlp is not None  # nothing to align without hidden units
    if align:
        b = _align(a, b)
    model = copy_model(a)
    pb = dict(b.model.named_parameters())
    with torch.no_grad():
        for name, p in model.named_parameters():
            q = pb[name].to(p.device, p.dtype)
            p.copy_((1.0 - alpha) * p + alpha * q)
    return derive(a, model, {"name": "blend", "alpha": alpha, "align": bool(align)}, masks={}, grids={})
