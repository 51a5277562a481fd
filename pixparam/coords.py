"""Pixel-centre coordinates in ``[-1, 1]``: ``x`` along width, ``y`` along height."""

from __future__ import annotations

import torch


def pixel_centers(n: int, *, device: str | torch.device | None = None) -> torch.Tensor:
    """Centres of ``n`` pixels spanning ``[-1, 1]``: ``(2 i + 1) / n - 1``."""
    return (2 * torch.arange(n, device=device, dtype=torch.float32) + 1) / n - 1


def grid(
    h: int, w: int, *, rows: tuple[int, int] | None = None, device: str | torch.device | None = None
) -> torch.Tensor:
    """Coordinates of an ``h × w`` image in raster order, shape ``(n, 2)`` as ``(x, y)``.

    Parameters
    ----------
    h, w : int
        Image height and width in pixels.
    rows : (int, int), optional
        Only rows ``[r0, r1)``, for rendering in chunks.
    device : str or torch.device, optional
        Where to create the tensor.
    """
    r0, r1 = rows if rows is not None else (0, h)
    ys = pixel_centers(h, device=device)[r0:r1]
    xs = pixel_centers(w, device=device)
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=1)
