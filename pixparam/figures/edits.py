"""Figures for the editing suite: each network edit beside the same edit on pixels.

``plot_edit_strip`` shows images, ``plot_edit_curve`` plots PSNR against edit
strength; :func:`edit_bytes` counts what each edited network and pixel
counterpart takes to store. Blends are in :mod:`pixparam.figures.blends`. All return a constrained-layout Figure
≤ 7.2 in wide, drawn in :func:`~pixparam.figures.style.style`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .. import edit as _edit
from .. import pixel_edits as _px
from .._deprecate import renamed
from ..budget import format_count
from ..errors import EditError
from ..images import ImageSource, load_image
from ..metrics import format_db
from ..pixels import Pixels, pixelate
from ..result import Fit
from .panels import draw_image
from .style import clamp_width, color_for, panel_size, style

__all__ = [
    "edit_bytes",
    "edit_curve",
    "edit_series",
    "edit_strip",
    "plot_edit_curve",
    "plot_edit_strip",
]


def _label(op: str, value: float) -> str:
    if op == "prune":
        return f"prune {value:.0%}"
    if op == "quantize":
        return "float32" if value >= 32 else ("float16" if value == 16 else f"{int(value)} bits")
    return f"noise {value:g}σ"


def _ops(op: str, method: str) -> tuple[Callable[[Fit, Any], Fit], Callable[[Pixels, Any], Pixels]]:
    if op == "prune":
        return (lambda f, v: _edit.prune(f, v, method=method)), (lambda p, v: _px.prune_pixels(p, v, method=method))
    if op == "quantize":
        return (lambda f, v: _edit.quantize(f, int(v))), (lambda p, v: _px.posterize(p, int(v)))
    if op == "noise":
        return (lambda f, v: _edit.noise(f, v)), (lambda p, v: _px.noise_pixels(p, v))
    raise EditError(f"op={op!r}; choose prune, quantize or noise")


def _image(fit: Fit, image: ImageSource | None) -> np.ndarray:
    if image is not None:
        return load_image(image)
    if fit.image is None:
        raise EditError("the fit carries no image (loaded from a checkpoint?); pass image=")
    return fit.image


def edit_series(
    fit: Fit,
    op: str,
    values: Sequence[float],
    *,
    image: ImageSource | None = None,
    method: str = "magnitude",
    heal_steps: int = 0,
    per_channel: bool = False,
) -> dict[str, list]:
    """Apply one edit at several strengths to a fit and to its pixel counterpart.

    Parameters
    ----------
    fit, op, values, image, method
        As for :func:`plot_edit_strip`.
    heal_steps : int
        Also fine-tune each edited network this many steps
        (:func:`pixparam.edit.heal`, masks and grids kept).
    per_channel : bool
        With ``op="quantize"``, also quantise with one grid per output unit
        (``quantize(..., per_channel=True)``) beside the per-tensor grid.

    Returns
    -------
    dict
        ``"network"`` and ``"pixels"`` (``"healed"`` when ``heal_steps``,
        ``"per_channel"`` when ``per_channel``): lists of edited
        :class:`Fit` / :class:`Pixels`, one per value, all measured against
        the same image.
    """
    img = _image(fit, image)
    net_op, pix_op = _ops(op, method)
    fit = fit if fit.image is not None else Fit(**{**fit.__dict__, "image": img})
    pix = pixelate(img, fit.n_params)
    out: dict[str, list] = {"network": [net_op(fit, v) for v in values]}
    if heal_steps:
        out["healed"] = [_edit.heal(f, img, heal_steps, progress=False) for f in out["network"]]
    if per_channel and op == "quantize":
        out["per_channel"] = [_edit.quantize(fit, int(v), per_channel=True) for v in values]
    out["pixels"] = [pix_op(pix, v) for v in values]
    return out


def edit_bytes(series: dict[str, list]) -> dict[str, list]:
    """Byte counts of every item of an :func:`edit_series`: real packed files for networks, raw and PNG for pixels.

    A network is packed as it stands (:func:`pixparam.store.packed.packed_size`):
    at its quantisation's bits and grid layout, or as float32 (masks coded)
    when it is not quantised. Pixels: :func:`pixparam.pixel_edits.stored_bytes`.

    Parameters
    ----------
    series : dict
        As :func:`edit_series` returns.

    Returns
    -------
    dict
        The same keys; networks map to lists of ints (bytes), ``"pixels"``
        to lists of ``{"raw": int, "png": int or None}``.
    """
    from ..store.packed import packed_size

    out: dict[str, list] = {}
    for key, items in series.items():
        if key == "pixels":
            out[key] = [_px.stored_bytes(p) for p in items]
        else:
            out[key] = [packed_size(f, **_packing(f)) for f in items]
    return out


def _packing(fit: Fit) -> dict[str, Any]:
    """The ``bits`` and ``per_channel`` a fit is stored at: its last quantisation's, or float32."""
    q = next((e for e in reversed(fit.edits) if e.get("name") == "quantize"), None)
    if q is None or not fit.grids:
        return {"bits": 32, "per_channel": False}
    return {"bits": int(q["bits"]), "per_channel": bool(q.get("per_channel", False))}


