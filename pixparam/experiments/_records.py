"""Tidy experiment results (records saved as JSON/CSV) and a per-unit result cache.

An experiment is a list of *units* of work (one training run each). A
:class:`Cache` stores each finished unit's records, and any arrays a figure
needs, under a key hashing the experiment name, the unit's settings, the image
bytes and the pixparam version; a rerun reuses finished units and an
interrupted run resumes where it stopped. Every write is atomic.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._io import write_bytes_atomic
from .._version import __version__

__all__ = ["Cache", "ExperimentResult", "load_result"]

Record = dict[str, Any]


@dataclass
class ExperimentResult:
    """What an experiment returns: tidy records plus derived tables.

    Attributes
    ----------
    name : str
        ``"crowding"``, ``"generalisation"`` or ``"scaling"``.
    records : list of dict
        One row per measurement; the experiment's docstring lists the columns.
    columns : tuple of str
        Column order for CSV (every record has every column).
    tables : dict of str to list of dict
        Derived tables (fits, exchange rates, frontier...), saved in the JSON.
    meta : dict
        Settings, pixparam version, units trained and reused from the cache.
    images : dict of str to ndarray
        Arrays figures draw (reconstructions); not saved in JSON/CSV.
    """

    name: str
    records: list[Record]
    columns: tuple[str, ...]
    tables: dict[str, list[Record]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    images: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def select(self, **where: Any) -> list[Record]:
        """Records whose columns equal every given value, e.g. ``select(method="pixels")``."""
        return [r for r in self.records if all(r.get(k) == v for k, v in where.items())]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: name, meta, columns, records and tables (non-finite numbers as ``null``)."""
        return _finite(
            {
                "name": self.name,
                "meta": self.meta,
                "columns": list(self.columns),
                "records": self.records,
                "tables": self.tables,
            }
        )

    def save_json(self, path: str | os.PathLike) -> Path:
        """Write :meth:`to_dict` as JSON, atomically."""
        text = json.dumps(self.to_dict(), indent=1, allow_nan=False)
        return write_bytes_atomic(path, (text + "\n").encode())

    def save_csv(self, path: str | os.PathLike) -> Path:
        """Write the records (one row each, :attr:`columns` in order) as CSV, atomically."""
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(self.columns), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for r in self.records:
            writer.writerow({k: _csv_value(r.get(k)) for k in self.columns})
        return write_bytes_atomic(path, buf.getvalue().encode())


def load_result(path: str | os.PathLike) -> ExperimentResult:
    """Read a result written by :meth:`ExperimentResult.save_json` (images are not stored).

    Raises
    ------
    ValueError
        The file is not an experiment result.
    """
    try:
        d = json.loads(Path(path).read_text())
        return ExperimentResult(
            name=d["name"],
            records=[_from_json(r) for r in d["records"]],
            columns=tuple(d["columns"]),
            tables={k: [_from_json(r) for r in v] for k, v in d.get("tables", {}).items()},
            meta=d.get("meta", {}),
        )
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(
            f"{str(path)!r} is not a pixparam experiment result ({exc}); write it with save_json"
        ) from None


class Cache:
    """Finished units of work on disk, one JSON file (and optional ``.npz``) per unit.

    Parameters
    ----------
    root : path or None
        Cache folder (created when needed). ``None`` disables caching: every
        lookup misses and nothing is written.
    """

    def __init__(self, root: str | os.PathLike | None) -> None:
        self.root = None if root is None else Path(root)
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(experiment: str, settings: Mapping[str, Any], images: Sequence[np.ndarray]) -> str:
        """Hex digest of (experiment, settings, image bytes and shapes, pixparam version)."""
        h = hashlib.sha256()
        h.update(json.dumps({"experiment": experiment, "version": __version__}, sort_keys=True).encode())
        h.update(json.dumps(_finite(dict(settings)), sort_keys=True, default=str).encode())
        for img in images:
            a = np.ascontiguousarray(img, dtype=np.float32)
            h.update(str(a.shape).encode())
            h.update(a.tobytes())
        return h.hexdigest()[:32]

    def _paths(self, experiment: str, key: str) -> tuple[Path, Path]:
        assert self.root is not None
        folder = self.root / experiment
        return folder / f"{key}.json", folder / f"{key}.npz"

    def get(self, experiment: str, key: str) -> tuple[list[Record], dict[str, np.ndarray]] | None:
        """The unit's records and arrays, or ``None`` when it has not finished yet."""
        if self.root is None:
            self.misses += 1
            return None
        rec_path, arr_path = self._paths(experiment, key)
        try:
            records = [_from_json(r) for r in json.loads(rec_path.read_text())["records"]]
            arrays: dict[str, np.ndarray] = {}
            if arr_path.exists():
                with np.load(arr_path) as z:
                    arrays = {k: z[k] for k in z.files}
        except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile):
            self.misses += 1
            return None  # missing, or a damaged file: recompute
        self.hits += 1
        return records, arrays

    def put(
        self, experiment: str, key: str, records: list[Record], arrays: Mapping[str, np.ndarray] | None = None
    ) -> None:
        """Store a finished unit (arrays first, so a readable JSON always has its arrays)."""
        if self.root is None:
            return
        rec_path, arr_path = self._paths(experiment, key)
        rec_path.parent.mkdir(parents=True, exist_ok=True)
        if arrays:
            buf = io.BytesIO()
            np.savez_compressed(buf, **dict(arrays))
            write_bytes_atomic(arr_path, buf.getvalue())  # fsynced before the JSON that vouches for it
        text = json.dumps({"records": _finite(records)}, allow_nan=False)
        write_bytes_atomic(rec_path, text.encode())


def _finite(obj: Any) -> Any:
    """Replace NaN/inf floats by ``None`` and numpy scalars by Python ones, recursively."""
    if isinstance(obj, Mapping):
        return {str(k): _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return {"nonfinite": repr(obj)} if math.isinf(obj) else None
    return obj


def _from_json(obj: Any) -> Any:
    """Undo :func:`_finite`'s encoding of infinities (``None`` reads back as NaN in records)."""
    if isinstance(obj, Mapping):
        if set(obj) == {"nonfinite"}:
            return float(obj["nonfinite"])
        return {k: (math.nan if v is None else _from_json(v)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_from_json(v) for v in obj]
    return obj


def _csv_value(v: Any) -> Any:
    if isinstance(v, float) and math.isnan(v):
        return ""
    return v
