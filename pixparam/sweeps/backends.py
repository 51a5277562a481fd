"""Where a sweep's fits run: ``local`` worker processes, or tasks on a Ray cluster.

Both backends run the same function, :func:`run_task`, on each task: it
computes the fit's key (when the driver could not), skips a fit whose key the
store already holds, trains it through :func:`pixparam.fit` otherwise, and
returns the checkpoint's bytes for the driver to write into its store (or
writes it into a store folder the workers share). Each worker trains with a
fixed number of torch threads, so the same seed gives the same bits on either
backend.

- :class:`LocalBackend`: one process per core (on a CPU) or per GPU, started
  with ``spawn``; ``workers=1`` runs in the calling process.
- :class:`RayBackend`: one Ray task per fit, ``num_gpus=1`` on a cluster with
  GPUs; needs the ``ray`` extra (``pip install "pixparam[ray]"``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ..errors import ConfigError
from .tasks import Task, task_key

__all__ = ["BACKENDS", "LocalBackend", "Outcome", "RayBackend", "cpu_cores", "get_backend", "run_task"]

#: The backends :func:`pixparam.sweep` takes.
BACKENDS: tuple[str, ...] = ("local", "ray")

_WORKER_DEVICE: list[str] = []  # a local worker's own GPU ("cuda:i"), set when it starts


@dataclass
class Outcome:
    """What a worker returns for one task.

    Attributes
    ----------
    index : int
        The task's index.
    key : str
        The fit's store key.
    data : bytes or None
        The checkpoint (``None`` when the store already held the fit, or the
        worker wrote it into a shared store).
    trained : bool
        Whether the worker trained the fit (``False``: its key was in the store).
    device : str
        Where it trained.
    """

    index: int
    key: str
    data: bytes | None
    trained: bool
    device: str


def cpu_cores() -> int:
    """CPU cores this process may use (its affinity where the OS says, else ``os.cpu_count()``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover  (macOS, Windows)
        return max(1, os.cpu_count() or 1)


def run_task(task: Task, device: str, threads: int, known: frozenset[str], store_root: str | None) -> Outcome:
    """Train one task's fit (unless its key is in ``known``) and return it as checkpoint bytes.

    Parameters
    ----------
    task : Task
        The fit to make.
    device : str
        ``"cpu"`` or ``"cuda"`` (a local GPU worker uses its own GPU).
    threads : int
        Torch threads to train with (the caller's count is restored after).
    known : frozenset of str
        Keys the store holds, for tasks whose key the driver could not compute.
    store_root : str or None
        A store folder this worker can write (shared storage): the checkpoint
        is saved there instead of returned.

    Returns
    -------
    Outcome
    """
    from ..store import Store
    from ..training import fit

    if device.startswith("cuda") and _WORKER_DEVICE:
        device = _WORKER_DEVICE[0]
    key = task.key or task_key(task, device)
    if key in known:
        return Outcome(task.index, key, None, False, device)
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        result = fit(task.pixels, task.budget, task.family, **task.fit_kwargs(device))
    finally:
        torch.set_num_threads(before)
    if store_root is not None:
        Store(store_root).put_fit(key, result, name=task.family)
        return Outcome(task.index, key, None, True, device)
    with tempfile.TemporaryDirectory() as tmp:
        path = result.save(Path(tmp) / "fit.safetensors")
        return Outcome(task.index, key, path.read_bytes(), True, device)


def _start_worker(gpus: Any) -> None:
    """A local worker's initializer: take one GPU index from the queue (when there are GPUs)."""
    if gpus is not None:
        _WORKER_DEVICE.append(f"cuda:{gpus.get()}")


class LocalBackend:
    """Worker processes on this machine.

    Parameters
    ----------
    workers : int, optional
        Processes; default one per GPU on CUDA, else one per core. ``1``
        trains in the calling process.
    threads : int, optional
        Torch threads per worker; default cores // workers (at least 1).
    """

    name = "local"

    def __init__(self, workers: int | None = None, threads: int | None = None) -> None:
        for what, v in (("workers", workers), ("threads", threads)):
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
                raise ConfigError(f"{what}={v!r}; pass a whole number >= 1 (or leave it out)")
        self.workers = workers
        self.threads = threads

    def plan(self, device: torch.device) -> tuple[str | None, int, int]:
        """``(device for keys, workers, threads)`` for fits on ``device``.

        Parameters
        ----------
        device : torch.device
            Where the fits train.

        Returns
        -------
        (str, int, int)
        """
        gpus = torch.cuda.device_count() if device.type == "cuda" else 0
        workers = self.workers or (gpus or cpu_cores())
        threads = self.threads or max(1, cpu_cores() // workers)
        return device.type, workers, threads

    def run(
        self, tasks: Sequence[Task], device: torch.device, known: frozenset[str], store_root: str | None
    ) -> Iterator[Outcome]:
        """Yield each task's :class:`Outcome` as it finishes; pending tasks are cancelled when the caller stops.

        Parameters
        ----------
        tasks : sequence of Task
            What to run.
        device : torch.device
            Where to train.
        known : frozenset of str
            Keys in the store.
        store_root : str or None
            The store's folder: workers on this machine write their fits into it.

        Yields
        ------
        Outcome
        """
        _, workers, threads = self.plan(device)
        workers = min(workers, len(tasks))
        dev = device.type
        if workers <= 1:
            for task in tasks:
                yield run_task(task, str(device), threads, known, store_root)
            return
        import multiprocessing as mp

        ctx = mp.get_context("spawn")
        gpus = None
        if dev == "cuda":
            gpus = ctx.Queue()
            for i in range(workers):
                gpus.put(i % torch.cuda.device_count())
        pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_start_worker, initargs=(gpus,))
        pending: set[Future] = set()
        try:
            pending = {pool.submit(run_task, t, dev, threads, known, store_root) for t in tasks}
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    yield f.result()
        finally:
            for f in pending:
                f.cancel()
            pool.shutdown(wait=True, cancel_futures=True)


class RayBackend:
    """One Ray task per fit, on the cluster at ``address`` (``num_gpus=1`` each where the cluster has GPUs).

    Parameters
    ----------
    address : str, optional
        ``"auto"``, ``"ray://host:port"``, or ``None``: the Ray session this
        process already started (``ray.init``), else a new local one.
    shared : bool
        The store folder is on storage every worker reaches: workers write
        their fits into it instead of sending them back.

    Raises
    ------
    ConfigError
        Ray is not installed (the message names the extra).
    """

    name = "ray"

    def __init__(self, address: str | None = None, *, shared: bool = False) -> None:
        try:
            import ray
        except ImportError:
            raise ConfigError(
                'the ray backend needs Ray, which is not installed; install the extra: pip install "pixparam[ray]"'
            ) from None
        self.ray = ray
        self.address = address
        self.shared = shared

    def _connect(self) -> None:
        if not self.ray.is_initialized():
            try:
                self.ray.init(address=self.address, log_to_driver=False)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise ConfigError(f"could not connect to Ray at {self.address!r}: {exc}") from None

    def plan(self, device: torch.device) -> tuple[str | None, int, int]:
        """``(device for keys, workers, threads)``: keys here only when the fits train on the CPU.

        Parameters
        ----------
        device : torch.device
            Where the driver would train: ``"cpu"`` keeps the tasks on CPUs,
            anything else asks for a GPU per task where the cluster has them.

        Returns
        -------
        (str or None, int, int)
            ``None`` for keys: the workers compute them (on their GPUs).
        """
        self._connect()
        res = self.ray.cluster_resources()
        gpus = int(res.get("GPU", 0)) if device.type != "cpu" else 0
        if gpus:
            return (None, gpus, 1)
        return ("cpu", max(1, int(res.get("CPU", 1))), 1)

    def run(
        self, tasks: Sequence[Task], device: torch.device, known: frozenset[str], store_root: str | None
    ) -> Iterator[Outcome]:
        """Yield each task's :class:`Outcome` as it finishes; pending tasks are cancelled when the caller stops.

        Parameters
        ----------
        tasks : sequence of Task
            What to run.
        device : torch.device
            Where the driver would train (``"cpu"`` keeps the tasks on CPUs).
        known : frozenset of str
            Keys in the store.
        store_root : str or None
            The store's folder (used by the workers only when ``shared``).

        Yields
        ------
        Outcome
        """
        key_device, _, threads = self.plan(device)
        gpus = key_device is None
        remote = self.ray.remote(num_cpus=1, num_gpus=1 if gpus else 0, max_retries=0)(run_task)
        dev = "cuda" if gpus else "cpu"
        root = store_root if self.shared else None
        refs = [remote.remote(t, dev, threads, known, root) for t in tasks]
        try:
            while refs:
                done, refs = self.ray.wait(refs, num_returns=1)
                yield self.ray.get(done[0])
        finally:
            for ref in refs:
                self.ray.cancel(ref, force=True)


def get_backend(name: str, *, workers: int | None = None, threads: int | None = None, address: str | None = None,
                shared: bool = False) -> LocalBackend | RayBackend:  # fmt: skip
    """The backend called ``name`` (:data:`BACKENDS`).

    Parameters
    ----------
    name : {"local", "ray"}
        Which backend.
    workers, threads : int, optional
        :class:`LocalBackend`'s settings.
    address : str, optional
        :class:`RayBackend`'s cluster.
    shared : bool
        :class:`RayBackend`: the store folder is shared with the workers.

    Returns
    -------
    LocalBackend or RayBackend

    Raises
    ------
    ConfigError
        An unknown name, a setting of the other backend, or Ray missing.
    """
    if name == "local":
        if address is not None:
            raise ConfigError(f"address={address!r} is for the ray backend; pass backend='ray' or drop it")
        return LocalBackend(workers, threads)
    if name == "ray":
        if workers is not None:
            raise ConfigError("workers= is for the local backend; Ray runs one task per free CPU or GPU")
        return RayBackend(address, shared=shared)
    raise ConfigError(f"backend={name!r}; choose one of {', '.join(BACKENDS)}")
