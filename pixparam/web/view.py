"""A view of an image (centre and zoom) and the reference render of a fit at exactly the viewer's coordinates.

The viewer (``pixparam-viewer.js``) and :func:`render_view` compute a view's
coordinates with the same float32 operations, in the same order, so the
browser's shader and PyTorch evaluate the network at bit-identical points.
For output column ``i`` of ``width`` (and likewise rows, with ``y`` and the
image height), every step rounded to float32::

    scale = min(width / W, height / H) * zoom     # output pixels per image pixel
    p     = x + ((i + 0.5) - width / 2) / scale   # image pixels from the left edge
    coord = (2 * p) / W - 1                       # in [-1, 1] across the image

At the default view (centre ``(W/2, H/2)``, zoom 1) and ``width = W`` this is
``(2 i + 1) / W - 1``, the pixel centres of :func:`pixparam.coords.grid`, so
``render_view(fit, W, H)`` is ``fit.render()``. Points outside the image
(``|coord| > 1``) are not drawn: they are transparent black.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ..errors import ConfigError
from ..fields import Field, bytes_per_point
from ..rendering import render_chunk_bytes

__all__ = ["View", "render_view", "to_rgba8", "view_coords"]

_F = np.float32


@dataclass(frozen=True)
class View:
    """What part of the image a render shows.

    Attributes
    ----------
    x, y : float or None
        The centre, in pixels of the fitted image from its top-left corner
        (``None``: the image's centre, ``W/2`` and ``H/2``).
    zoom : float
        Magnification over the whole image fitted into the output (1).
    """

    x: float | None = None
    y: float | None = None
    zoom: float = 1.0

    @classmethod
    def of(cls, view: View | Mapping[str, Any] | None) -> View:
        """``view`` as a :class:`View`: a View, a mapping with keys ``x``, ``y``, ``zoom``, or ``None``.

        Parameters
        ----------
        view : View, mapping or None
            The view (``None``: the whole image).

        Returns
        -------
        View

        Raises
        ------
        ConfigError
            Unknown keys, or values that are not finite numbers (zoom > 0).
        """
        if view is None:
            return cls()
        if isinstance(view, View):
            out = view
        elif isinstance(view, Mapping):
            unknown = set(view) - {"x", "y", "zoom"}
            if unknown:
                raise ConfigError(f"view keys {sorted(unknown)} are unknown; a view has x, y (centre) and zoom")
            out = cls(view.get("x"), view.get("y"), view.get("zoom", 1.0))
        else:
            raise ConfigError(f"view must be a View, a dict with x, y, zoom, or None; got {type(view).__name__}")
        for name in ("x", "y", "zoom"):
            value = getattr(out, name)
            if value is None and name != "zoom":
                continue
            ok = not isinstance(value, bool) and isinstance(value, numbers.Real) and math.isfinite(float(value))
            if not ok or (name == "zoom" and not float(value) > 0):
                need = "a positive number" if name == "zoom" else "a finite number of image pixels"
                raise ConfigError(f"view {name}={value!r}; it must be {need}")
        return out


def view_coords(
    image_shape: tuple[int, ...], width: int, height: int, view: View | Mapping[str, Any] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The ``x`` of each output column and the ``y`` of each output row, as the viewer computes them.

    Parameters
    ----------
    image_shape : (H, W[, C])
        The fitted image's shape.
    width, height : int
        Output size in pixels.
    view : View or mapping, optional
        Centre and zoom (default: the whole image).

    Returns
    -------
    xs : (width,) ndarray of float32
    ys : (height,) ndarray of float32
        Coordinates in the fitted image's ``[-1, 1]`` frame (outside it for
        points beyond the image).
    """
    v = View.of(view)
    H, W = int(image_shape[0]), int(image_shape[1])
    for name, n in (("width", width), ("height", height)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ConfigError(f"{name}={n!r}; pass a positive number of pixels")
    scale = _F(min(_F(width) / _F(W), _F(height) / _F(H)) * _F(v.zoom))

    def axis(n: int, size: int, centre: float | None) -> np.ndarray:
        c = _F(size / 2 if centre is None else centre)
        t = (np.arange(n, dtype=_F) + _F(0.5)) - _F(n / 2)
        p = c + t / scale
        return ((_F(2) * p) / _F(size) - _F(1)).astype(_F)

    return axis(int(width), W, v.x), axis(int(height), H, v.y)


@torch.inference_mode()
def render_view(
    fit: Any, width: int, height: int, view: View | Mapping[str, Any] | None = None, *, model: Field | None = None
) -> np.ndarray:
    """The RGBA image the viewer draws for a view, evaluated by PyTorch: the reference the browser is tested against.

    Parameters
    ----------
    fit : Fit
        The fitted network (its ``image_shape`` sets the frame).
    width, height : int
        Output size in pixels.
    view : View or mapping, optional
        Centre (image pixels) and zoom; default the whole image.
    model : Field, optional
        Evaluate this network instead of ``fit.model`` (the float16-rounded
        copy, say), in the same frame.

    Returns
    -------
    (height, width, 4) ndarray of float32
        Colours clipped to ``[0, 1]``; gray is repeated into R, G and B;
        alpha is 1 inside the image (or the fit's own alpha channel) and 0,
        with black, outside it.
    """
    net = fit.model if model is None else model
    xs, ys = view_coords(fit.image_shape, width, height, view)
    out = np.zeros((height, width, 4), dtype=np.float32)
    device = next(net.parameters()).device
    rows = max(1, min(height, render_chunk_bytes(device) // (bytes_per_point(net) * width)))
    x = torch.from_numpy(xs).to(device)
    was_training = net.training
    net.eval()
    try:
        for r0 in range(0, height, rows):
            y = torch.from_numpy(ys[r0 : r0 + rows]).to(device)
            yy, xx = torch.meshgrid(y, x, indexing="ij")
            pred = net(torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=1)).float().clamp_(0.0, 1.0)
            block = pred.reshape(len(y), width, -1).cpu().numpy()
            c = block.shape[-1]
            out[r0 : r0 + len(y), :, :3] = block[..., :3] if c >= 3 else block[..., :1]
            out[r0 : r0 + len(y), :, 3] = block[..., 3] if c == 4 else 1.0
    finally:
        net.train(was_training)
    inside = (np.abs(ys) <= 1)[:, None] & (np.abs(xs) <= 1)[None, :]
    out[~inside] = 0.0
    return out


def to_rgba8(rgba: np.ndarray) -> np.ndarray:
    """RGBA floats in ``[0, 1]`` as the viewer's 8-bit pixels: ``round(255 v)``.

    Parameters
    ----------
    rgba : (h, w, 4) ndarray
        From :func:`render_view`.

    Returns
    -------
    (h, w, 4) ndarray of uint8
    """
    return np.round(np.clip(rgba, 0.0, 1.0) * 255.0).astype(np.uint8)
