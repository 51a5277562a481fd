"""The one-minute demo: a small ladder of fits beside their pixel counterparts."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .budget import format_count, parse_budget
from .capacity import resolve_families
from .figures import compare, save_figure
from .images import ImageSource, load_image
from .pixels import Pixels, pixelate
from .result import Fit
from .training import fit

__all__ = ["DemoResult", "format_table", "run_demo"]


@dataclass
class DemoResult:
    """Fits per family (one per budget), pixel counterparts per budget, and the figure path.

    Attributes
    ----------
    image : (H, W, C) ndarray of float32
        The sample the fits were fitted to.
    budgets : list of int
        The budgets, smallest first.
    fits : dict of str to list of Fit
        Per family, one fit per budget.
    pixels : list of Pixels
        The pixel counterpart of each budget.
    figure : Path or None
        The comparison strip written, if any.
    """

    image: np.ndarray
    budgets: list[int]
    fits: dict[str, list[Fit]]
    pixels: list[Pixels]
    figure: Path | None

    def rows(self) -> list[dict[str, object]]:
        """One record per (budget, model): what the table prints."""
        out: list[dict[str, object]] = []
        for i, budget in enumerate(self.budgets):
            pix = self.pixels[i]
            h, w = pix.shape
            out.append(
                {
                    "budget": budget,
                    "model": f"pixels {h}×{w}",
                    "values": pix.n_values,
                    "psnr": pix.psnr,
                    "ssim": pix.ssim,
                    "steps": None,
                    "seconds": None,
                }
            )
            for family, fits in self.fits.items():
                f = fits[i]
                out.append(
                    {
                        "budget": budget,
                        "model": family,
                        "values": f.n_params,
                        "psnr": f.psnr,
                        "ssim": f.ssim,
                        "steps": f.config["steps"],
                        "seconds": f.seconds,
                    }
                )
        return out


def format_table(rows: Sequence[dict[str, object]]) -> str:
    """A fixed-width text table of :meth:`DemoResult.rows`-style records.

    Parameters
    ----------
    rows : sequence of dict
        Records with ``budget``, ``model``, ``values``, ``psnr``, ``ssim``,
        ``steps`` and ``seconds`` (``None`` for pixels).

    Returns
    -------
    str
        One line per record under a header; each budget is named once.
    """
    header = f"{'budget':>7}  {'model':<15} {'values':>8}  {'PSNR dB':>7}  {'SSIM':>5}  {'steps':>5}  {'seconds':>7}"
    lines = [header, "-" * len(header)]
    last = None
    for r in rows:
        budget = format_count(r["budget"]) if r["budget"] != last else ""
        last = r["budget"]
        steps = "" if r["steps"] is None else str(r["steps"])
        secs = "" if r["seconds"] is None else f"{r['seconds']:.1f}"
        quality = f"{r['psnr']:>7.2f}  {r['ssim']:>5.3f}"
        lines.append(f"{budget:>7}  {r['model']:<15} {r['values']:>8,}  {quality}  {steps:>5}  {secs:>7}")
    return "\n".join(lines)


def run_demo(
    image: ImageSource = "astronaut",
    *,
    size: int | None = 48,
    budgets: Sequence[int | str] = ("1k", "4k"),
    families: Sequence[str] | None = None,
    steps: int = 300,
    device: str = "auto",
    seed: int = 0,
    out: str | os.PathLike | None = "pixparam-demo.png",
    progress: bool = True,
) -> DemoResult:
    """Fit each family at each budget, pixelate at each budget, draw the strip.

    Parameters
    ----------
    image : path, sample name, PIL image or ndarray
        The image (default the ``astronaut`` sample).
    size : int, optional
        Longest side to resize to first (small keeps it fast on a CPU).
    budgets : sequence of int or str
        Parameter budgets, one column each.
    families : sequence of str, optional
        Network families, one row each; default every registered family.
    steps : int
        Training steps per fit.
    device, seed, progress
        As for :func:`pixparam.fit`.
    out : path, optional
        Where to write the PNG strip; ``None`` for no file.

    Returns
    -------
    DemoResult

    Raises
    ------
    ConfigError
        An unknown family.
    """
    families = resolve_families(families)
    img = load_image(image, size=size)
    values = sorted({parse_budget(b) for b in budgets})
    fits = {
        family: [fit(img, b, family, steps=steps, device=device, seed=seed, progress=progress) for b in values]
        for family in families
    }
    pixels = [pixelate(img, b) for b in values]
    path = None
    if out is not None:
        h, w, _ = img.shape
        name = image if isinstance(image, str) else "image"
        fig = compare(img, [f for fs in fits.values() for f in fs], title=f"{name}, {h}×{w} px, {steps} steps per fit")
        path = save_figure(fig, out)
    return DemoResult(image=img, budgets=values, fits=fits, pixels=pixels, figure=path)
