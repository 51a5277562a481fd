"""The capacity records at real bytes: networks packed to files, and codecs at those files' sizes.

:func:`pixparam.capacity_table` calls these with ``packed_bits``: each network
is fine-tuned at a bit depth (:func:`pixparam.edit.qat`), packed
(:func:`pixparam.pack`) and measured unpacked; JPEG, WebP, AVIF
(:func:`pixparam.codecs.at_most`) and PNG pixels
(:func:`pixparam.codecs.png_pixels_at_most`) are then measured at each file's size.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .codecs import CODECS, at_most, available, png_pixels_at_most
from .errors import ConfigError
from .result import Fit
from .store.packed import PACK_BITS

__all__ = ["at_packed_bytes", "check_packed_bits", "packed_record", "record"]

#: The top of :func:`pixparam.codecs.at_most`'s quality search: a file there no longer grows with the budget.
TOP_QUALITY = 100


def record(series: str, kind: str, budget: int, n: float, n_bytes: int, m: Any, **extra: Any) -> dict[str, Any]:
    """One capacity record: the series, its counts, and ``m``'s PSNR and SSIM, then ``extra``."""
    return {
        "series": series,
        "kind": kind,
        "budget": int(budget),
        "n": float(n),
        "n_bytes": int(n_bytes),
        "psnr": float(m.psnr),
        "ssim": float(m.ssim),
        **extra,
    }


def check_packed_bits(packed_bits: Any, qat_steps: Any) -> list[int]:
    """``packed_bits`` as a list of :data:`~pixparam.store.packed.PACK_BITS` (duplicates dropped), else a ConfigError.

    ``qat_steps`` is checked too when some bit depth is asked for.
    """
    if isinstance(packed_bits, (int, str)):
        raise ConfigError(f"packed_bits={packed_bits!r} is one value; pass a list of bit depths, e.g. [8]")
    out = []
    for b in packed_bits:
        if isinstance(b, bool) or not isinstance(b, (int, np.integer)) or b not in PACK_BITS:
            raise ConfigError(f"packed_bits={b!r}; pack takes 2 to 15 (a coded grid), 16 (float16) or 32 (float32)")
        out.append(int(b))
    if out and (isinstance(qat_steps, bool) or not isinstance(qat_steps, (int, np.integer)) or qat_steps < 1):
        raise ConfigError(f"qat_steps={qat_steps!r}; it is a whole number of fine-tuning steps, at least 1")
    return list(dict.fromkeys(out))


def packed_record(img: np.ndarray, f: Fit, budget: int, bits: int, qat_steps: int, folder: Path) -> dict[str, Any]:
    """``f`` fine-tuned at ``bits`` (none at 32), packed into ``folder``, measured from the unpacked file.

    ``n`` is the parameters, ``n_bytes`` the file's size on disk.
    """
    from .edit import qat
    from .store import pack, unpack

    seed = int(f.config.get("seed", 0))
    q = f if bits == 32 else qat(f, bits, image=img, steps=qat_steps, seed=seed, progress=False)
    path = pack(q, folder / f"{f.family}-{budget}-{bits}.ppk", bits=bits)
    back = unpack(path, device=f.device)
    back.image = img
    steps = 0 if bits == 32 else qat_steps
    size = path.stat().st_size
    return record(f"{f.family}/packed{bits}", "packed", budget, f.n_params, size, back, bits=bits, qat_steps=steps)


def at_packed_bytes(img: np.ndarray, packed: dict[str, Any], found: dict[Any, Any]) -> list[dict[str, Any]]:
    """Each codec Pillow writes, and PNG pixels, in at most a packed record's file size.

    Series ``'{codec}/packed{B}'`` (kind ``codec``) and ``'pixels/png-packed{B}'``
    (kind ``pixels``); ``n`` is ``8 * n_bytes / B``. When no file fits,
    ``no_file`` is true and ``n_bytes``, ``psnr`` and ``ssim`` are ``None``.
    ``found`` caches the files by ``(codec, bytes)`` across calls.
    """
    bits, target = packed["bits"], packed["n_bytes"]
    extra = {"bits": bits, "target_bytes": target, "family": packed["series"].split("/")[0]}
    codecs = [c for c in CODECS if available(c)] if img.shape[2] in (1, 3) else []  # no codec here stores alpha
    out = []
    for codec in (*codecs, "pixels/png"):
        if (codec, target) not in found:
            found[codec, target] = (
                png_pixels_at_most(img, target) if codec == "pixels/png" else at_most(img, target, codec)
            )
        got = found[codec, target]
        series, kind = (
            (f"pixels/png-packed{bits}", "pixels") if codec == "pixels/png" else (f"{codec}/packed{bits}", "codec")
        )
        if got is None:
            row = {"series": series, "kind": kind, "budget": int(packed["budget"]), "n": 8 * target / bits}
            out.append({**row, "n_bytes": None, "psnr": None, "ssim": None, **extra, "no_file": True})
        elif codec == "pixels/png":
            pix, size = got
            full = pix.shape == img.shape[:2]
            more = {"no_file": False, "shape": pix.shape, "n_values": pix.n_values, "saturated": full}
            out.append(record(series, kind, packed["budget"], 8 * size / bits, size, pix, **extra, **more))
        else:
            top = got.quality == TOP_QUALITY
            more = {"no_file": False, "codec": codec, "quality": got.quality, "subsampling": got.subsampling}
            n = 8 * got.n_bytes / bits
            out.append(record(series, kind, packed["budget"], n, got.n_bytes, got, **extra, **more, saturated=top))
    return out
