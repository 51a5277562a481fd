"""``compare``: networks beside their pixel counterparts, one column per budget; ``plot_families``: one budget."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from .. import budget as _budget
from .._deprecate import renamed
from ..budget import format_count
from ..errors import ConfigError, ImageError
from ..images import ImageSource, load_image
from ..pixels import Match, Pixels, pixelate
from ..result import Fit
from .panels import draw_error, draw_image, draw_inset, error_map
from .style import CAPTION_SIZE, clamp_width, format_budget, panel_size, quality_caption, style

__all__ = ["compare", "compare_families", "plot_families"]

#: Row names besides the network families.
EXTRA_ROWS = ("original", "pixels", "smooth")


def _budget_of(f: Fit) -> int:
    return int(f.arch.budget) if f.arch.budget is not None else int(f.n_params)


def _pixels_caption(p: Pixels, smooth: bool) -> str:
    h, w = p.shape
    unit = "values" if p.match == "values" else "bytes"
    head = f"bicubic from {h}×{w} px" if smooth else f"{h}×{w} px · {format_count(p.n_values)} {unit}"
    return f"{head}\n{quality_caption(p.psnr, p.ssim)}"


def compare(
    image: ImageSource,
    fits: Sequence[Fit],
    *,
    rows: Sequence[str] | None = None,
    match: Match = "values",
    param_bits: int = 32,
    smooth: bool = False,
    inset: Sequence[float] | None = None,
    errors: bool = False,
    panel_width: float | None = None,
    title: str | None = None,
) -> Figure:
    """Networks and pixel counterparts side by side: one column per budget.

    Parameters
    ----------
    image : path, sample name, PIL image or ndarray
        The image the fits were made on (same shape).
    fits : sequence of Fit
        Any families and budgets; each lands in its family's row and its
        planned budget's column (columns sorted by budget).
    rows : sequence of str, optional
        Rows to show, in order, from ``"original"`` (shown once, top left),
        the families present, ``"pixels"`` (the counterpart as blocks) and
        ``"smooth"`` (the counterpart upsampled bicubic). Default, from
        pixels to networks: original, pixels (and smooth if ``smooth``), then
        the families in registry order (:data:`pixparam.FAMILIES`).
    match : {"values", "bits"}
        Pixel counterparts with at most as many values, or as many bytes
        (8-bit pixels vs ``param_bits``-bit parameters), as the budget.
    param_bits : int
        Bits per parameter for ``match="bits"``.
    smooth : bool
        Add the ``"smooth"`` row to the default rows.
    inset : (top, left, height, width), optional
        A crop, as fractions of the image, zoomed in an inset on every panel.
    errors : bool
        Under each reconstruction row, a row of ``|difference|`` maps on one
        shared colour scale, with a colour bar.
    panel_width : float, optional
        Inches per panel; default 1.7. Either is shrunk so the figure fits
        in 7.2 in.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Captions carry counts ("4.1k params", "37×37 px · 4.1k values") and
        PSNR/SSIM; pixel metrics are of the bicubic reconstruction. A budget
        of the image's value count or more is titled "lossless": the pixels
        hold the whole image, so its networks' captions give no PSNR.

    Raises
    ------
    ConfigError
        ``fits`` is empty, or ``rows`` names a row that cannot be drawn.
    ImageError
        A fit was made on an image of another shape.
    """
    img = load_image(image)
    if not fits:
        raise ConfigError("fits is empty; pass the Fit objects to compare, e.g. pp.fit_ladder(img, ['1k', '4k'])")
    for f in fits:
        if tuple(f.image_shape) != img.shape:
            raise ImageError(
                f"a {f.family} fit was made on a {tuple(f.image_shape)} image but the image is {img.shape}; "
                "pass the image it was fitted to"
            )
    budgets = sorted({_budget_of(f) for f in fits})
    families = [fam for fam in _budget.FAMILIES if any(f.family == fam for f in fits)]
    families += sorted({f.family for f in fits} - set(families))
    if rows is None:
        rows = ["original", "pixels", *(["smooth"] if smooth else []), *families]  # from pixels to networks
    rows = list(rows)
    bad = [r for r in rows if r not in (*EXTRA_ROWS, *families)]
    if bad or not [r for r in rows if r != "original"]:
        raise ConfigError(
            f"rows {bad or rows} cannot be drawn; choose from {', '.join((*EXTRA_ROWS, *families))} "
            "(at least one besides 'original')"
        )
    pixels = {b: pixelate(img, b, match=match, param_bits=param_bits) for b in budgets}
    for p in pixels.values():
        p.metrics.update(p.measure(img))
    cell: dict[tuple[str, int], Fit] = {(f.family, _budget_of(f)): f for f in fits}

    panels: dict[tuple[str, int], tuple[np.ndarray, str]] = {}
    for r in rows:
        for b in budgets:
            if r in ("pixels", "smooth"):
                p = pixels[b]
                panels[r, b] = (
                    p.render(mode="bicubic" if r == "smooth" else "nearest"),
                    _pixels_caption(p, r == "smooth"),
                )
            elif r != "original" and (r, b) in cell:
                f = cell[r, b]
                # at a budget of the image's values or more, pixels hold it whole: no dB to compare
                said = "≥ the image's values" if b >= img.size else quality_caption(f.psnr, f.ssim)
                panels[r, b] = (f.render(), f"{format_count(f.n_params)} params\n{said}")
    shown = [r for r in rows if r != "original"]
    grid_rows: list[tuple[str, bool]] = []
    for r in shown:
        grid_rows.append((r, False))
        if errors:
            grid_rows.append((r, True))
    vmax = 0.0
    if errors:
        # the pixels' error is of the bicubic reconstruction, like their PSNR (not of the blocks shown)
        maps = {
            (r, b): error_map(img, pixels[b].reconstruct(img.shape[:2]) if r in ("pixels", "smooth") else v[0])
            for (r, b), v in panels.items()
        }
        vmax = max([float(m.max()) for m in maps.values()] + [1e-3])

    lead = "original" in rows
    ncols = len(budgets) + int(lead)
    h, w = img.shape[:2]
    pw = panel_size(ncols, largest=1.7, margin=0.75 if errors else 0.25, requested=panel_width)
    ph = pw * h / w
    with style():
        fig = Figure(
            figsize=(clamp_width(pw * ncols + (0.75 if errors else 0.25)), len(grid_rows) * (ph + 0.34) + 0.5),
            layout="constrained",
        )
        axes = fig.subplots(len(grid_rows), ncols, squeeze=False)
        err_axes = []
        for i, (r, is_err) in enumerate(grid_rows):
            if lead:
                ax0 = axes[i, 0]
                if i == 0:
                    draw_image(ax0, img, caption=f"original {h}×{w} px\n{format_count(img.size)} values")
                    ax0.set_title("image", fontsize=8.5)
                    if inset is not None:
                        draw_inset(ax0, inset)
                else:
                    ax0.axis("off")
            for j, b in enumerate(budgets):
                ax = axes[i, j + int(lead)]
                if (r, b) not in panels:
                    ax.axis("off")
                    continue
                out, caption = panels[r, b]
                if is_err:
                    m = maps[r, b]
                    draw_error(ax, m, vmax=vmax, caption=f"mean |error| {m.mean():.3f}")
                    err_axes.append(ax)
                else:
                    draw_image(ax, out, caption=caption)
                if inset is not None:
                    draw_inset(ax, inset)
                if i == 0:
                    whole = f"\n≥ the image's {format_count(img.size)} values:\nlossless" if b >= img.size else ""
                    ax.set_title(f"budget {format_budget(b)}{whole}", fontsize=8.5 if not whole else 7)
            label = ("|error| " if is_err else "") + ("pixels" if r == "smooth" else r)
            first = axes[i, int(lead)]
            first.set_ylabel(label if r != "smooth" else f"{label}\n(bicubic)", fontsize=8.5)
        if err_axes:
            cb = fig.colorbar(err_axes[0].images[0], ax=err_axes, shrink=0.8, aspect=30, pad=0.02)
            cb.set_label("|difference|", fontsize=CAPTION_SIZE)
            cb.ax.tick_params(labelsize=CAPTION_SIZE)
        what = "values" if match == "values" else f"bytes ({param_bits}-bit parameters, 8-bit pixels)"
        fig.supxlabel(f"pixels matched by {what}; their PSNR/SSIM are of the bicubic upsampling", fontsize=6.5)
        if title:
            fig.suptitle(title)
    return fig


#: Panels per row of :func:`plot_families` (the original, the pixel counterpart, then the families): more rows
#: past it, so captions stay readable in the 7.2-inch width.
FAMILY_COLUMNS = 5


def plot_families(
    image: ImageSource,
    fits: Sequence[Fit],
    *,
    errors: bool = True,
    match: Match = "values",
    param_bits: int = 32,
    title: str | None = None,
) -> Figure:
    """One budget, every family side by side with the pixel counterpart: "the lens matters".

    Parameters
    ----------
    image : path, sample name, PIL image or ndarray
        The image the fits were made on.
    fits : sequence of Fit
        Fits planned for one budget (any families), drawn left to right
        from pixels to networks: the original, the pixel counterpart, then
        the families in registry order (:data:`pixparam.FAMILIES`).
    errors : bool
        A second row of ``|difference|`` maps on one shared colour scale.
    match, param_bits
        The pixel counterpart, as for :func:`compare`.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Rows of at most :data:`FAMILY_COLUMNS` panels, each above its error maps.

    Raises
    ------
    ConfigError
        ``fits`` are of more than one budget (or none).
    """
    img = load_image(image)
    budgets = {_budget_of(f) for f in fits}
    if len(budgets) != 1:
        raise ConfigError(f"plot_families draws one budget, got {sorted(budgets)}; use compare() for a ladder")
    budget = budgets.pop()
    pix = pixelate(img, budget, match=match, param_bits=param_bits)
    pix.metrics.update(pix.measure(img))
    order = {fam: i for i, fam in enumerate(_budget.FAMILIES)}
    ordered = sorted(fits, key=lambda f: order.get(f.family, len(order)))  # stable: same-family fits keep their order
    panels = [("pixels", pix.render(mode="nearest"), _pixels_caption(pix, False))]
    panels += [
        (f.family, f.render(), f"{format_count(f.n_params)} params\n{quality_caption(f.psnr, f.ssim)}") for f in ordered
    ]
    h, w = img.shape[:2]
    n = len(panels) + 1  # the original first
    bands = math.ceil(n / FAMILY_COLUMNS)  # rows of at most FAMILY_COLUMNS panels, each over its error maps
    ncols = math.ceil(n / bands)
    per = 2 if errors else 1
    pw = panel_size(ncols, largest=1.7, margin=0.6 if errors else 0.1)
    with style():
        fig = Figure(
            figsize=(clamp_width(pw * ncols + (0.6 if errors else 0.1)), bands * per * (pw * h / w + 0.5) + 0.4),
            layout="constrained",
        )
        axes = fig.subplots(bands * per, ncols, squeeze=False)
        for ax in axes.flat:
            ax.axis("off")
        cells = [(per * (k // ncols), k % ncols) for k in range(n)]
        r0, c0 = cells[0]
        axes[r0, c0].axis("on")
        draw_image(axes[r0, c0], img, caption=f"original {h}×{w} px\n{format_count(img.size)} values")
        axes[r0, c0].set_title("image", fontsize=8.5)
        maps = [error_map(img, out if name != "pixels" else pix.reconstruct((h, w))) for name, out, _ in panels]
        vmax = max([float(m.max()) for m in maps] + [1e-3])
        shown_errors = []
        for j, (name, out, caption) in enumerate(panels, start=1):
            r, c = cells[j]
            axes[r, c].axis("on")
            draw_image(axes[r, c], out, caption=caption)
            axes[r, c].set_title(name, fontsize=8.5)
            if errors:
                axes[r + 1, c].axis("on")
                draw_error(axes[r + 1, c], maps[j - 1], vmax=vmax, caption=f"mean |error| {maps[j - 1].mean():.3f}")
                shown_errors.append(axes[r + 1, c])
        if errors:
            for band in range(bands):
                row = list(axes[per * band + 1])
                next(ax for ax in shown_errors if ax in row).set_ylabel("|error|", fontsize=8.5)
            cb = fig.colorbar(shown_errors[0].images[0], ax=list(axes[:, -1]), shrink=0.9, aspect=25, pad=0.02)
            cb.ax.tick_params(labelsize=CAPTION_SIZE)
        what = "values" if match == "values" else f"bytes ({param_bits}-bit parameters, 8-bit pixels)"
        fig.supxlabel(
            f"{format_budget(budget)} {what} each; the pixels' PSNR, SSIM and error are of the bicubic upsampling",
            fontsize=6.5,
        )
        if title:
            fig.suptitle(title)
    return fig


compare_families = renamed(plot_families, "compare_families")
