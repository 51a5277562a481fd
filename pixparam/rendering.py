"""Rendering a field: evaluate it at the pixel centres of any ``h × w`` image, in memory-bounded row chunks."""

from __future__ import annotations

import numpy as np
import torch

from .coords import grid
from .fields import Field, bytes_per_point

__all__ = ["render_chunk_bytes", "render_field"]


def render_chunk_bytes(device: torch.device) -> int:
    """Activation bytes a render chunk may use: 64 MiB on a CPU (cache-sized), more on a GPU.

    On CUDA a chunk may take an eighth of the free memory, up to 2 GiB, so a
    large render is a few big launches rather than thousands of small ones.

    Parameters
    ----------
    device : torch.device
        Where the model runs.

    Returns
    -------
    int
    """
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return int(max(64 << 20, min(2 << 30, free // 8)))
    return 64 << 20


@torch.inference_mode()
def render_field(model: Field, h: int, w: int, *, max_chunk_bytes: int | None = None) -> np.ndarray:
    """Evaluate ``model`` at the pixel centres of an ``h × w`` image, in row chunks.

    Activations stay under about ``max_chunk_bytes`` (default
    :func:`render_chunk_bytes` of the model's device); only the output image
    (``h·w·C`` float32) is held whole.

    The chunk size does not change the result beyond float32 rounding: each
    pixel is computed from its own coordinate, but a matmul over another
    number of rows may take another BLAS kernel and sum in another order,
    so two chunkings agree to within a few units in the last place (about
    1e-7), not bit for bit.

    Parameters
    ----------
    model : Field
        The network (any module mapping ``(N, 2)`` coordinates to ``(N, C)``
        colours with an ``arch``).
    h, w : int
        Output height and width in pixels.
    max_chunk_bytes : int, optional
        Activation bytes per chunk.

    Returns
    -------
    (h, w, C) ndarray of float32
        Colours clipped to ``[0, 1]``.
    """
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    if max_chunk_bytes is None:
        max_chunk_bytes = render_chunk_bytes(device)
    out = np.empty((h, w, model.arch.channels), dtype=np.float32)
    rows = max(1, min(h, max_chunk_bytes // (bytes_per_point(model) * w)))
    try:
        for r0 in range(0, h, rows):
            r1 = min(h, r0 + rows)
            pred = model(grid(h, w, rows=(r0, r1), device=device)).float().clamp_(0.0, 1.0)
            out[r0:r1] = pred.reshape(r1 - r0, w, -1).cpu().numpy()
    finally:
        model.train(was_training)
    return out
