"""Checkpoints: one ``.safetensors`` file holding the weights and JSON metadata.

The metadata (under the key ``"pixparam"``) holds the architecture, image
shape, training config, history, metrics, edits and versions, so
:func:`load` rebuilds the exact module without the original image.

An edited fit also stores its pruning masks (bool tensors named
``"edit.mask:<parameter>"``) and quantisation grids (``"edit.lo:<parameter>"``
and ``"edit.step:<parameter>"``, bits in the metadata under ``"grids"``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch

from .._io import write_bytes_atomic
from .._version import __version__
from ..arch import Arch
from ..devices import resolve_device
from ..edit.quantgrid import QuantGrid
from ..errors import CheckpointError
from ..fields import FAMILIES, build
from ..result import Fit, History

__all__ = ["FORMAT_VERSION", "load", "save"]

#: Version of the checkpoint layout; bumped when it changes incompatibly.
FORMAT_VERSION = 1
_KEY = "pixparam"
_MASK, _LO, _STEP = "edit.mask:", "edit.lo:", "edit.step:"


def save(fit: Fit, path: str | os.PathLike) -> Path:
    """Write ``fit`` to ``path`` as one safetensors file, atomically.

    Parameters
    ----------
    fit : Fit
        What to save (the image itself is not stored; its shape is).
    path : str or path
        Target file, conventionally ``*.safetensors``.

    Returns
    -------
    Path
        ``path``.
    """
    from safetensors.torch import save as to_bytes

    tensors = {k: v.detach().to("cpu").contiguous() for k, v in fit.model.state_dict().items()}
    for name, mask in fit.masks.items():
        tensors[_MASK + name] = mask.detach().to("cpu", torch.bool).contiguous()
    grids: dict[str, int] = {}
    for name, grid in fit.grids.items():
        grids[name] = grid.bits
        if grid.lo is not None and grid.step is not None:
            tensors[_LO + name] = grid.lo.detach().to("cpu").contiguous()
            tensors[_STEP + name] = grid.step.detach().to("cpu").contiguous()
    meta = {
        "format": "pixparam.fit",
        "format_version": FORMAT_VERSION,
        "pixparam_version": __version__,
        "torch_version": torch.__version__,
        "arch": fit.arch.to_dict(),
        "image_shape": list(fit.image_shape),
        "config": fit.config,
        "history": fit.history.to_dict(),
        "seconds": fit.seconds,
        "metrics": fit.metrics,
        "edits": list(fit.edits),
        "grids": grids,
    }
    data = to_bytes(tensors, metadata={_KEY: json.dumps(meta, allow_nan=True)})
    return write_bytes_atomic(path, data)


def load(path: str | os.PathLike, *, device: str | torch.device = "auto") -> Fit:
    """Read a checkpoint written by :meth:`Fit.save`.

    Parameters
    ----------
    path : str or path
        A pixparam ``.safetensors`` file.
    device : str or torch.device
        Where to put the model (``"auto"``: cuda, then mps, then cpu).

    Returns
    -------
    Fit
        With ``image=None``; metrics are those saved.

    Raises
    ------
    CheckpointError
        The file is missing, not safetensors, truncated, not a pixparam
        checkpoint, from a newer pixparam, or its weights do not match.
    """
    from safetensors import safe_open

    path = Path(path)
    name = repr(str(path))
    if not path.is_file():
        raise CheckpointError(f"checkpoint {name} does not exist" if not path.exists() else f"{name} is not a file")
    try:
        with safe_open(str(path), framework="pt", device="cpu") as fh:
            header = fh.metadata() or {}
            tensors = {k: fh.get_tensor(k) for k in fh.keys()}
    except Exception as exc:  # safetensors raises its own error types for bad headers
        raise CheckpointError(
            f"{name} is not a readable safetensors file ({exc}); it may be truncated or another format"
        ) from None
    if _KEY not in header:
        raise CheckpointError(
            f"{name} is a safetensors file but not a pixparam checkpoint (its metadata has no "
            f"{_KEY!r} entry); pixparam reads only files written by Fit.save"
        )
    try:
        meta: dict[str, Any] = json.loads(header[_KEY])
        version = int(meta["format_version"])
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"{name} has damaged pixparam metadata ({exc!r})") from None
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"{name} was written by pixparam {meta.get('pixparam_version', '?')} (format {version}); this is "
            f"pixparam {__version__}, which reads formats up to {FORMAT_VERSION}: upgrade pixparam"
        )
    try:
        arch = Arch.from_dict(meta["arch"])
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"{name} has damaged pixparam metadata ({exc!r})") from None
    if arch.family not in FAMILIES:
        raise CheckpointError(
            f"{name} holds a {arch.family} network, a family that is not registered in this session; "
            f"import the module that defines it and pp.fields.register(its spec) before loading"
        )
    try:
        model = build(arch, seed=int(meta["config"].get("seed", 0)))
        history = History.from_dict(meta["history"])
        image_shape = tuple(int(v) for v in meta["image_shape"])
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"{name} has damaged pixparam metadata ({exc!r})") from None
    masks = {k[len(_MASK) :]: tensors.pop(k) for k in list(tensors) if k.startswith(_MASK)}
    los = {k[len(_LO) :]: tensors.pop(k) for k in list(tensors) if k.startswith(_LO)}
    steps = {k[len(_STEP) :]: tensors.pop(k) for k in list(tensors) if k.startswith(_STEP)}
    try:
        grids = {n: QuantGrid(int(b), los.get(n), steps.get(n)) for n, b in meta.get("grids", {}).items()}
    except (ValueError, TypeError, AttributeError) as exc:
        raise CheckpointError(f"{name} has damaged pixparam metadata ({exc!r})") from None
    try:
        model.load_state_dict(tensors, strict=True)
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()[0]
        raise CheckpointError(f"{name}: the stored weights do not match its architecture ({first})") from None
    shapes = {k: tuple(p.shape) for k, p in model.named_parameters()}
    for kind, found in (("mask", masks), ("grid", grids)):
        for k in found:
            if k not in shapes or (kind == "mask" and tuple(found[k].shape) != shapes[k]):  # type: ignore[union-attr]
                raise CheckpointError(f"{name}: its edit {kind} for {k!r} does not match any parameter of the network")
    model = model.to(resolve_device(device)).eval()
    return Fit(
        model=model,
        arch=arch,
        image_shape=image_shape,  # type: ignore[arg-type]
        history=history,
        seconds=float(meta.get("seconds", 0.0)),
        config=dict(meta["config"]),
        metrics={k: float(v) for k, v in meta.get("metrics", {}).items()},
        edits=tuple(meta.get("edits", [])),
        image=None,
        masks=masks,
        grids=grids,
    )
