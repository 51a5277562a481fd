"""What a run trains on: :class:`Points`, coordinates and target colours (and optional per-point weights).

The whole image, a held-out split of it, or K images with an index column
are all ``Points``; the training loop sees nothing else.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import torch

from ..coords import grid
from ..errors import ConfigError

__all__ = ["Points"]


@dataclass(frozen=True, eq=False)
class Points:
    """Coordinates, targets and optional weights, one row per point, on one device.

    Attributes
    ----------
    coords : (N, D) float32 Tensor
        ``(x, y)`` in ``[-1, 1]`` (``D = 2``), or with extra columns a field
        reads (an image index for a multi-image field).
    target : (N, C) float32 Tensor
        Colours in ``[0, 1]``.
    weights : (N,) float32 Tensor or None
        Per-point loss weights (a mask is 0/1 weights); ``None`` weighs every
        point alike. The loss is ``sum_i w_i |f(x_i) - t_i|² / (C · sum_i w_i)``.
    """

    coords: torch.Tensor
    target: torch.Tensor
    weights: torch.Tensor | None = None

    def __post_init__(self) -> None:
        n = self.coords.shape[0]
        if self.coords.ndim != 2 or self.target.ndim != 2 or self.target.shape[0] != n or n == 0:
            raise ConfigError(
                f"Points need (N, D) coordinates and (N, C) targets with N >= 1; got {tuple(self.coords.shape)} "
                f"and {tuple(self.target.shape)}"
            )
        if self.weights is not None and tuple(self.weights.shape) != (n,):
            raise ConfigError(f"weights must have shape ({n},) (one per point); got {tuple(self.weights.shape)}")
        devices = {t.device for t in (self.coords, self.target, self.weights) if t is not None}
        if len(devices) > 1:
            raise ConfigError(f"Points' tensors are on several devices ({', '.join(map(str, devices))}); move them")

    @classmethod
    def from_image(cls, image: np.ndarray, device: str | torch.device = "cpu") -> Points:
        """Every pixel of an ``(H, W, C)`` image, in raster order, at its pixel centre.

        Parameters
        ----------
        image : (H, W, C) ndarray of float32
            Values in ``[0, 1]``.
        device : str or torch.device
            Where the tensors live.

        Returns
        -------
        Points
            ``H * W`` points without weights.
        """
        h, w, c = image.shape
        target = torch.from_numpy(np.ascontiguousarray(image, dtype=np.float32).reshape(-1, c))
        return cls(grid(h, w, device=device), target.to(device))

    @property
    def n(self) -> int:
        """Number of points."""
        return int(self.coords.shape[0])

    @property
    def device(self) -> torch.device:
        """Where the tensors are."""
        return self.coords.device

    def subset(self, rows: np.ndarray | torch.Tensor) -> Points:
        """The points at ``rows`` (indices), in that order.

        Parameters
        ----------
        rows : (K,) ndarray or torch.Tensor of int
            Row indices (e.g. a training split, or every other pixel).

        Returns
        -------
        Points
            ``K`` points; weights are taken along.
        """
        idx = torch.as_tensor(np.asarray(rows), dtype=torch.int64).to(self.device)
        w = None if self.weights is None else self.weights[idx]
        return Points(self.coords[idx], self.target[idx], w)

    def to(self, device: str | torch.device) -> Points:
        """The same points on ``device``.

        Parameters
        ----------
        device : str or torch.device
            Where to move them.

        Returns
        -------
        Points
        """
        w = None if self.weights is None else self.weights.to(device)
        return Points(self.coords.to(device), self.target.to(device), w)

    def digest(self) -> str:
        """SHA-256 of the coordinates, targets and weights (bytes and shapes): the store's key for the data."""
        h = hashlib.sha256()
        for name, t in (("coords", self.coords), ("target", self.target), ("weights", self.weights)):
            if t is None:
                continue
            a = t.detach().cpu().contiguous().numpy()
            h.update(f"{name}{a.shape}{a.dtype}".encode())
            h.update(a.tobytes())
        return h.hexdigest()
