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


def region_grid(
    shape: tuple[int, int], region: tuple[int, int, int, int], *, device: str | torch.device | None = None
) -> torch.Tensor:
    """Coordinates of the pixel centres inside a rectangle of an ``h × w`` image, ``(n, 2)`` as ``(x, y)``.

    Parameters
    ----------
    shape : (int, int)
        ``(h, w)`` of the image.
    region : (int, int, int, int)
        ``(y0, x0, y1, x1)`` in pixels, half-open like numpy slicing, already checked to lie inside.
    device : str or torch.device, optional
        Where to create the tensor.

    Returns
    -------
    ((y1 - y0) * (x1 - x0), 2) torch.Tensor
        In raster order.
    """
    h, w = shape
    y0, x0, y1, x1 = region
    return grid(h, w, rows=(y0, y1), device=device).reshape(y1 - y0, w, 2)[:, x0:x1].reshape(-1, 2)
