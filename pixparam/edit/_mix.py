"""Combining two fits: splice parts of b into a, or blend their weights."""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import torch

from .._checks import number
from .._deprecate import keyword_only
from ..coords import grid
from ..errors import EditError
from ..result import Fit
from ._base import compatible, copy_model, derive, layer_prefix, linears, tables
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
        "unit i" means the same thing in both.
    region : (y0, x0, y1, x1), optional
        Hash grids only: a rectangle in **pixel coordinates** of the fitted
        image (rows ``y0:y1``, columns ``x0:x1``, half-open like numpy
        slicing). Every table entry that a pixel centre inside it reads
        (all levels, all four cell corners) comes from ``b`` — the closest
        thing to pasting pixels. Hash collisions and cell corners mean some
        pixels outside the rectangle change too.

    Returns
    -------
    Fit
        A new fit (a's arch, image and fixed features). Masks and grids are
        dropped: spliced values come from another tensor.

    Raises
    ------
    EditError
        Nothing to splice, incompatible fits, bad indices, or ``region`` on a
        family without a table.
    """
    compatible(a, b, "splice")
    if layers is None and neurons is None and region is None:
        raise EditError("splice needs layers=, neurons= or region= to say what to take from b")
    edit: dict = {"name": "splice", "layers": None, "neurons": None, "align": bool(align), "region": None}
    if align:
        b = _align(a, b)
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
                elif (
                    isinstance(layer, numbers.Integral) and not isinstance(layer, bool) and -len(la) <= layer < len(la)
                ):
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
        if region is not None:
            if not tabs:
                raise EditError(
                    f"region= needs a family with a table (hashgrid); a is {a.family} (use layers= or neurons=)"
                )
            rows = table_rows(model, a.image_shape[:2], region)
            ta, tb = pa[tabs[0]], pb[tabs[0]]
            ta[rows.to(ta.device)] = tb[rows.to(ta.device)].to(ta.device)
            edit["region"] = [int(v) for v in region]
            edit["table_entries"] = int(rows.numel())
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


def table_rows(model: torch.nn.Module, shape: tuple[int, int], region: tuple[int, int, int, int]) -> torch.Tensor:
    """Hash-table rows read by the pixel centres of ``region`` (pixel coordinates ``y0, x0, y1, x1``).

    Parameters
    ----------
    model : torch.nn.Module
        A hash-grid field (it has ``table`` and ``lookup``).
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
        The region is empty or leaves the image.
    """
    h, w = int(shape[0]), int(shape[1])
    try:
        y0, x0, y1, x1 = (int(v) for v in region)
    except (TypeError, ValueError):
        raise EditError(f"region={region!r}; write (y0, x0, y1, x1) in pixels") from None
    if not (0 <= y0 < y1 <= h and 0 <= x0 < x1 <= w):
        raise EditError(f"region={region!r} is not a non-empty rectangle inside the {h}×{w} image (y0, x0, y1, x1)")
    coords = grid(h, w, device=model.table.device).reshape(h, w, 2)[y0:y1, x0:x1].reshape(-1, 2)  # type: ignore[union-attr]
    rows, _ = model.lookup(coords)  # type: ignore[operator]
    return torch.unique(rows.reshape(-1)).cpu()


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
    if align:
        b = _align(a, b)
    model = copy_model(a)
    pb = dict(b.model.named_parameters())
    with torch.no_grad():
        for name, p in model.named_parameters():
            q = pb[name].to(p.device, p.dtype)
            p.copy_((1.0 - alpha) * p + alpha * q)
    return derive(a, model, {"name": "blend", "alpha": alpha, "align": bool(align)}, masks={}, grids={})
