"""A sweep's tidy results table: one row per fit (and one per fit and edit), read from the fits in the store.

Columns (:data:`COLUMNS`), in order:

========== ==============================================================
image      the image's label: a sample name, or its path as the spec wrote it
size       the longest side it was fitted at (the spec's ``size``, or its own)
height     fitted image height (pixels)
width      fitted image width (pixels)
channels   1 (gray), 3 (RGB) or 4 (RGBA)
family     network family
budget     the parameter budget asked for
n_params   the network's exact trainable parameters (≤ budget)
seed       seed of initialisation and sampling
steps      optimiser steps
edit       ``""`` for the fit itself; else the edit measured on it, e.g. ``quantize(bits=8)``
psnr       PSNR (dB, data range 1) of the clipped render against the fitted image
ssim       SSIM of the same
seconds    wall time of the training loop (when the fit was trained, whichever run that was)
device     where it was trained (``cpu``, ``cuda:0``...)
key        the fit's key in the store (its checkpoint is ``FAMILY-KEY.safetensors``)
cached     ``True`` when this run found the fit in the store, ``False`` when it trained it
========== ==============================================================
"""

from __future__ import annotations

from typing import Any

from ..result import Fit
from .tasks import Task

__all__ = ["COLUMNS", "TIMING_COLUMNS", "edit_label", "rows_for"]

#: The results table's columns, in order (the module docstring says what each holds).
COLUMNS: tuple[str, ...] = (
    "image",
    "size",
    "height",
    "width",
    "channels",
    "family",
    "budget",
    "n_params",
    "seed",
    "steps",
    "edit",
    "psnr",
    "ssim",
    "seconds",
    "device",
    "key",
    "cached",
)

#: Columns that depend on the run (time, whether the store had the fit), not on the fit's result.
TIMING_COLUMNS: tuple[str, ...] = ("seconds", "cached")


def edit_label(edit: dict[str, Any]) -> str:
    """``{"edit": "quantize", "bits": 8}`` as ``"quantize(bits=8)"``.

    Parameters
    ----------
    edit : dict
        An edit of a spec.

    Returns
    -------
    str
    """
    args = ", ".join(f"{k}={v!r}" for k, v in edit.items() if k != "edit")
    return f"{edit['edit']}({args})"


def rows_for(task: Task, fit: Fit, key: str, cached: bool, edits: tuple[dict[str, Any], ...] = ()) -> list[dict]:
    """The rows of one task: the fit's, then one per edit (measured on the edited fit).

    Parameters
    ----------
    task : Task
        The task.
    fit : Fit
        Its fit, with ``fit.image`` set.
    key : str
        Its store key.
    cached : bool
        Whether this run found it in the store.
    edits : tuple of dict
        The spec's edits.

    Returns
    -------
    list of dict
        Each with every column of :data:`COLUMNS`.
    """
    from .. import edit as ed

    h, w, c = fit.image_shape
    base = {
        "image": task.image,
        "size": task.size if task.size is not None else max(h, w),
        "height": h,
        "width": w,
        "channels": c,
        "family": task.family,
        "budget": task.budget,
        "n_params": fit.n_params,
        "seed": task.seed,
        "steps": task.steps,
        "edit": "",
        "psnr": float(fit.metrics["psnr"]),
        "ssim": float(fit.metrics["ssim"]),
        "seconds": float(fit.seconds),
        "device": str(fit.config.get("device", "")),
        "key": key,
        "cached": bool(cached),
    }
    rows = [base]
    for e in edits:
        edited = getattr(ed, e["edit"])(fit, **{k: v for k, v in e.items() if k != "edit"})
        m = edited.measure(fit.image)
        rows.append({**base, "edit": edit_label(e), "psnr": float(m["psnr"]), "ssim": float(m["ssim"])})
    return rows
