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
from ..budget import MAX_BUDGET
from ..devices import resolve_device
from ..edit.quantgrid import QuantGrid
from ..errors import CheckpointError
from ..fields import FAMILIES, build, spec_for
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
    except (ValueError, KeyError, TypeError, OverflowError) as exc:
        raise CheckpointError(f"{name} has damaged pixparam metadata ({exc!r})") from None
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"{name} was written by pixparam {meta.get('pixparam_version', '?')} (format {version}); this is "
            f"pixparam {__version__}, which reads formats up to {FORMAT_VERSION}: upgrade pixparam"
        )
    arch = _arch(meta, name)
    stored = sum(t.numel() for k, t in tensors.items() if not k.startswith(("edit.",)))
    if arch.n_params > stored:
        raise CheckpointError(
            f"{name}: the stored weights do not match its architecture (it describes {arch.n_params:,} "
            f"parameters but stores {stored:,} values); save the fit again"
        )
    image_shape = _image_shape(meta, arch, name)
    config = _field(meta, "config", dict, name)
    seconds = _number(meta.get("seconds", 0.0), "seconds", name)
    metrics = {k: _number(v, f"metrics[{k!r}]", name) for k, v in _field(meta, "metrics", dict, name, {}).items()}
    edits = _field(meta, "edits", list, name, [])
    if not all(isinstance(e, dict) for e in edits):
        raise CheckpointError(f"{name} has damaged pixparam metadata (edits are not records); save the fit again")
    try:
        seed = int(config.get("seed", 0))
        model = build(arch, seed=seed if 0 <= seed < 2**63 else 0)
        history = History.from_dict(_field(meta, "history", dict, name))
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
        raise CheckpointError(f"{name} has damaged pixparam metadata ({exc!r})") from None
    masks = {k[len(_MASK) :]: tensors.pop(k) for k in list(tensors) if k.startswith(_MASK)}
    los = {k[len(_LO) :]: tensors.pop(k) for k in list(tensors) if k.startswith(_LO)}
    steps = {k[len(_STEP) :]: tensors.pop(k) for k in list(tensors) if k.startswith(_STEP)}
    bits = _field(meta, "grids", dict, name, {})
    if not all(_whole(b, 2, 16) for b in bits.values()):
        raise _damaged(name, f"grids={bits!r} holds bit depths outside 2..16")
    grids = {n: QuantGrid(int(b), los.get(n), steps.get(n)) for n, b in bits.items()}
    try:
        model.load_state_dict(tensors, strict=True)
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()[0]
        raise CheckpointError(f"{name}: the stored weights do not match its architecture ({first})") from None
    for k, t in model.state_dict().items():
        if t.is_floating_point() and not bool(torch.isfinite(t).all()):
            bad = int((~torch.isfinite(t)).sum())
            raise CheckpointError(
                f"{name} is damaged: its tensor {k!r} holds {bad:,} NaN or infinite values (a diverged or "
                f"broken edit?); refit or re-edit from a good checkpoint"
            )
    shapes = {k: tuple(p.shape) for k, p in model.named_parameters()}
    for kind, found in (("mask", masks), ("grid", grids)):
        for k in found:
            if k not in shapes or (kind == "mask" and tuple(found[k].shape) != shapes[k]):  # type: ignore[union-attr]
                raise CheckpointError(f"{name}: its edit {kind} for {k!r} does not match any parameter of the network")
    model = model.to(resolve_device(device)).eval()
    return Fit(
        model=model,
        arch=arch,
        image_shape=image_shape,
        history=history,
        seconds=seconds,
        config=dict(config),
        metrics=metrics,
        edits=tuple(edits),
        image=None,
        masks=masks,
        grids=grids,
    )


def _damaged(name: str, what: str) -> CheckpointError:
    return CheckpointError(f"{name} has damaged pixparam metadata ({what}); it cannot be loaded: save the fit again")


def _field(meta: dict[str, Any], key: str, kind: type, name: str, default: Any = None) -> Any:
    value = meta.get(key, default)
    if not isinstance(value, kind):
        raise _damaged(name, f"{key} is {type(value).__name__}, not {kind.__name__}")
    return value


def _number(value: Any, key: str, name: str) -> float:
    if isinstance(value, bool) or (not isinstance(value, (int, float)) and value is not None):
        raise _damaged(name, f"{key} is {value!r}, not a number")
    return float("nan") if value is None else float(value)


def _whole(value: Any, lo: int, hi: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi


def _arch(meta: dict[str, Any], name: str) -> Arch:
    """The Arch the metadata describes, checked (family registered, counts consistent) before anything is built."""
    try:
        arch = Arch.from_dict(_field(meta, "arch", dict, name))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _damaged(name, repr(exc)) from None
    if not isinstance(arch.family, str) or arch.family not in FAMILIES:
        raise CheckpointError(
            f"{name} holds a {arch.family} network, a family that is not registered in this session; "
            f"import the module that defines it and pp.fields.register(its spec) before loading"
        )
    if not _whole(arch.channels, 1, 4) or arch.channels == 2:
        raise _damaged(name, f"channels={arch.channels!r}")
    if not all(_whole(w, 1, MAX_BUDGET) for w in arch.widths) or len(arch.widths) > 1024:
        raise _damaged(name, f"widths={list(arch.widths)[:8]!r}")
    if not _whole(arch.n_params, 1, MAX_BUDGET) or not _whole(arch.n_fixed, 0, MAX_BUDGET):
        raise _damaged(name, f"n_params={arch.n_params!r}, n_fixed={arch.n_fixed!r}")
    try:
        counted = spec_for(arch.family).count(arch.channels, arch.widths, arch.options)
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
        raise _damaged(name, f"its {arch.family} options do not describe a network: {exc!r}") from None
    if counted != arch.n_params:
        raise _damaged(name, f"its architecture has {counted:,} parameters, not the {arch.n_params:,} it says")
    return arch


def _image_shape(meta: dict[str, Any], arch: Arch, name: str) -> tuple[int, int, int]:
    shape = meta.get("image_shape")
    if (
        not isinstance(shape, list)
        or len(shape) != 3
        or not all(_whole(v, 1, 2**31) for v in shape)
        or min(shape[:2]) < 2
        or shape[2] != arch.channels
    ):
        raise _damaged(name, f"image_shape={shape!r} is not (H, W, {arch.channels}) with sides of at least 2")
    return int(shape[0]), int(shape[1]), int(shape[2])
