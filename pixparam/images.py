"""Load, validate, resize and save images.

pixparam's images are ``float32`` numpy arrays of shape ``(H, W, C)`` with
values in ``[0, 1]`` and ``C`` in ``{1, 3, 4}``; grayscale keeps one channel.
Downsampling is area averaging (each new pixel is the mean of the area it
covers), the same operation the pixel counterparts use.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from ._deprecate import keyword_only
from ._io import atomic_path, check_writable
from .errors import ConfigError, ImageError, ImageNotFoundError
from .imagefile import pil_to_array, read_image_file
from .limits import check_memory

__all__ = [
    "SAMPLES",
    "ImageSource",
    "check_image_output",
    "load_image",
    "resize",
    "save_image",
    "to_uint8",
]

#: Built-in sample images (bundled with scikit-image; no download needed).
SAMPLES: tuple[str, ...] = (
    "astronaut",
    "brick",
    "camera",
    "chelsea",
    "coffee",
    "coins",
    "colorwheel",
    "grass",
    "gravel",
    "hubble_deep_field",
    "immunohistochemistry",
    "logo",
    "moon",
    "page",
    "retina",
    "rocket",
    "text",
)

#: What every function taking an image accepts: a path, a sample name, a PIL image or an array.
ImageSource = str | os.PathLike | Image.Image | np.ndarray
Size = int | Sequence[int] | None

_MIN_SIDE = 2


@keyword_only("size")
def load_image(src: ImageSource, *, size: Size = None, frame: int | None = None) -> np.ndarray:
    """Load an image as float32 ``(H, W, C)`` in ``[0, 1]``.

    Parameters
    ----------
    src : str, path, PIL.Image.Image or ndarray
        A file path, a sample name from :data:`SAMPLES`, a PIL image, or an
        array of shape ``(H, W)`` or ``(H, W, C)`` with ``C`` in ``{1, 3, 4}``.
        Arrays may be ``uint8``, ``uint16``, ``bool`` or float in ``[0, 1]``.
    size : int or (int, int), optional
        Resize so the longest side is ``size``, or to exactly ``(h, w)``.
        Downsampling averages areas (anti-aliased); upsampling is bicubic.
    frame : int, optional
        The frame of a multi-frame file or PIL image (an animated GIF or
        PNG); default the first, with a warning when there are others.

    Returns
    -------
    image : (H, W, C) ndarray of float32
        Values in ``[0, 1]``; ``C`` is 1 (gray), 3 (RGB) or 4 (RGBA). Files
        keep their bit depth: 16-bit PNGs (gray or colour) and TIFFs are
        read at 16 bits.

    Raises
    ------
    ImageNotFoundError
        The path does not exist and is not a sample name.
    ImageError
        The source is not an image, is too small, holds NaN/inf, has an
        unsupported shape or dtype, has no such frame, would need more
        memory than :func:`pixparam.limits.memory_limit` allows (decoded,
        or at ``size``), or ``size`` is invalid.

    Examples
    --------
    >>> import pixparam as pp
    >>> pp.load_image("camera", size=32).shape
    (32, 32, 1)
    """
    if isinstance(src, np.ndarray):
        if frame not in (None, 0):
            raise ImageError(f"frame={frame!r}, but an array has one frame; pass frame=None")
        img = _from_array(src, "the array")
    elif isinstance(src, Image.Image):
        img = _from_pil(src, "the PIL image", frame)
    elif isinstance(src, (str, os.PathLike)):
        img = _from_path_or_sample(src, frame)
    else:
        raise ImageError(
            f"cannot load an image from a {type(src).__name__}; pass a file path, a sample "
            f"name (pixparam.SAMPLES), a PIL image or a numpy array"
        )
    if size is not None:
        img = resize(img, size)
    return img


def resize(img: np.ndarray, size: Size) -> np.ndarray:
    """Resize an image; area averaging down, bicubic up.

    Parameters
    ----------
    img : (H, W, C) ndarray of float32
        Image in ``[0, 1]``.
    size : int or (int, int)
        Longest side, or exact ``(h, w)``.

    Returns
    -------
    (h, w, C) ndarray of float32
        Values clipped to ``[0, 1]``.
    """
    h, w = resolve_size(size, img.shape[:2])
    if (h, w) == img.shape[:2]:
        return img
    c = img.shape[2]
    check_memory(
        3 * h * w * c * 4,
        f"size={size!r} ({h}×{w}×{c} values)",
        "pass a smaller size (the longest side, or HxW)",
        ImageError,
    )
    if h <= img.shape[0] and w <= img.shape[1]:
        return area_downsample(img, (h, w))
    return upsample(img, (h, w), mode="bicubic")


def resolve_size(size: Size, shape: Sequence[int]) -> tuple[int, int]:
    """Turn ``size`` (longest side, or ``(h, w)``) into ``(h, w)`` for an image of ``shape``."""
    H, W = int(shape[0]), int(shape[1])
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        side = int(size)
        if side < _MIN_SIDE:
            raise ImageError(f"size={side} is too small; the longest side must be at least {_MIN_SIDE}")
        if H >= W:
            return side, max(1, round(W * side / H))
        return max(1, round(H * side / W)), side
    if isinstance(size, Sequence) and not isinstance(size, str) and len(size) == 2:
        h, w = size
        if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1 for v in (h, w)):
            return int(h), int(w)
    raise ImageError(f"size={size!r} is not a size; pass an int (the longest side) or a pair of positive ints (h, w)")


def area_downsample(img: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    """Downsample by exact area averaging (fractional pixel overlaps weighted)."""
    from skimage.transform import resize_local_mean

    out = resize_local_mean(img, (int(shape[0]), int(shape[1])), grid_mode=True, channel_axis=-1)
    return np.clip(out, 0.0, 1.0).astype(np.float32, copy=False)


_PIL_FILTERS = {
    "nearest": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
}


@keyword_only("mode")
def upsample(img: np.ndarray, shape: Sequence[int], *, mode: str = "bicubic") -> np.ndarray:
    """Resample an image to ``shape`` with a PIL filter, in float32 per channel.

    Parameters
    ----------
    img : (H, W, C) ndarray of float32
    shape : (int, int)
        Output ``(h, w)``.
    mode : {"nearest", "bilinear", "bicubic", "lanczos"}
        ``nearest`` shows pixels as blocks; the others interpolate and are
        clipped to ``[0, 1]`` (bicubic and Lanczos overshoot at edges).

    Returns
    -------
    (h, w, C) ndarray of float32

    Raises
    ------
    ConfigError
        ``mode`` is not one of the four.
    """
    if mode not in _PIL_FILTERS:
        raise ConfigError(f"mode={mode!r} is not one of {sorted(_PIL_FILTERS)}")
    h, w = int(shape[0]), int(shape[1])
    flt = _PIL_FILTERS[mode]
    planes = [
        np.asarray(Image.fromarray(np.ascontiguousarray(img[..., c], dtype=np.float32)).resize((w, h), flt))
        for c in range(img.shape[2])
    ]
    return np.clip(np.stack(planes, axis=-1), 0.0, 1.0).astype(np.float32, copy=False)


def to_uint8(img: np.ndarray) -> np.ndarray:
    """Quantise a ``[0, 1]`` float image to ``uint8`` by rounding.

    Parameters
    ----------
    img : ndarray of any shape
        Values in ``[0, 1]`` (clipped first).

    Returns
    -------
    ndarray of uint8
        Same shape.
    """
    return np.round(np.clip(img, 0.0, 1.0) * 255.0).astype(np.uint8)


_MODES = {1: "L", 3: "RGB", 4: "RGBA"}


def check_image_output(path: str | os.PathLike, channels: int) -> str:
    """Fail now when an image of ``channels`` channels cannot be saved at ``path``; return Pillow's format.

    Checks, before any work: the suffix names a format Pillow writes, that
    format holds the channels (no alpha in JPEG, say), and the folder exists
    and is writable (see :func:`pixparam._io.check_writable`).

    Raises
    ------
    ImageError
        The suffix names no format Pillow writes, or one that cannot hold
        the channels; the message names a suffix that can.
    OutputError
        The folder is missing or not writable, or the path is a folder.

    Parameters
    ----------
    path : str or path
        The image file to write; its suffix picks the format.
    channels : int
        The image's channels (1, 3 or 4).
    """
    path = Path(path)
    fmt = Image.registered_extensions().get(path.suffix.lower())
    if fmt is None or fmt not in Image.SAVE:
        raise ImageError(f"cannot tell an image format Pillow writes from {str(path)!r}; use .png, .jpg or .webp")
    import io

    mode = _MODES.get(int(channels), "RGB")
    try:
        Image.new(mode, (2, 2)).save(io.BytesIO(), format=fmt)
    except (OSError, ValueError, KeyError) as exc:
        what = {"L": "gray", "RGB": "RGB", "RGBA": "RGBA (with alpha)"}[mode]
        raise ImageError(f"{fmt} cannot hold a {what} image ({exc}); save {str(path)!r} as .png instead") from None
    check_writable(path)
    return fmt


def save_image(img: np.ndarray, path: str | os.PathLike) -> Path:
    """Save a ``[0, 1]`` float image as an 8-bit file, atomically.

    The format follows the suffix (``.png``, ``.jpg``, ``.webp``, ...).
    Gray images are saved as ``L``, RGB as ``RGB``, RGBA as ``RGBA``.

    Parameters
    ----------
    img : (H, W) or (H, W, C) ndarray
        Values in ``[0, 1]``; ``C`` in ``{1, 3, 4}``.
    path : str or path
        The file to write; its suffix picks the format.

    Returns
    -------
    Path

    Raises
    ------
    ImageError
        The suffix names no format Pillow writes, the format cannot hold the
        image's channels (:func:`check_image_output`), or the image is not a
        valid ``[0, 1]`` image (NaN, wrong shape...).
    OutputError
        The folder is missing or not writable.
    """
    img = _from_array(np.asarray(img), "the image to save")
    fmt = check_image_output(path, img.shape[2])
    u8 = to_uint8(img)
    pil = Image.fromarray(u8[..., 0] if u8.shape[2] == 1 else u8)
    path = Path(path)
    with atomic_path(path) as tmp:
        pil.save(tmp, format=fmt)
    return path


# --------------------------------------------------------------------------- sources


def _from_path_or_sample(src: str | os.PathLike, frame: int | None) -> np.ndarray:
    path = Path(src)
    if not path.exists():
        if isinstance(src, str) and src in SAMPLES:
            if frame not in (None, 0):
                raise ImageError(f"frame={frame!r}, but sample {src!r} has one frame; pass frame=None")
            return _load_sample(src)
        hint = f"; built-in samples are: {', '.join(SAMPLES)}" if isinstance(src, str) and os.sep not in src else ""
        raise ImageNotFoundError(f"image file {str(src)!r} does not exist{hint}")
    if path.is_dir():
        raise ImageError(f"{str(src)!r} is a folder, not an image file; pass a file inside it")
    return _from_array(read_image_file(path, frame=frame), repr(str(src)))


def _load_sample(name: str) -> np.ndarray:
    import skimage.data

    arr = getattr(skimage.data, name)()
    return _from_array(np.asarray(arr), f"sample {name!r}")


def _from_pil(pil: Image.Image, name: str, frame: int | None = None) -> np.ndarray:
    n_frames = int(getattr(pil, "n_frames", 1) or 1)
    if frame is not None:
        if isinstance(frame, bool) or not isinstance(frame, (int, np.integer)) or not 0 <= frame < n_frames:
            raise ImageError(f"frame={frame!r}, but {name} has {n_frames} frame(s); pass 0 to {n_frames - 1}")
        pil.seek(int(frame))
    w, h = pil.size
    check_memory(w * h * 4 * 12, f"{name} ({w}×{h} pixels)", "downsample it first", ImageError)
    return _from_array(pil_to_array(pil, name), name)


def _from_array(arr: np.ndarray, name: str) -> np.ndarray:
    if arr.ndim == 2:
        arr = arr[:, :, None]
    elif arr.ndim != 3:
        raise ImageError(f"{name} has {arr.ndim} dimensions (shape {arr.shape}); an image is (H, W) or (H, W, C)")
    h, w, c = arr.shape
    if c not in (1, 3, 4):
        hint = ""
        if arr.shape[0] in (1, 3, 4) and c > 4:
            hint = "; it looks channels-first, pass np.moveaxis(a, 0, -1)"
        raise ImageError(f"{name} has {c} channels (shape {arr.shape}); use 1 (gray), 3 (RGB) or 4 (RGBA){hint}")
    if h * w == 0:
        raise ImageError(f"{name} is empty (shape {arr.shape})")
    if h < _MIN_SIDE or w < _MIN_SIDE:
        raise ImageError(f"{name} is {h}×{w} pixels; an image needs at least {_MIN_SIDE} pixels along each side")
    check_memory(
        arr.size * (12 if arr.dtype.kind == "f" else 4),
        f"{name} ({h}×{w}×{c} values as float32)",
        "downsample it first (pass a smaller image)",
        ImageError,
    )
    kind = arr.dtype.kind
    if arr.dtype == np.uint8:
        out = arr.astype(np.float32) / 255.0
    elif arr.dtype == np.uint16:
        out = arr.astype(np.float32) / 65535.0
    elif kind == "b":
        out = arr.astype(np.float32)
    elif kind == "f":
        arr64 = arr.astype(np.float64, copy=False)
        if not np.isfinite(arr64).all():
            bad = int((~np.isfinite(arr64)).sum())
            raise ImageError(f"{name} holds {bad} NaN or infinite values; replace them (e.g. np.nan_to_num)")
        lo, hi = float(arr64.min()), float(arr64.max())
        if lo < -1e-6 or hi > 1.0 + 1e-6:
            raise ImageError(
                f"{name} has float values in [{lo:.4g}, {hi:.4g}]; float images must lie in [0, 1] "
                f"(divide by 255 for 8-bit data, or rescale)"
            )
        out = np.clip(arr64, 0.0, 1.0).astype(np.float32)
    else:
        raise ImageError(
            f"{name} has dtype {arr.dtype}, whose value range is ambiguous; "
            f"pass uint8, uint16, bool, or float in [0, 1]"
        )
    return np.ascontiguousarray(out, dtype=np.float32)
