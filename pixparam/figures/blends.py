"""Blend figures: weight-space blends of two networks beside pixel cross-fades, judged against each endpoint image.

A blend of two fits is measured against every reference image it is meant
to resemble (both endpoint images when the fits hold different images).
:func:`network_blends` and :func:`pixel_crossfades` compute one row each as a
:class:`BlendSeries`; :func:`plot_blends` draws rows of renders over α and a
panel of PSNR against α, one line per row and reference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from .. import edit as _edit
from .. import pixel_edits as _px
from .._deprecate import renamed
from ..errors import EditError
from ..metrics import format_db, psnr
from ..pixels import pixelate
from ..result import Fit
from .panels import draw_image
from .style import CAPTION_SIZE, OKABE_ITO, clamp_width, color_for, panel_size, style

__all__ = [
    "ALIGNMENTS",
    "BlendSeries",
    "blend_strip",
    "network_blends",
    "pixel_crossfades",
    "plot_blend_strip",
    "plot_blends",
]

#: The ``align`` values :func:`network_blends` takes: none, hidden-unit permutations, permutations and sign flips.
ALIGNMENTS = ("none", "permutation", "permutation+sign")


@dataclass(frozen=True)
class BlendSeries:
    """One row of a blend figure: what the blend looks like at each α, and its PSNR against each reference.

    Attributes
    ----------
    label : str
        The row's name, e.g. ``"weights, no alignment"``.
    kind : {"network", "pixels"}
        Weight blends or pixel cross-fades.
    alphas : tuple of float
        The blend weights of the second endpoint.
    renders : tuple of (H, W, C) ndarray
        One image per α, for display (pixels as blocks).
    psnr : dict of str to tuple of float
        Reference name to the PSNR (dB) at each α.
    """

    label: str
    kind: str
    alphas: tuple[float, ...]
    renders: tuple[np.ndarray, ...]
    psnr: dict[str, tuple[float, ...]]

    def at(self, reference: str, alpha: float) -> float:
        """PSNR against ``reference`` at ``alpha`` (one of :attr:`alphas`).

        Parameters
        ----------
        reference : str
            A key of :attr:`psnr`.
        alpha : float
            One of :attr:`alphas`.

        Returns
        -------
        float
        """
        return self.psnr[reference][self.alphas.index(alpha)]


def _references(references: Mapping[str, np.ndarray] | None, default: Mapping[str, np.ndarray]) -> dict:
    refs = dict(default if references is None else references)
    if not refs:
        raise EditError("references is empty; name at least one image to measure the blends against")
    return refs


def _measure(img: np.ndarray, refs: Mapping[str, np.ndarray]) -> dict[str, float]:
    out = {}
    for name, ref in refs.items():
        if tuple(ref.shape) != tuple(img.shape):
            raise EditError(f"reference {name!r} has shape {ref.shape} but the blends are {img.shape}; pass that size")
        out[name] = psnr(ref, img)
    return out


def network_blends(
    a: Fit,
    b: Fit,
    alphas: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0),
    *,
    align: str = "none",
    references: Mapping[str, np.ndarray] | None = None,
    label: str | None = None,
) -> BlendSeries:
    """Weight blends ``(1 - α) a + α b`` along ``alphas``, measured against each reference image.

    Parameters
    ----------
    a, b : Fit
        Same architecture (and fixed features).
    alphas : sequence of float
        In ``[0, 1]``.
    align : {"none", "permutation", "permutation+sign"}
        How ``b`` is first matched to ``a`` (:func:`pixparam.edit.align`
        with ``signs=False`` or ``signs=True``; sign flips need an odd
        activation such as SIREN's). Aligned once, not once per α.
    references : mapping of str to (H, W, C) ndarray, optional
        Name to image; default ``a.image`` as ``"a"``, and ``b.image`` as
        ``"b"`` when it is another image.
    label : str, optional
        The row's name; default ``"weights, <align>"``.

    Returns
    -------
    BlendSeries
        ``kind="network"``.

    Raises
    ------
    EditError
        Fits that cannot be blended, an unknown ``align``, or a reference
        of another shape than the renders.
    """
    if align not in ALIGNMENTS:
        raise EditError(f"align={align!r}; choose one of {', '.join(ALIGNMENTS)}")
    default = {} if a.image is None else {"a": a.image}
    if b.image is not None and (a.image is None or not np.array_equal(a.image, b.image)):
        default["b"] = b.image
    refs = _references(references, default)
    other = b if align == "none" else _edit.align(a, b, signs=align == "permutation+sign")
    renders, scores = [], []
    for t in alphas:
        img = _edit.blend(a, other, t, align=False).render()
        renders.append(img)
        scores.append(_measure(img, refs))
    psnrs = {name: tuple(s[name] for s in scores) for name in refs}
    return BlendSeries(label or f"weights, {align}", "network", tuple(float(t) for t in alphas), tuple(renders), psnrs)


def pixel_crossfades(
    a_image: np.ndarray,
    b_image: np.ndarray,
    n_values: int,
    alphas: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0),
    *,
    references: Mapping[str, np.ndarray] | None = None,
    label: str = "pixels, cross-fade",
) -> BlendSeries:
    """Cross-fades of the two images' pixel counterparts, the pixels' twin of :func:`network_blends`.

    Each image is area-downsampled to at most ``n_values`` values
    (:func:`pixparam.pixelate`) and the two are mixed with
    :func:`pixparam.pixel_edits.crossfade`; the PSNR is of the bicubic
    reconstruction (as every pixel counterpart is measured), the renders are
    blocks.

    Parameters
    ----------
    a_image, b_image : (H, W, C) ndarray
        The two endpoint images, of one shape.
    n_values : int
        The counterparts' budget (a network's ``n_params``).
    alphas : sequence of float
        In ``[0, 1]``.
    references : mapping of str to (H, W, C) ndarray, optional
        Default ``{"a": a_image, "b": b_image}`` (just ``"a"`` when they are equal).
    label : str
        The row's name.

    Returns
    -------
    BlendSeries
        ``kind="pixels"``; at α = 0 and 1 the renders are the two counterparts'.

    Raises
    ------
    EditError
        Images of different shapes, or a reference of another shape.
    """
    if tuple(a_image.shape) != tuple(b_image.shape):
        raise EditError(f"the images have shapes {a_image.shape} and {b_image.shape}; cross-fade images of one shape")
    same = np.array_equal(a_image, b_image)
    refs = _references(references, {"a": a_image} if same else {"a": a_image, "b": b_image})
    pa, pb = pixelate(a_image, n_values), pixelate(b_image, n_values)
    renders, scores = [], []
    for t in alphas:
        p = _px.crossfade(pa, pb, t)
        renders.append(p.render(mode="nearest"))
        scores.append(_measure(p.render(mode="bicubic"), refs))
    psnrs = {name: tuple(s[name] for s in scores) for name in refs}
    return BlendSeries(label, "pixels", tuple(float(t) for t in alphas), tuple(renders), psnrs)


def plot_blends(
    series: Sequence[BlendSeries],
    *,
    family: str | None = None,
    baselines: Mapping[str, float] | None = None,
    title: str | None = None,
    panel_width: float | None = None,
) -> Figure:
    """Rows of blends over α with their PSNR against each reference, then PSNR against α for every row.

    Parameters
    ----------
    series : sequence of BlendSeries
        The rows (same ``alphas``), from :func:`network_blends` and
        :func:`pixel_crossfades`.
    family : str, optional
        Colours the first network row as that family.
    baselines : mapping of str to float, optional
        Horizontal reference lines on the PSNR panel, e.g.
        ``{"flat mean colour": 10.8}``.
    title : str, optional
        Figure title.
    panel_width : float, optional
        Inches per image panel; default 1.3, shrunk so the figure fits 7.2 in.

    Returns
    -------
    matplotlib.figure.Figure
        ≤ 7.2 in wide; each image panel is captioned with its PSNR against
        every reference, the last panel plots them.

    Raises
    ------
    EditError
        No rows, or rows over different ``alphas``.
    """
    if not series:
        raise EditError("plot_blends needs at least one BlendSeries")
    alphas = series[0].alphas
    if any(s.alphas != alphas for s in series):
        raise EditError("every BlendSeries must cover the same alphas")
    n, rows = len(alphas), len(series)
    pw = panel_size(n, largest=1.3, margin=0.7, requested=panel_width)
    h, w = series[0].renders[0].shape[:2]
    refs = list(dict.fromkeys(r for s in series for r in s.psnr))
    image_h = 0.86 * pw * h / w + 0.14 * (len(refs) + 1)
    palette = [OKABE_ITO[k] for k in ("vermillion", "bluish green", "reddish purple", "orange", "sky blue")]
    with style():
        fig = Figure(figsize=(clamp_width(pw * n + 0.7), rows * image_h + 2.3), layout="constrained")
        gs = fig.add_gridspec(rows + 1, n, height_ratios=[image_h] * rows + [2.0])
        for r, s in enumerate(series):
            for j, img in enumerate(s.renders):
                ax = fig.add_subplot(gs[r, j])
                cap = "\n".join(f"{ref} {format_db(s.psnr[ref][j])}" for ref in s.psnr) if len(s.psnr) > 1 else None
                draw_image(ax, img, caption=cap or format_db(next(iter(s.psnr.values()))[j]))
                if r == 0:
                    ax.set_title(f"α = {alphas[j]:g}", fontsize=9)
                if j == 0:
                    ax.set_ylabel(s.label.replace(", ", "\n"), fontsize=8)
        ax = fig.add_subplot(gs[rows, :])
        colors = iter(palette)
        marks = ["o-", "s--", "^:", "D-."]
        for r, s in enumerate(series):
            if s.kind == "pixels":
                color = color_for("pixels")
            elif r == 0 and family is not None:
                color = color_for(family)
            else:
                color = next(colors)
            for k, ref in enumerate(refs):
                if ref in s.psnr:
                    y = [min(v, 99.0) for v in s.psnr[ref]]
                    name = f"{s.label}, vs {ref}" if len(refs) > 1 else s.label
                    ax.plot(alphas, y, marks[k % len(marks)], color=color, ms=3.5, lw=1.2, label=name)
        for k, (name, value) in enumerate((baselines or {}).items()):
            ax.axhline(value, color=("0.25", "0.6")[k % 2], lw=0.9, ls=((0, (4, 2)), (0, (1, 2)))[k % 2], label=name)
        ax.set_xlabel("α (weight of the second endpoint)")
        ax.set_ylabel("PSNR (dB)")
        ax.set_xticks(alphas)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=CAPTION_SIZE - 0.5, loc="best", ncols=2, framealpha=0.85)
        if title:
            fig.suptitle(title, fontsize=10)
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


blend_strip = renamed(plot_blend_strip, "blend_strip")