def _row_label(key: str, op: str, method: str, fit: Fit, heal_steps: int) -> str:
    if key == "pixels":
        if op == "prune":
            return {
                "magnitude": "pixels: smallest\nDCT coefficients\ndropped",
                "random": "pixels: random\nDCT coefficients\ndropped",
            }.get(method, "pixels: a\nsmaller grid")
        return "pixels:\nposterised" if op == "quantize" else "pixels:\nnoise added"
    if key == "healed":
        return f"{fit.family}\n+ {heal_steps} steps\nhealing, mask kept" if op == "prune" else f"{fit.family}, healed"
    if op == "quantize":
        return f"{fit.family}\nper-channel grids" if key == "per_channel" else f"{fit.family}\nper-tensor grid"
    return f"{fit.family}\n{op}d" if op == "prune" else f"network\n{fit.family}"


def _kb(n: int) -> str:
    return f"{n:,} B" if n < 10_000 else f"{n / 1000:.1f} kB"


def plot_edit_strip(
    fit: Fit,
    op: str,
    values: Sequence[float],
    *,
    image: ImageSource | None = None,
    method: str = "magnitude",
    panel_width: float | None = None,
    heal_steps: int = 0,
    per_channel: bool = False,
    sizes: bool = False,
    series: dict[str, list] | None = None,
) -> Figure:
    """Rows network vs pixels, columns edit strength, PSNR in every caption.

    Parameters
    ----------
    fit : Fit
        The network to edit.
    op : {"prune", "quantize", "noise"}
        The edit; ``values`` are fractions (prune), bits (quantize) or noise
        scales relative to each tensor's spread (noise).
    values : sequence of float
        Strengths, one column each, e.g. ``[0, 0.5, 0.8, 0.9, 0.95]``.
    image : optional
        The reference image; default ``fit.image``.
    method : str
        Pruning method for both rows (see :func:`pixparam.edit.prune` and
        :func:`pixparam.pixel_edits.prune_pixels`).
    panel_width : float, optional
        Inches per panel; default 1.5. Either is shrunk so the figure fits
        in 7.2 in.
    heal_steps : int
        Adds a row of the edited networks fine-tuned this many steps with
        their masks and grids kept (:func:`pixparam.edit.heal`).
    per_channel : bool
        With ``op="quantize"``, adds a row quantised with one grid per
        output unit beside the per-tensor row.
    sizes : bool
        Adds each panel's byte count to its caption (:func:`edit_bytes`):
        the packed file of each network, the raw bits and the PNG of each
        pixel counterpart.
    series : dict, optional
        A precomputed :func:`edit_series` of these ``fit``, ``op`` and
        ``values`` (so a caller that also reports its numbers edits once);
        it decides the rows.

    Returns
    -------
    matplotlib.figure.Figure
        One row per series (network, healed, per-channel, pixels); each row
        is named on its left, the pixel row after its twin edit
        ("pixels: smallest DCT coefficients dropped", "pixels: posterised").

    Raises
    ------
    EditError
        An unknown ``op``, a bad strength, or no image to measure against.
    """
    if series is None:
        series = edit_series(
            fit, op, values, image=image, method=method, heal_steps=heal_steps, per_channel=per_channel
        )
    if any(len(items) != len(values) for items in series.values()):
        raise EditError("series= does not have one item per value; pass edit_series(fit, op, values)")
    steps = next((e["steps"] for e in series["healed"][0].edits if e["name"] == "heal"), 0) if "healed" in series else 0
    counts = edit_bytes(series) if sizes else {}
    n, keys = len(values), list(series)
    pw = panel_size(n, largest=1.5, margin=0.75, requested=panel_width)
    h, w = fit.image_shape[:2]
    lines = 4 if sizes else 2
    with style():
        fig = Figure(
            figsize=(clamp_width(pw * n + 0.75), len(keys) * (0.86 * pw * h / w + 0.14 * lines + 0.12) + 0.25),
            layout="constrained",
        )
        axes = fig.subplots(len(keys), n, squeeze=False)
        for r, key in enumerate(keys):
            for j, item in enumerate(series[key]):
                if key == "pixels":
                    unit, img = "values", item.render(mode="nearest")
                else:
                    unit, img = ("params" if item.n_effective >= item.n_params else "non-zero"), item.render()
                cap = f"{format_db(item.psnr)}\n{format_count(item.n_effective)} {unit}"
                if sizes:
                    b = counts[key][j]
                    if key == "pixels":
                        cap += f"\n{_kb(b['raw'])} raw" + (f"\n{_kb(b['png'])} PNG" if b["png"] is not None else "")
                    else:
                        cap += f"\n{_kb(b)} packed"
                draw_image(axes[r, j], img, caption=cap)
                if r == 0:
                    axes[r, j].set_title(_label(op, values[j]), fontsize=9)
            axes[r, 0].set_ylabel(_row_label(key, op, method, fit, steps), fontsize=7.5)
    return fig


