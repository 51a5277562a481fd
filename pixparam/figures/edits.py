"""Figures for the editing suite: each network edit beside the same edit on pixels.

``plot_edit_strip`` and ``plot_blend_strip`` show images, ``plot_edit_curve``
plots PSNR against edit strength. All return a constrained-layout Figure
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
    "blend_strip",
    "edit_curve",
    "edit_series",
    "edit_strip",
    "plot_blend_strip",
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
) -> dict[str, list]:
    """Apply one edit at several strengths to a fit and to its pixel counterpart.

    Parameters
    ----------
    fit, op, values, image, method
        As for :func:`plot_edit_strip`.
    heal_steps : int
        Also fine-tune each edited network this many steps
        (:func:`pixparam.edit.heal`).

    Returns
    -------
    dict
        ``"network"`` and ``"pixels"`` (and ``"healed"`` when ``heal_steps``):
        lists of edited :class:`Fit` / :class:`Pixels`, one per value, all
        measured against the same image.
    """
    img = _image(fit, image)
    net_op, pix_op = _ops(op, method)
    fit = fit if fit.image is not None else Fit(**{**fit.__dict__, "image": img})
    pix = pixelate(img, fit.n_params)
    out: dict[str, list] = {"network": [net_op(fit, v) for v in values], "pixels": [pix_op(pix, v) for v in values]}
    if heal_steps:
        out["healed"] = [_edit.heal(f, img, heal_steps) for f in out["network"]]
    return out


def plot_edit_strip(
    fit: Fit,
    op: str,
    values: Sequence[float],
    *,
    image: ImageSource | None = None,
    method: str = "magnitude",
    panel_width: float | None = None,
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

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    EditError
        An unknown ``op``, a bad strength, or no image to measure against.
    """
    series = edit_series(fit, op, values, image=image, method=method)
    n = len(values)
    pw = panel_size(n, largest=1.5, requested=panel_width)
    h, w = fit.image_shape[:2]
    with style():
        fig = Figure(figsize=(clamp_width(pw * n), 2 * (0.86 * pw * h / w + 0.42) + 0.25), layout="constrained")
        axes = fig.subplots(2, n, squeeze=False)
        for j, v in enumerate(values):
            f, p = series["network"][j], series["pixels"][j]
            unit = "params" if f.n_effective >= f.n_params else "non-zero"
            draw_image(axes[0, j], f.render(), caption=f"{format_count(f.n_effective)} {unit}\n{format_db(f.psnr)}")
            draw_image(
                axes[1, j],
                p.render(mode="nearest"),
                caption=f"{format_count(p.n_effective)} values\n{format_db(p.psnr)}",
            )
            axes[0, j].set_title(_label(op, v), fontsize=9)
        axes[0, 0].set_ylabel(f"network\n{fit.family}", fontsize=9)
        axes[1, 0].set_ylabel("pixels", fontsize=9)
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


def plot_blend_strip(
    a: Fit,
    b: Fit,
    alphas: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0),
    *,
    shared: Fit | None = None,
    panel_width: float | None = None,
) -> Figure:
    """Weight-space blends of two fits along ``alphas``, beside a pixel cross-fade.

    Rows: blend of ``a`` and ``b`` without alignment, after alignment
    (:func:`pixparam.edit.align`), and, when ``shared`` is given, of ``a``
    and ``shared`` (a fit started from ``a``'s weights with
    ``init_from=a``); the last row cross-fades the pixel counterparts of
    ``a``'s and ``b``'s images. PSNR captions are against ``a``'s image.

    Parameters
    ----------
    a, b : Fit
        Same architecture, both carrying their images (fresh from :func:`pixparam.fit`).
    alphas : sequence of float
        Blend weights of ``b``, one column each.
    shared : Fit, optional
        A fit started from ``a``'s weights: adds a row of ``a``–``shared`` blends.
    panel_width : float, optional
        Inches per panel; default 1.4. Either is shrunk so the figure fits
        in 7.2 in.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    EditError
        A fit without its image, or fits that cannot be blended.
    """
    if a.image is None or b.image is None:
        raise EditError("plot_blend_strip needs fits that carry their images (fresh from pp.fit)")
    rows: list[tuple[str, list[tuple[np.ndarray, str]]]] = []

    def net_row(other: Fit, align: bool) -> list[tuple[np.ndarray, str]]:
        other = _edit.align(a, other) if align else other  # once, not once per alpha
        out = []
        for t in alphas:
            f = _edit.blend(a, other, t, align=False)
            out.append((f.render(), format_db(f.psnr)))
        return out

    rows.append(("weights\nno alignment", net_row(b, False)))
    rows.append(("weights\naligned", net_row(b, True)))
    if shared is not None:
        rows.append(("weights\nshared init", net_row(shared, False)))
    pa, pb = pixelate(a.image, a.n_params), pixelate(b.image, a.n_params)
    rows.append(
        (
            "pixels\ncross-fade",
            [(p.render(mode="nearest"), format_db(p.psnr)) for p in (_px.crossfade(pa, pb, t) for t in alphas)],
        )
    )
    n = len(alphas)
    pw = panel_size(n, largest=1.4, margin=0.6, requested=panel_width)
    h, w = a.image_shape[:2]
    with style():
        fig = Figure(
            figsize=(clamp_width(pw * n + 0.6), len(rows) * (0.86 * pw * h / w + 0.28) + 0.3), layout="constrained"
        )
        axes = fig.subplots(len(rows), n, squeeze=False)
        for r, (label, panels) in enumerate(rows):
            for j, (img, cap) in enumerate(panels):
                draw_image(axes[r, j], img, caption=cap)
                if r == 0:
                    axes[r, j].set_title(f"α = {alphas[j]:g}", fontsize=9)
            axes[r, 0].set_ylabel(label, fontsize=8)
    return fig


edit_strip = renamed(plot_edit_strip, "edit_strip")
edit_curve = renamed(plot_edit_curve, "edit_curve")
blend_strip = renamed(plot_blend_strip, "blend_strip")
