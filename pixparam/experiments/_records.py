"""Tidy experiment results: records saved as JSON/CSV, and reading them back.

An experiment is a list of *units* of work (one training run each); the one
:class:`~pixparam.store.Store` keeps each finished unit's records and arrays,
so a rerun reuses finished units and an interrupted run resumes.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._io import write_bytes_atomic
from ..errors import CheckpointError
from ..store import Store, finite, from_json

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
        """Records whose columns equal every given value, e.g. ``select(method="pixels")``.

        Parameters
        ----------
        **where
            Column names and the values they must equal.

        Returns
        -------
        list of dict
            The matching records, in order.
        """
        return [r for r in self.records if all(r.get(k) == v for k, v in where.items())]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: name, meta, columns, records and tables (non-finite numbers as ``null``)."""
        return finite(
            {
                "name": self.name,
                "meta": self.meta,
                "columns": list(self.columns),
                "records": self.records,
                "tables": self.tables,
            }
        )

    def save_json(self, path: str | os.PathLike) -> Path:
        """Write :meth:`to_dict` as JSON, atomically.

        Parameters
        ----------
        path : str or path
            The ``.json`` file; :func:`load_result` reads it back.

        Returns
        -------
        Path
        """
        text = json.dumps(self.to_dict(), indent=1, allow_nan=False)
        return write_bytes_atomic(path, (text + "\n").encode())

    def save_csv(self, path: str | os.PathLike) -> Path:
        """Write the records (one row each, :attr:`columns` in order) as CSV, atomically.

        Parameters
        ----------
        path : str or path
            The ``.csv`` file (NaN is written as an empty cell).

        Returns
        -------
        Path
        """
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(self.columns), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for r in self.records:
            writer.writerow({k: _csv_value(r.get(k)) for k in self.columns})
        return write_bytes_atomic(path, buf.getvalue().encode())


def load_result(path: str | os.PathLike) -> ExperimentResult:
    """Read a result written by :meth:`ExperimentResult.save_json` (images are not stored).

    Parameters
    ----------
    path : str or path
        The ``.json`` file.

    Returns
    -------
    ExperimentResult

    Raises
    ------
    CheckpointError
        The file is not an experiment result (a ValueError).
    """
    try:
        d = json.loads(Path(path).read_text())
        return ExperimentResult(
            name=d["name"],
            records=[from_json(r) for r in d["records"]],
            columns=tuple(d["columns"]),
            tables={k: [from_json(r) for r in v] for k, v in d.get("tables", {}).items()},
            meta=d.get("meta", {}),
        )
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise CheckpointError(
            f"{str(path)!r} is not a pixparam experiment result ({exc}); write it with save_json"
        ) from None


def _csv_value(v: Any) -> Any:
    if isinstance(v, float) and math.isnan(v):
        return ""
    return v


class Cache(Store):
    """Deprecated: experiments keep their units in :class:`pixparam.store.Store`.

    ``key`` is ``unit_key``; ``get`` and ``put`` are ``get_records`` and
    ``put_records``. Creating one warns.

    Parameters
    ----------
    root : str, path or None
        The store's folder (``None``: keep nothing).
    """

    def __init__(self, root: str | os.PathLike | None) -> None:
        warnings.warn(
            "pixparam.experiments.Cache is deprecated; use pixparam.Store (unit_key, get_records, put_records)",
            DeprecationWarning,
            stacklevel=2,
        )
        super().__init__(root)

    key = staticmethod(Store.unit_key)

    def get(self, experiment: str, key: str) -> tuple[list[Record], dict[str, np.ndarray]] | None:
        """Deprecated: :meth:`~pixparam.store.Store.get_records`.

        Parameters
        ----------
        experiment, key : str
            As for ``get_records(kind, key)``.

        Returns
        -------
        (list of dict, dict of str to ndarray) or None
        """
        return self.get_records(experiment, key)

    def put(
        self, experiment: str, key: str, records: list[Record], arrays: Mapping[str, np.ndarray] | None = None
    ) -> None:
        """Deprecated: :meth:`~pixparam.store.Store.put_records`.

        Parameters
        ----------
        experiment, key, records, arrays
            As for ``put_records(kind, key, records, arrays)``.
        """
        self.put_records(experiment, key, records, arrays)
