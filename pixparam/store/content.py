"""One content-addressed store for everything that takes training to make: fits, experiment units, films.

An entry lives under a key hashed from what decides it — for a fit: the
points' digest, the architecture, :meth:`TrainConfig.key`, the initial
weights' digest and the pixparam version (:func:`fit_key`) — so asking again
for the same thing loads it instead of training, and an interrupted job
resumes where it stopped. Fits are checkpoints (``.safetensors``), records
JSON, arrays ``.npz``; every write is atomic (temp file, fsync, rename), and
arrays are written before the JSON that vouches for them.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .._io import write_bytes_atomic
from .._version import __version__
from ..arch import Arch
from ..errors import CheckpointError, OutputError
from .checkpoint import load, save

__all__ = ["Store", "digest", "fit_key", "state_digest"]


def digest(obj: Any) -> str:
    """SHA-256 (hex) of a JSON-able object (sorted keys; numpy scalars and non-finite floats encoded).

    Parameters
    ----------
    obj : object
        Dicts, lists, strings, numbers (anything else is hashed as its ``str``).

    Returns
    -------
    str
        64 hex digits.
    """
    return hashlib.sha256(json.dumps(finite(obj), sort_keys=True, default=str).encode()).hexdigest()


def state_digest(model: torch.nn.Module) -> str:
    """SHA-256 of a module's state dict (names, shapes, dtypes, bytes): what initial weights key by.

    Parameters
    ----------
    model : torch.nn.Module
        Any module; its tensors are read on the CPU.

    Returns
    -------
    str
        64 hex digits.
    """
    h = hashlib.sha256()
    for name, t in sorted(model.state_dict().items()):
        a = t.detach().cpu().contiguous()
        h.update(f"{name}{tuple(a.shape)}{a.dtype}".encode())
        h.update(a.numpy().tobytes())
    return h.hexdigest()


def fit_key(points_digest: str, arch: Arch, cfg_key: Mapping[str, Any], init: str | None = None) -> str:
    """The key of a fit: points, architecture, the settings that decide it, initial weights, version (20 hex).

    Parameters
    ----------
    points_digest : str
        :meth:`pixparam.Points.digest` of the training points.
    arch : Arch
        The architecture.
    cfg_key : mapping
        :meth:`pixparam.TrainConfig.key`: the settings that decide the result.
    init : str, optional
        :func:`state_digest` of the initial weights when they are not the
        seed's (``init_from``).

    Returns
    -------
    str
    """
    spec = {
        "points": points_digest,
        "arch": arch.to_dict(),
        "config": dict(cfg_key),
        "init": init,
        "pixparam": __version__,
    }
    return digest(spec)[:20]


class Store:
    """A folder of finished work, addressed by content keys.

    Parameters
    ----------
    root : str or path, optional
        The folder (created when needed). ``None`` stores nothing: every
        lookup misses and every put is dropped.

    Attributes
    ----------
    hits, misses : int
        Lookups answered from the folder, and lookups that were not.

    Examples
    --------
    >>> import tempfile
    >>> store = Store(tempfile.mkdtemp())
    >>> store.put_records("demo", "k1", [{"psnr": float("inf")}])
    >>> store.get_records("demo", "k1"), store.hits
    (([{'psnr': inf}], {}), 1)
    """

    def __init__(self, root: str | os.PathLike | None) -> None:
        self.root = None if root is None else Path(root)
        if self.root is not None and self.root.exists() and not self.root.is_dir():
            raise OutputError(f"store folder {str(self.root)!r} is a file, not a folder; pass a folder for the results")
        self.hits = 0
        self.misses = 0

    def path(self, kind: str, key: str, suffix: str) -> Path:
        """Where entry ``key`` of ``kind`` (``"fit"``, an experiment's name, ``"film"``) is or would be.

        Parameters
        ----------
        kind : str
            ``"fit"`` (in the folder itself) or a subfolder's name.
        key : str
            The entry's key.
        suffix : str
            The file suffix, e.g. ``".safetensors"``.

        Returns
        -------
        Path

        Raises
        ------
        CheckpointError
            The store has no folder.
        """
        if self.root is None:
            raise CheckpointError("this Store has no folder (root=None); give it one to keep results")
        folder = self.root if kind == "fit" else self.root / kind
        return folder / f"{key}{suffix}"

    # ----------------------------------------------------------------- fits

    def get_fit(self, key: str, *, name: str = "fit", device: str | torch.device = "auto") -> Any:
        """The stored Fit, or ``None`` (a missing or damaged file counts as missing).

        Parameters
        ----------
        key : str
            E.g. :func:`fit_key`.
        name : str
            A prefix of the file name (the family, say).
        device : str or torch.device
            Where to load the model.

        Returns
        -------
        Fit or None
        """
        if self.root is None:
            self.misses += 1
            return None
        path = self.path("fit", f"{name}-{key}", ".safetensors")
        if not path.exists():
            self.misses += 1
            return None
        try:
            fit = load(path, device=device)
        except CheckpointError:
            self.misses += 1
            return None
        self.hits += 1
        return fit

    def put_fit(self, key: str, fit: Any, *, name: str = "fit") -> Path | None:
        """Save ``fit`` under ``key`` (atomically); nothing without a folder.

        Parameters
        ----------
        key : str
            E.g. :func:`fit_key`.
        fit : Fit
            What to keep.
        name : str
            A prefix of the file name.

        Returns
        -------
        Path or None
            The checkpoint written.
        """
        if self.root is None:
            return None
        path = self.path("fit", f"{name}-{key}", ".safetensors")
        path.parent.mkdir(parents=True, exist_ok=True)
        return save(fit, path)

    def has_fit(self, key: str, *, name: str = "fit") -> bool:
        """Whether :meth:`get_fit` would find ``key`` (without loading or counting it).

        Parameters
        ----------
        key : str
            The fit's key.
        name : str
            The file name's prefix.

        Returns
        -------
        bool
        """
        return self.root is not None and self.path("fit", f"{name}-{key}", ".safetensors").exists()

    def fit_keys(self) -> set[str]:
        """The keys of every fit the folder holds (whatever the name prefix), without loading any.

        Returns
        -------
        set of str
            Empty without a folder.
        """
        if self.root is None or not self.root.is_dir():
            return set()
        return {p.stem.rsplit("-", 1)[-1] for p in self.root.glob("*.safetensors")}

    # ----------------------------------------------------------------- records and arrays

    @staticmethod
    def unit_key(kind: str, settings: Mapping[str, Any], images: Sequence[np.ndarray]) -> str:
        """The key of a unit of work: its kind, settings, the images' bytes and shapes, and the version (32 hex).

        Parameters
        ----------
        kind : str
            The experiment (or other producer) of the unit.
        settings : mapping
            Everything that decides the unit's result, JSON-able.
        images : sequence of ndarray
            The images it reads (hashed as float32).

        Returns
        -------
        str
        """
        shots = []
        for img in images:
            a = np.ascontiguousarray(img, dtype=np.float32)
            shots.append([list(a.shape), hashlib.sha256(a.tobytes()).hexdigest()])
        return digest({"kind": kind, "settings": dict(settings), "images": shots, "pixparam": __version__})[:32]

    def get_records(self, kind: str, key: str) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]] | None:
        """A finished unit's records and arrays, or ``None`` when it has not finished (or its files are damaged).

        Parameters
        ----------
        kind : str
            The subfolder.
        key : str
            E.g. :meth:`unit_key`.

        Returns
        -------
        (list of dict, dict of str to ndarray) or None
        """
        if self.root is None:
            self.misses += 1
            return None
        rec_path, arr_path = self.path(kind, key, ".json"), self.path(kind, key, ".npz")
        try:
            records = [from_json(r) for r in json.loads(rec_path.read_text())["records"]]
            arrays: dict[str, np.ndarray] = {}
            if arr_path.exists():
                with np.load(arr_path) as z:
                    arrays = {k: z[k] for k in z.files}
        except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile):
            self.misses += 1
            return None
        self.hits += 1
        return records, arrays

    def put_records(
        self,
        kind: str,
        key: str,
        records: list[dict[str, Any]],
        arrays: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        """Store a finished unit: arrays first, so a readable JSON always has its arrays.

        Parameters
        ----------
        kind : str
            The subfolder.
        key : str
            E.g. :meth:`unit_key`.
        records : list of dict
            JSON-able rows (non-finite numbers are encoded, see :func:`finite`).
        arrays : mapping of str to ndarray, optional
            Saved beside them as ``.npz``.
        """
        if self.root is None:
            return
        rec_path, arr_path = self.path(kind, key, ".json"), self.path(kind, key, ".npz")
        rec_path.parent.mkdir(parents=True, exist_ok=True)
        if arrays:
            buf = io.BytesIO()
            np.savez_compressed(buf, **dict(arrays))
            write_bytes_atomic(arr_path, buf.getvalue())
        text = json.dumps({"records": finite(records)}, allow_nan=False)
        write_bytes_atomic(rec_path, text.encode())


def finite(obj: Any) -> Any:
    """Replace NaN by ``None``, infinities by ``{"nonfinite": "inf"}`` and numpy scalars by Python ones.

    Parameters
    ----------
    obj : object
        Dicts, lists and tuples are walked; anything else is returned as is.

    Returns
    -------
    object
        Strict JSON can hold it.
    """
    if isinstance(obj, Mapping):
        return {str(k): finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return {"nonfinite": repr(obj)} if math.isinf(obj) else None
    return obj


def from_json(obj: Any) -> Any:
    """Undo :func:`finite`'s encoding of infinities (``None`` reads back as NaN in records).

    Parameters
    ----------
    obj : object
        What ``json.loads`` read.

    Returns
    -------
    object
    """
    if isinstance(obj, Mapping):
        if set(obj) == {"nonfinite"}:
            return float(obj["nonfinite"])
        return {k: (math.nan if v is None else from_json(v)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [from_json(v) for v in obj]
    return obj
