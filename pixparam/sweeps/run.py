""":func:`sweep`: run a spec's grid of fits on a backend, resumably, into one store and one results table."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .._io import check_distinct, check_writable, write_bytes_atomic
from ..devices import resolve_device
from ..errors import ConfigError, OutputError
from ..experiments import ExperimentResult
from ..progress import progress_bar
from ..store import Store
from .backends import get_backend
from .results import COLUMNS, rows_for
from .spec import SweepSpec, read_spec
from .tasks import Task, expand

__all__ = ["RESULTS_NAME", "sweep"]

#: The results table's file name inside ``out``.
RESULTS_NAME = "results.csv"


def sweep(
    spec: str | os.PathLike | Mapping[str, Any] | SweepSpec,
    out: str | os.PathLike | None = None,
    *,
    backend: str = "local",
    address: str | None = None,
    workers: int | None = None,
    threads: int | None = None,
    device: str = "auto",
    cache: str | os.PathLike | None = None,
    shared: bool = False,
    limit: int | None = None,
    callback: Callable[[dict[str, Any]], None] | None = None,
    progress: bool = True,
) -> ExperimentResult:
    """Fit every image × size × family × budget × seed × steps of a spec; resumable.

    Everything is checked first — the spec (every image loaded, every fit
    planned, every edit tried on an untrained network), the backend and the
    outputs — so a bad spec fails before any training. Each finished fit is
    saved in the store under its key (:func:`pixparam.cache.fit_key`); a
    rerun trains only the fits the store does not hold.

    Parameters
    ----------
    spec : path, mapping or SweepSpec
        A TOML file or its keys (:mod:`pixparam.sweeps.spec`).
    out : path, optional
        A folder: the table is written to ``out/results.csv``.
    backend : {"local", "ray"}
        ``local``: worker processes on this machine; ``ray``: tasks on a
        Ray cluster (``pip install "pixparam[ray]"``).
    address : str, optional
        Ray's cluster (``"auto"``, ``"ray://host:port"``); default the
        session this process started, else a new local one.
    workers : int, optional
        Local worker processes; default one per GPU, else one per core.
        ``1`` trains in this process.
    threads : int, optional
        Local: torch threads per worker (default cores // workers).
    device : str
        ``"auto"``, ``"cpu"`` or ``"cuda"``.
    cache : path, optional
        The store's folder; default ``out/.cache`` (with neither, the fits
        are kept only for this call).
    shared : bool
        Ray: the store folder is on storage the workers reach; they write
        the fits there instead of sending them back.
    limit : int, optional
        Train at most this many fits (the first missing ones in grid
        order), then stop: the rest are left for a rerun.
    callback : callable, optional
        ``callback(row)`` after each fit is in the store (rows of fits the
        store already held come first). Raising stops the sweep (pending
        fits are cancelled; finished ones stay in the store).
    progress : bool
        A bar with an ETA over the fits to train.

    Returns
    -------
    ExperimentResult
        ``records``: the rows of every finished fit, in grid order, with
        :data:`~pixparam.sweeps.results.COLUMNS`; ``meta``: ``trained``,
        ``cached``, ``missing`` (fits left for a rerun), ``backend``,
        ``workers``, ``threads``, ``seconds``, ``results`` (the CSV's path).

    Raises
    ------
    ConfigError
        A bad spec (the message names its line), an unknown backend, a
        setting of the other backend, or Ray missing for ``backend="ray"``.
    OutputError
        ``out`` or ``cache`` is a file.

    Examples
    --------
    >>> import tempfile, pixparam as pp
    >>> spec = {"images": "coins", "size": 16, "budgets": [200, 400], "families": "relu", "steps": 5}
    >>> out = tempfile.mkdtemp()
    >>> first = pp.sweep(spec, out, workers=1, progress=False)
    >>> again = pp.sweep(spec, out, workers=1, progress=False)
    >>> first.meta["trained"], again.meta["trained"], again.meta["cached"], [r["n_params"] for r in again.records]
    (2, 0, 2, [197, 389])
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ConfigError(f"limit={limit!r}; pass a whole number >= 0 (or leave it out)")
    runner = get_backend(backend, workers=workers, threads=threads, address=address, shared=shared)
    spec = read_spec(spec)
    out_dir = None if out is None else _folder(out, "out")
    csv_path = None if out_dir is None else out_dir / RESULTS_NAME
    if csv_path is not None:
        check_writable(csv_path)
    if csv_path is not None and spec.name != "spec":
        check_distinct({"the results table": csv_path}, {"the spec": spec.name})
    root = cache if cache is not None else (None if out_dir is None else out_dir / ".cache")
    dev = resolve_device(device)
    key_device, n_workers, n_threads = runner.plan(dev)
    tasks = expand(spec, device=key_device)
    if root is None:
        with tempfile.TemporaryDirectory() as tmp:
            return _run(spec, tasks, runner, dev, Store(tmp), None, limit, callback, progress, (n_workers, n_threads))
    store = Store(_folder(root, "cache"))
    return _run(spec, tasks, runner, dev, store, csv_path, limit, callback, progress, (n_workers, n_threads))


def _folder(path: str | os.PathLike, flag: str) -> Path:
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise OutputError(f"{flag} {str(p)!r} is a file, not a folder; pass a folder (it is created if missing)")
    p.mkdir(parents=True, exist_ok=True)
    return p


def _run(
    spec: SweepSpec,
    tasks: list[Task],
    runner: Any,
    dev: Any,
    store: Store,
    csv_path: Path | None,
    limit: int | None,
    callback: Callable[[dict[str, Any]], None] | None,
    progress: bool,
    sizes: tuple[int, int],
) -> ExperimentResult:
    start = time.monotonic()
    root = store.root
    assert root is not None
    known = frozenset(store.fit_keys())
    rows: dict[int, list[dict]] = {}

    def finish(task: Task, key: str, cached: bool) -> None:
        fit = store.get_fit(key, name=task.family, device="cpu")
        if fit is None:  # pragma: no cover  (a fit deleted while the sweep ran)
            raise OutputError(f"the fit {key} vanished from the store {str(root)!r} while the sweep ran")
        fit.image = task.pixels
        rows[task.index] = rows_for(task, fit, key, cached, spec.edits)
        if callback is not None:
            for row in rows[task.index]:
                callback(row)

    todo = []
    for task in tasks:
        if task.key is not None and task.key in known:
            finish(task, task.key, True)
        else:
            todo.append(task)
    if limit is not None and all(t.key is not None for t in todo):
        todo = todo[:limit]
    trained = 0
    try:
        with progress_bar(len(todo), "sweep", "fit", progress=progress) as bar:
            for outcome in runner.run(todo, dev, known, str(root)):
                task = tasks[outcome.index]
                if outcome.data is not None:
                    path = store.path("fit", f"{task.family}-{outcome.key}", ".safetensors")
                    path.parent.mkdir(parents=True, exist_ok=True)
                    write_bytes_atomic(path, outcome.data)
                trained += outcome.trained
                finish(task, outcome.key, not outcome.trained)
                bar.update(1)
                if limit is not None and trained >= limit:
                    break
    finally:
        records = [r for i in sorted(rows) for r in rows[i]]
        cached = sum(1 for i in rows if rows[i][0]["cached"])
        meta = {
            "trained": trained,
            "cached": cached,
            "missing": len(tasks) - len(rows),
            "tasks": len(tasks),
            "backend": runner.name,
            "workers": sizes[0],
            "threads": sizes[1],
            "device": str(dev),
            "seconds": time.monotonic() - start,
            "spec": spec.name,
            "store": str(root),
            "results": None if csv_path is None else str(csv_path),
        }
        result = ExperimentResult("sweep", records, COLUMNS, meta=meta)
        if csv_path is not None:
            result.save_csv(csv_path)
    return result
