"""Capacity: quality against number of values, for networks, pixels and JPEG, as records.

:func:`capacity_table` measures every family, pixels (equal values and equal
bytes) and JPEG (equal bytes) at every budget, and on request each network
packed to a real file (:func:`pixparam.pack`) beside the codecs at that file's
bytes; :func:`power_law` fits
``quality = a + b·log10 N`` per series (a power law in the MSE for PSNR) and
:func:`crossovers` reads off where a family overtakes pixels. Drawing lives in
:mod:`pixparam.figures.curves`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import budget as _budget
from ._bytes_series import at_packed_bytes, check_packed_bits, packed_record, record
from .budget import parse_budget
from .errors import BudgetError, ConfigError, ImageError
from .images import ImageSource, load_image
from .jpeg import QUALITIES, jpeg_at_most
from .laws import PIXELS, crossovers, law_crossing, power_law, series_names, series_points
from .pixels import check_param_bits, pixelate
from .result import Fit

__all__ = [
    "PIXELS",
    "capacity_table",
    "crossovers",
    "law_crossing",
    "power_law",
    "resolve_families",
    "save_table",
    "series_label",
    "series_names",
    "series_points",
]


def _bits_series(kind: str, bits: int) -> str:
    return f"{kind}/bits{bits}"


#: Codec names as people write them.
_CODEC_NAMES = {"jpeg": "JPEG", "webp": "WebP", "avif": "AVIF", "pixels/png": "pixels (PNG)"}


def series_label(series: str) -> str:
    """A legend label for a series key (``'pixels/bits32'`` -> ``'pixels, equal bytes (32-bit params)'``).

    Parameters
    ----------
    series : str
        A record's ``series``: a family name, ``'pixels/values'``,
        ``'pixels/bitsB'``, ``'jpeg/bitsB'``, a packed network
        ``'siren/packedB'`` (-> ``'siren, packed 8-bit'``), or a codec at the
        packed networks' bytes, ``'webp/packedB'`` or ``'pixels/png-packedB'``
        (-> ``'WebP at 8-bit packed bytes'``).

    Returns
    -------
    str
    """
    if series == PIXELS:
        return "pixels, equal values"
    if "/bits" in series:
        kind, bits = series.split("/bits")
        name = "JPEG" if kind == "jpeg" else "pixels"
        return f"{name}, equal bytes ({bits}-bit params)"
    if "packed" in series:
        kind, bits = series.rsplit("packed", 1)
        kind = kind.rstrip("/-")
        if kind in _CODEC_NAMES:
            return f"{_CODEC_NAMES[kind]} at {bits}-bit packed bytes"
        return f"{kind}, packed {bits}-bit"
    return series


def resolve_families(families: Sequence[str] | None) -> tuple[str, ...]:
    """``families`` as a tuple, ``None`` meaning every registered family (read now, not at import).

    Parameters
    ----------
    families : sequence of str or None
        Family names, or ``None`` for all of :data:`pixparam.FAMILIES`.

    Returns
    -------
    tuple of str

    Raises
    ------
    ConfigError
        A name is not a registered family, or ``families`` is a single string.
    """
    known = tuple(_budget.FAMILIES)
    if families is None:
        return known
    if isinstance(families, str):
        raise ConfigError(f"families={families!r} is one string; pass a list of names, e.g. [{families!r}]")
    names = tuple(families)
    unknown = [f for f in names if f not in known]
    if unknown:
        raise ConfigError(f"unknown families {unknown}; choose from {', '.join(known)}")
    return names


def _find_fit(fits: Sequence[Fit], family: str, budget: int) -> Fit | None:
    for f in fits:
        if f.family == family and (f.arch.budget == budget or (f.arch.budget is None and f.n_params == budget)):
            return f
    return None


def capacity_table(
    image: ImageSource,
    budgets: Sequence[int | str],
    families: Sequence[str] | None = None,
    *,
    fits: Sequence[Fit] = (),
    param_bits: Sequence[int] = (32,),
    jpeg: bool = True,
    packed_bits: Sequence[int] = (),
    qat_steps: int = 300,
    keep_packed: str | os.PathLike | None = None,
    **fit_kwargs: Any,
) -> list[dict[str, Any]]:
    """Measure every family, pixels and JPEG at every budget; optionally packed networks and codecs at their bytes.

    Parameters
    ----------
    image : path, sample name, PIL image or ndarray
        The image, at the size to fit.
    budgets : sequence of int or str
        Parameter budgets (``"1k"``, ``4096``...).
    families : sequence of str, optional
        Network families to include; default every registered family
        (:data:`pixparam.FAMILIES`).
    fits : sequence of Fit
        Fits already made (matched by family and planned budget); only the
        missing ``(family, budget)`` pairs are trained.
    param_bits : sequence of int
        Bits per parameter for the equal-bytes baselines (32; add 16 for a
        half-precision cast).
    jpeg : bool
        Include JPEG at the parameters' number of bytes.
    packed_bits : sequence of int
        Bit depths (:data:`~pixparam.store.packed.PACK_BITS`) at which every
        network is also fine-tuned (:func:`pixparam.edit.qat`; at 32 bits
        none), packed (:func:`pixparam.pack`) and measured unpacked; each
        codec that Pillow writes and PNG pixels are then measured at each
        packed file's size. Default none: the records are those of a call
        without it.
    qat_steps : int
        Fine-tuning steps for each packed bit depth below 32.
    keep_packed : path, optional
        A folder (made if missing) to keep the packed files in, as
        ``{family}-{budget}-{bits}.ppk`` (each packed record's ``file``), so
        a caller can show them without fine-tuning again; default a
        temporary folder, removed before returning.
    **fit_kwargs
        Passed to :func:`pixparam.fit` for missing fits (``steps``, ``seed``...).

    Returns
    -------
    list of dict
        One record per series and budget: ``series``, ``kind``
        (``network``/``pixels``/``jpeg``), ``budget``, ``n`` (values, or for
        equal-bytes baselines the parameters those bytes hold:
        ``8 * n_bytes / param_bits``), ``n_bytes``, ``psnr``, ``ssim`` and
        details (``arch``, ``shape``, ``quality``); ``saturated`` marks pixels
        at the image's full resolution and JPEG at quality 100, which laws and
        crossovers leave out.

        With ``packed_bits``, per budget also: ``'{family}/packed{B}'``
        (kind ``packed``): ``n`` the parameters, ``n_bytes`` the packed file's
        size on disk, ``psnr``/``ssim`` of the unpacked fit, ``bits``; and
        ``'{codec}/packed{B}'`` (kind ``codec``: jpeg, webp, avif) and
        ``'pixels/png-packed{B}'`` (kind ``pixels``), one record per packed
        file: ``target_bytes`` (that file's size), ``family`` (whose file),
        ``n_bytes`` (the codec's file, ``<= target_bytes``), ``n`` (the
        ``B``-bit parameters those bytes hold, ``8 * n_bytes / B``). When no
        file fits, ``no_file`` is true and ``n_bytes``, ``psnr`` and ``ssim``
        are ``None``. One codec series per codec and bit depth, over every
        family's files, so it reads as the codec's own rate–distortion curve.

    Raises
    ------
    BudgetError
        ``budgets`` is empty or holds something that is not a budget.
    ConfigError
        An unknown family, ``param_bits`` not in :data:`pixparam.pixels.PARAM_BITS`,
        ``packed_bits`` not in :data:`pixparam.store.packed.PACK_BITS` or ``qat_steps``
        not a positive whole number (all before any training).
    ImageError
        A given fit was made on an image of another shape.
    """
    from .training import fit as fit_one

    img = load_image(image)
    values = sorted({parse_budget(b) for b in budgets})
    if not values:
        raise BudgetError("budgets is empty; pass at least one budget, e.g. ['1k', '4k']")
    families = resolve_families(families)
    param_bits = [check_param_bits(b) for b in param_bits]  # before any training
    packed_bits = check_packed_bits(packed_bits, qat_steps)
    fit_kwargs.setdefault("progress", False)
    records: list[dict[str, Any]] = []
    with contextlib.ExitStack() as stack:
        if keep_packed is None:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="pixparam-packed-"))
        else:
            tmp = Path(keep_packed)
            tmp.mkdir(parents=True, exist_ok=True)
        found: dict[Any, Any] = {}  # codec files by (codec, bytes): families often pack to the same size
        for budget in values:
            packed: list[dict[str, Any]] = []
            for family in families:
                f = _find_fit(fits, family, budget) or fit_one(img, budget, family, **fit_kwargs)
                if f.image_shape != img.shape:
                    raise ImageError(f"a {family} fit was made on a {f.image_shape} image, not this {img.shape} one")
                arch = f.arch.describe()
                records.append(record(family, "network", budget, f.n_params, 4 * f.n_params, f, arch=arch))
                for bits in packed_bits:
                    packed.append(packed_record(img, f, budget, bits, qat_steps, Path(tmp)))
                    if keep_packed is not None:
                        packed[-1]["file"] = f"{family}-{budget}-{bits}.ppk"
                    records.append(packed[-1])
            records += _baselines(img, budget, param_bits, jpeg)
            for p in packed:
                records += at_packed_bytes(img, p, found)
    return records


def _baselines(img: np.ndarray, budget: int, param_bits: Sequence[int], jpeg: bool) -> list[dict[str, Any]]:
    """Pixels at equal values and equal bytes, and JPEG at equal bytes, at one budget."""
    records = []
    pix = pixelate(img, budget, match="values")
    full = pix.shape == img.shape[:2]
    records.append(
        record(PIXELS, "pixels", budget, pix.n_values, 4 * pix.n_values, pix, shape=pix.shape, saturated=full)
    )
    for bits in param_bits:
        pix = pixelate(img, budget, match="bits", param_bits=bits)
        n = 8 * pix.n_values / bits
        records.append(
            record(
                _bits_series("pixels", bits),
                "pixels",
                budget,
                n,
                pix.n_values,
                pix,
                shape=pix.shape,
                saturated=pix.shape == img.shape[:2],
            )
        )
        if jpeg and img.shape[2] in (1, 3):  # JPEG holds no alpha: RGBA images get no JPEG series
            try:
                j = jpeg_at_most(img, budget * bits // 8)
            except BudgetError:
                continue  # headers alone exceed the budget: no point
            n = 8 * j.n_bytes / bits
            records.append(
                record(
                    _bits_series("jpeg", bits),
                    "jpeg",
                    budget,
                    n,
                    j.n_bytes,
                    j,
                    quality=j.quality,
                    saturated=j.quality == max(QUALITIES),
                )
            )
    return records


def save_table(records: Sequence[dict[str, Any]], path: str | os.PathLike, **meta: Any) -> Path:
    """Write records (and any ``meta`` such as the command or steps) as JSON, atomically.

    Infinite PSNRs (lossless points) are written as ``null``: the file is strict JSON.

    Parameters
    ----------
    records : sequence of dict
        As :func:`capacity_table` returns them.
    path : str or path
        The ``.json`` file to write.
    **meta
        Anything JSON can hold, stored under ``"meta"`` beside the records
        and their :func:`crossovers`.

    Returns
    -------
    Path
    """
    from ._io import write_json_atomic

    payload = {"meta": meta, "records": list(records), "crossovers": crossovers(records) if records else {}}
    return write_json_atomic(path, payload)  # lossless PSNRs are written as null
