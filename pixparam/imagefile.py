"""Reading image files: the header first, then the pixels, at their full bit depth.

Pillow reads the header (size, mode, frames) without decoding; the pixels
are decoded only once their memory estimate is within
:func:`pixparam.limits.memory_limit`, and a file Pillow refuses as a
decompression bomb is an :class:`~pixparam.ImageError`. Pillow decodes
16-bit colour PNGs to 8 bits, so those are read with ``imagecodecs``
(Christoph Gohlke's codec library, the one ``tifffile`` uses) at 16 bits.
A file with several frames (an animated GIF or PNG) gives its first frame
with a warning, or the frame asked for.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ImageError
from .limits import check_memory

__all__ = ["pil_to_array", "read_image_file"]

#: Bytes the decoding and the float32 conversion hold per stored value, beyond the file's own samples.
_BYTES_PER_VALUE = 12

#: EXIF orientation -> the numpy operation that applies it (Pillow's ``exif_transpose``).
_ORIENT = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.transpose(1, 0, 2),
    6: lambda a: np.rot90(a, -1),
    7: lambda a: np.rot90(a, 2).transpose(1, 0, 2),
    8: lambda a: np.rot90(a, 1),
}


def read_image_file(path: str | os.PathLike, *, frame: int | None = None) -> np.ndarray:
    """The pixels of an image file, as Pillow or ``imagecodecs`` decode them (``uint8``, ``uint16``, float).

    Parameters
    ----------
    path : str or path
        An existing image file.
    frame : int, optional
        The frame of a multi-frame file (animated GIF, APNG, multi-page
        TIFF); default the first, with a warning when there are others.

    Returns
    -------
    (H, W) or (H, W, C) ndarray
        ``C`` in ``{1, 3, 4}``; 16-bit files stay ``uint16``.

    Raises
    ------
    ImageError
        Not an image Pillow can read, truncated or corrupt, a decompression
        bomb, more pixels than the memory limit allows, or no such frame.
    """
    name = repr(str(path))
    try:
        with Image.open(path) as pil:
            w, h = pil.size
            bands = len(pil.getbands())
            check_memory(
                w * h * max(bands, 3) * _BYTES_PER_VALUE,
                f"image file {name} ({w}×{h} pixels, {bands} channel{'s' if bands > 1 else ''})",
                "downsample it with another tool first, or raise PIXPARAM_MEMORY_LIMIT",
                ImageError,
            )
            n_frames = int(getattr(pil, "n_frames", 1) or 1)
            index = _frame(frame, n_frames, name)
            if index:
                pil.seek(index)
            deep = _png16_colour(path) if pil.format == "PNG" and index == 0 else False
            if deep:
                return _orient(_read_png16(path), pil)
            pil.load()
            return pil_to_array(pil, name)
    except ImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageError(
            f"{name} is refused as a possible decompression bomb ({exc}); if you trust the file, raise "
            f"PIL.Image.MAX_IMAGE_PIXELS before loading it (the memory check still applies)"
        ) from None
    except UnidentifiedImageError:
        raise ImageError(f"{name} is not an image file Pillow can read; convert it to PNG or JPEG") from None
    except Exception as exc:  # truncated or corrupt: Pillow's plugins raise all kinds (KeyError, TypeError...)
        raise ImageError(
            f"{name} could not be decoded ({exc}); the file may be truncated or corrupt: export it again"
        ) from None


def _frame(frame: int | None, n_frames: int, name: str) -> int:
    if frame is None:
        if n_frames > 1:
            warnings.warn(
                f"{name} has {n_frames} frames; using the first (pass frame= to load_image to choose another)",
                UserWarning,
                stacklevel=4,
            )
        return 0
    if isinstance(frame, bool) or not isinstance(frame, (int, np.integer)) or not 0 <= frame < n_frames:
        raise ImageError(f"frame={frame!r}, but {name} has {n_frames} frame(s); pass 0 to {n_frames - 1}")
    return int(frame)


def _png16_colour(path: str | os.PathLike) -> bool:
    """Whether a PNG is 16-bit colour or gray+alpha (which Pillow would cut to 8 bits), from its IHDR."""
    with open(path, "rb") as fh:
        head = fh.read(26)
    return len(head) == 26 and head[12:16] == b"IHDR" and head[24] == 16 and head[25] in (2, 4, 6)


def _read_png16(path: str | os.PathLike) -> np.ndarray:
    name = repr(str(path))
    try:
        import imagecodecs
    except ImportError:  # pragma: no cover - a core dependency
        raise ImageError(
            f"{name} is a 16-bit colour PNG, which needs imagecodecs to be read at full depth: "
            f"pip install imagecodecs (or save the file with 8 bits per channel)"
        ) from None
    try:
        arr = imagecodecs.png_decode(Path(path).read_bytes())
    except Exception as exc:  # imagecodecs' own error types
        raise ImageError(f"{name} could not be decoded ({exc}); the file may be truncated or corrupt") from None
    arr = np.asarray(arr)
    if arr.ndim == 3 and arr.shape[2] == 2:  # gray + alpha: RGBA, as for 8-bit files
        arr = np.concatenate([arr[..., :1]] * 3 + [arr[..., 1:]], axis=-1)
    return arr


def _orient(arr: np.ndarray, pil: Image.Image) -> np.ndarray:
    op = _ORIENT.get(pil.getexif().get(0x0112, 1))
    return arr if op is None else np.ascontiguousarray(op(arr if arr.ndim == 3 else arr[..., None]))


def pil_to_array(pil: Image.Image, name: str) -> np.ndarray:
    """A PIL image as an array, upright (EXIF orientation applied): gray, RGB or RGBA, 8 or 16 bits, or float.

    Parameters
    ----------
    pil : PIL.Image.Image
        Any mode.
    name : str
        How messages name it.

    Returns
    -------
    (H, W) or (H, W, C) ndarray
        ``uint8`` for 8-bit modes, ``uint16`` for 16-bit gray, ``float32`` for ``F``.
    """
    pil = ImageOps.exif_transpose(pil)
    mode = pil.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        arr = np.asarray(pil, dtype=np.int64)
        if arr.min(initial=0) < 0 or arr.max(initial=0) > 65535:
            raise ImageError(f"{name} has 32-bit integer pixels outside 0..65535; save it as 8- or 16-bit")
        return arr.astype(np.uint16)
    if mode == "F":
        return np.asarray(pil, dtype=np.float32)
    if mode in ("1", "L"):
        return np.asarray(pil.convert("L"))
    if mode == "RGB":
        return np.asarray(pil)
    if mode in ("LA", "La", "PA", "RGBa", "RGBA") or (mode == "P" and "transparency" in pil.info):
        return np.asarray(pil.convert("RGBA"))
    return np.asarray(pil.convert("RGB"))  # P, CMYK, YCbCr, LAB, HSV