def plot_edit_curve(
    fit: Fit,
    op: str,
    values: Sequence[float],
    *,
    image: ImageSource | None = None,
    method: str = "magnitude",
    heal_steps: int = 0,
) -> Figure:
    """PSNR against edit strength, network beside pixels (and healed network when ``heal_steps``).

    Parameters
    ----------
    fit : Fit
        The network to edit.
    op : {"prune", "quantize", "noise"}
        The edit, as in :func:`plot_edit_strip`.
    values : sequence of float
        Strengths, one point each (bits for quantize, drawn evenly spaced).
    image : path, sample name, PIL image or ndarray, optional
        The reference image; default ``fit.image``.
    method : str
        Pruning method for both curves.
    heal_steps : int
        When positive, adds a curve of the network fine-tuned for this many
        steps with :func:`pixparam.edit.heal` after each edit.

    Returns
    -------
    matplotlib.figure.Figure
        4.2 in wide.
    """
    series = edit_series(fit, op, values, image=image, method=method, heal_steps=heal_steps)
    with style():
        fig = Figure(figsize=(4.2, 3.0), layout="constrained")
        ax = fig.subplots()
        x = np.arange(len(values)) if op == "quantize" else np.asarray(values, dtype=float)
        fam = color_for(fit.family)
        styles = {"network": ("o-", fam), "healed": ("s--", fam), "pixels": ("^-", color_for("pixels"))}
        for key, items in series.items():
            y = [min(it.psnr, 99.0) for it in items]
            label = {"network": f"{fit.family} network", "healed": f"{fit.family}, healed", "pixels": "pixels"}[key]
            ax.plot(x, y, styles[key][0], color=styles[key][1], label=label, ms=4)
        if op == "quantize":
            ax.set_xticks(x, [_label(op, v).replace(" bits", "") for v in values])
            ax.set_xlabel("bits per value")
        else:
            ax.set_xlabel("fraction pruned" if op == "prune" else "noise σ (× tensor std)")
        ax.set_ylabel("PSNR (dB)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        ax.set_title(f"{op} · {format_count(fit.n_params)} params", fontsize=9)
    return fig


edit_strip = renamed(plot_edit_strip, "edit_strip")
edit_curve = renamed(plot_edit_curve, "edit_curve")
