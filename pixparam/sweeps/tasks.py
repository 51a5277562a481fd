"""A sweep's grid as tasks: one fit each, planned (and so checked) before anything trains, keyed by the store's key.

The key of a task is :func:`pixparam.cache.fit_key` of its fit — the points'
digest, the architecture, the settings that decide the result and the
pixparam version — so a rerun looks each task up in the
:class:`~pixparam.Store` and trains only the ones not found.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..cache import fit_key
from ..errors import ConfigError, PixparamError
from ..images import load_image
from ..result import Fit, History
from ..training import FitJob
from .spec import SweepSpec

__all__ = ["Task", "expand", "task_key"]


@dataclass(eq=False)
class Task:
    """One fit of a sweep.

    Attributes
    ----------
    index : int
        Position in the grid (the order of the results).
    image : str
        The image's label (a sample name or a path).
    size : int or None
        The longest side asked for (``None``: the image's own).
    pixels : (H, W, C) ndarray of float32
        The image at that size.
    budget : int
        The parameter budget.
    family : str
        The network family.
    seed : int
        The seed.
    steps : int
        Optimiser steps.
    n_params : int
        The planned network's exact trainable count.
    options : dict
        Further :func:`pixparam.fit` settings.
    key : str or None
        The store key, when the driver could resolve the device the fit
        trains on (else the worker computes it).
    """

    index: int
    image: str
    size: int | None
    pixels: np.ndarray = field(repr=False)
    budget: int
    family: str
    seed: int
    steps: int
    n_params: int
    options: dict[str, Any] = field(default_factory=dict)
    key: str | None = None

    def fit_kwargs(self, device: str) -> dict[str, Any]:
        """The keywords of this task's :func:`pixparam.fit` on ``device`` (progress off).

        Parameters
        ----------
        device : str
            Where it trains.

        Returns
        -------
        dict
        """
        return {"steps": self.steps, "seed": self.seed, "device": device, "progress": False, **self.options}


def task_key(task: Task, device: str) -> str:
    """The store key of ``task``'s fit on ``device`` (a device this process can use).

    Parameters
    ----------
    task : Task
        The task.
    device : str
        ``"cpu"``, ``"cuda"``, ``"cuda:1"``...

    Returns
    -------
    str
        20 hex digits.
    """
    kwargs = task.fit_kwargs(device)
    kwargs.pop("progress")
    return fit_key(task.pixels, task.budget, task.family, **kwargs)


def expand(spec: SweepSpec, *, device: str | None) -> list[Task]:
    """Load every image, plan every fit and try every edit on an untrained network: all a spec can get wrong.

    Parameters
    ----------
    spec : SweepSpec
        A checked spec.
    device : str or None
        The device the fits train on, when this process can use it (their
        keys are then computed here); ``None`` plans on the CPU and leaves
        the keys to the workers.

    Returns
    -------
    list of Task
        In grid order: image, size, family, budget, seed, steps.

    Raises
    ------
    ConfigError
        An image does not load, a budget is below a family's smallest
        network, an option is unknown or bad, or an edit does not apply;
        the message names the spec's line.
    """
    plan_device = device or "cpu"
    images = {}
    for label, source in zip(spec.images, spec.sources):
        for size in spec.sizes:
            try:
                images[label, size] = load_image(source, size=size)
            except PixparamError as exc:
                raise ConfigError(f"{spec.where('images')}: image {label!r} at size {size}: {exc}") from None
    tasks: list[Task] = []
    tried: set[str] = set()
    grid = itertools.product(spec.images, spec.sizes, spec.families, spec.budgets, spec.seeds, spec.steps)
    for label, size, family, budget, seed, steps in grid:
        img = images[label, size]
        task = Task(len(tasks), label, size, img, budget, family, seed, steps, 0, dict(spec.options))
        kwargs = task.fit_kwargs(plan_device)
        kwargs.pop("progress")
        try:
            arch, _ = FitJob.configure(img, budget, family, **kwargs)
        except PixparamError as exc:
            where = "options" if spec.options and any(k in str(exc) for k in spec.options) else "budgets"
            h, w, c = img.shape
            raise ConfigError(
                f"{spec.where(where)}: {family} at budget {budget} on {label!r} ({h}×{w}×{c}): {exc}"
            ) from None
        task.n_params = arch.n_params
        if device is not None:
            task.key = task_key(task, device)
        if family not in tried:
            _try_edits(spec, arch, img)
            tried.add(family)
        tasks.append(task)
    return tasks


def _try_edits(spec: SweepSpec, arch: Any, img: np.ndarray) -> None:
    """Apply each edit to an untrained network of ``arch``: a bad argument fails now, not after training."""
    from .. import edit
    from ..fields import build

    if not spec.edits:
        return
    untrained = Fit(build(arch, seed=0), arch, tuple(img.shape), History(), 0.0, {}, image=img)
    for i, e in enumerate(spec.edits):
        args = {k: v for k, v in e.items() if k != "edit"}
        try:
            getattr(edit, e["edit"])(untrained, **args)
        except (PixparamError, ValueError, TypeError) as exc:
            raise ConfigError(f"{spec.where('edits', i)}: edit {e['edit']!r} on {arch.family}: {exc}") from None
