"""Fitting images: :func:`fit` one image at one budget, :func:`fit_ladder` over budgets.

Both are thin callers of the one loop, :func:`pixparam.training.train`: plan
the architecture (the family registry), resolve the settings
(:meth:`TrainConfig.resolve`), build the field, take the image's
:class:`Points`, train, and wrap the result as a measured :class:`Fit`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ..arch import Arch
from ..budget import format_count
from ..errors import BudgetError, ConfigError
from ..fields import Field, build, spec_for
from ..images import ImageSource, load_image
from ..result import Fit
from .config import TrainConfig
from .loop import TrainResult, train
from .memory import auto_batch, check_train_memory, memory_cap, step_bytes
from .points import Points
from .resolve import resolve_arch

__all__ = ["FitJob", "fit", "fit_ladder", "memory_groups"]


def fit(
    image: ImageSource,
    budget: int | str | Arch,
    family: str | None = None,
    *,
    steps: int | None = None,
    lr: float | None = None,
    device: str | torch.device = "auto",
    seed: int = 0,
    progress: bool = True,
    batch_size: int | None = None,
    precision: str = "auto",
    log_every: int | None = None,
    callback: Callable[[int, Field], None] | None = None,
    init_from: Fit | None = None,
    compile: bool = False,
    **options: Any,
) -> Fit:
    """Fit a coordinate network with an exact parameter budget to one image.

    Parameters
    ----------
    image : path, sample name, PIL image or ndarray
        Anything :func:`pixparam.load_image` accepts; fitted at its size.
    budget : int, str or Arch
        Trainable parameters (``4096``, ``"4k"``), or a planned :class:`Arch`.
    family : str, optional
        A registered family (:data:`pixparam.FAMILIES`); default ``"siren"`` (or the Arch's).
    steps : int, optional
        Optimiser steps; default :data:`DEFAULT_STEPS`.
    lr : float, optional
        Peak learning rate; default per family (``FamilySpec.defaults``).
    device : str or torch.device
        ``"auto"`` picks cuda, then mps, then cpu.
    seed : int
        Seeds initialisation and mini-batch sampling. On the CPU the same
        seed gives a bit-identical result.
    progress : bool
        Show a tqdm bar (only on a terminal).
    batch_size : int, optional
        Pixels per step; default full batch when it fits in memory (random
        mini-batches otherwise). A value at least the pixel count asks for
        full batch whatever the memory estimate says.
    precision : {"auto", "fp32", "tf32", "bf16"}
        Matmul precision on CUDA (``auto``: TF32, float32 for SIREN).
        Ignored on other devices.
    log_every : int, optional
        Steps between history points and best-weight checks; default about
        100 points per run.
    callback : callable, optional
        ``callback(step, model)`` after every update (``step`` from 1).
    init_from : Fit, optional
        Start from this fit's weights (and fixed features) instead of a fresh
        initialisation, e.g. to fit a second image in the first one's basin so
        that :func:`pixparam.edit.blend` between them is meaningful. Its
        architecture must be the one planned here (pass ``init_from.arch`` as
        the budget to be sure).
    compile : bool
        Train through ``torch.compile`` (fused kernels: fewer passes over
        memory on a CPU, fewer launches on a GPU). It pays once the fit is
        long enough to repay the first step's compilation (seconds); the
        result agrees with the uncompiled one to rounding
        (``benchmarks/bench_fastpaths.py`` measures both). If compilation
        fails (no C++ compiler, say), training goes on uncompiled with a
        warning. Each compiled fit starts from a fresh compiler state
        (``torch.compiler.reset()``), so that fit after fit in one process
        stays compiled; other functions compiled in the process compile
        again on their next call.
    **options
        Any other :class:`~pixparam.training.TrainConfig` field is a training
        setting (``final_lr``, ``warmup``, ``prepare``, ``fused_adam``,
        ``memory_cap``, ...); the rest go to :func:`pixparam.plan`
        (``depth``, ``omega0``, ``sigma``...).

    Returns
    -------
    Fit
        The best weights seen, with history, timing and metrics.

    Raises
    ------
    BudgetError
        The budget or options do not give an architecture.
    TrainingDiverged
        The loss stayed non-finite after every recovery.

    Examples
    --------
    >>> import pixparam as pp
    >>> img = pp.load_image("camera", size=32)
    >>> f = pp.fit(img, "2k", "siren", steps=50, device="cpu", progress=False)
    >>> f.n_params, f.image_shape, f.render(size=64).shape
    (2000, (32, 32, 1), (64, 64, 1))
    """
    img = load_image(image)
    settings = {"steps": steps, "lr": lr, "device": device, "seed": seed, "batch_size": batch_size}
    settings |= {"precision": precision, "log_every": log_every, "compile": compile}
    job = FitJob.plan(img, budget, family, **settings, **options)
    if init_from is not None:
        _load_init(job.model, job.arch, init_from)
    (result,) = train([job.model], job.points, [job.cfg], progress=progress, callback=callback, desc=job.desc)
    return job.finish(result, init_from=init_from)


def fit_ladder(
    image: ImageSource,
    budgets: Sequence[int | str],
    family: str | None = None,
    *,
    batched: bool = False,
    **fit_kwargs: Any,
) -> list[Fit]:
    """Fit one network per budget (same family, seed and settings).

    Parameters
    ----------
    image : path, sample name, PIL image or ndarray
        The image, loaded once.
    budgets : sequence of int or str
        Budgets, in the order the fits are returned.
    family : str, optional
        Network family (default ``"siren"``).
    batched : bool
        ``False`` (default) calls :func:`fit` once per budget. ``True``
        trains the rungs together: one loop computes every rung's loss,
        runs one backward pass over their sum and one Adam step over all
        their parameters (each rung its own parameter group and
        learning-rate schedule), so host–device syncs and the optimiser
        step are paid once per ladder rather than once per rung. Rungs are
        grouped so that a group's activations fit in memory. Each rung's
        result is the one :func:`fit` gives with the same arguments
        (bit-identical on the CPU); its ``seconds`` is the wall time of the
        group it was trained in. On a CPU it measured no faster
        (``benchmarks/bench_ladder.py``); it is meant for GPUs, where it is
        not yet measured.
    **fit_kwargs
        Passed to :func:`fit` (``steps``, ``lr``, ``device``, ``seed``, ...).
        ``callback`` and ``init_from`` need ``batched=False``.

    Returns
    -------
    list of Fit
        One per budget, in the order given.

    Examples
    --------
    >>> import pixparam as pp
    >>> img = pp.load_image("camera", size=32)
    >>> fits = pp.fit_ladder(img, ["1k", "2k"], "siren", steps=20, device="cpu", progress=False, batched=True)
    >>> [f.n_params for f in fits], fits[0].config["trained_with"]
    ([999, 2000], 2)
    """
    img = load_image(image)
    if len(budgets) == 0:
        raise BudgetError("budgets is empty; pass at least one budget, e.g. [1000, 4000]")
    if not batched:
        return [fit(img, b, family, **fit_kwargs) for b in budgets]
    for name in ("callback", "init_from"):
        if fit_kwargs.pop(name, None) is not None:
            raise ConfigError(f"{name}= applies to one network; pass batched=False to fit the rungs one by one")
    progress = fit_kwargs.pop("progress", True)
    jobs = [FitJob.plan(img, budgets[0], family, **fit_kwargs)]
    jobs += [FitJob.plan(img, b, family, points=jobs[0].points, **fit_kwargs) for b in budgets[1:]]
    fits: list[Fit | None] = [None] * len(jobs)
    for group in memory_groups(jobs):
        members = [jobs[i] for i in group]
        desc = f"{members[0].arch.family} ×{len(members)}" if len(members) > 1 else members[0].desc
        results = train(
            [j.model for j in members], members[0].points, [j.cfg for j in members], progress=progress, desc=desc
        )
        for i, result in zip(group, results):
            fits[i] = jobs[i].finish(result, trained_with=len(members))
    return [f for f in fits if f is not None]


@dataclass
class FitJob:
    """One planned fit of an image: architecture, settings, initialised model and points, before training.

    Attributes
    ----------
    image : (H, W, C) ndarray of float32
        The image to fit.
    arch : Arch
        The planned architecture.
    cfg : TrainConfig
        The resolved settings.
    model : Field
        The initialised network, on ``cfg.device``.
    points : Points
        The image's pixels as training points.
    """

    image: np.ndarray
    arch: Arch
    cfg: TrainConfig
    model: Field
    points: Points

    @classmethod
    def plan(
        cls,
        img: np.ndarray,
        budget: int | str | Arch,
        family: str | None = None,
        *,
        points: Points | None = None,
        **options: Any,
    ) -> FitJob:
        """Plan, configure and build one fit; ``points`` reuses another job's (one copy of the pixels).

        ``options`` are :func:`fit`'s: training settings (every :class:`TrainConfig`
        field) and architecture options (the rest). An explicit ``batch_size``
        of at least the pixel count asks for full batch whatever the memory
        estimate says; with none, mini-batches are used when full batch does
        not fit in memory.

        Parameters
        ----------
        img : (H, W, C) ndarray of float32
            The image, already loaded.
        budget : int, str or Arch
            As for :func:`fit`.
        family : str, optional
            As for :func:`fit`.
        points : Points, optional
            Training points to share with another job of the same image.
        **options
            :func:`fit`'s settings and architecture options.

        Returns
        -------
        FitJob
        """
        arch, cfg = cls.configure(img, budget, family, **options)
        dev = torch.device(cfg.device)
        model = build(arch, seed=cfg.seed, device=dev)
        init = spec_for(arch.family).init_from_image
        if init is not None:  # a family that starts from the image (a grid, Gaussians): its own seeded draws
            init(model, img, torch.Generator().manual_seed(int(cfg.seed)))
        return cls(img, arch, cfg, model, Points.from_image(img, dev) if points is None else points)

    @staticmethod
    def configure(
        img: np.ndarray, budget: int | str | Arch, family: str | None = None, **options: Any
    ) -> tuple[Arch, TrainConfig]:
        """The architecture and the resolved settings :meth:`plan` would use (nothing is built).

        Parameters
        ----------
        img : (H, W, C) ndarray of float32
            The image, already loaded.
        budget, family, **options
            As for :meth:`plan`.

        Returns
        -------
        (Arch, TrainConfig)
        """
        h, w, c = img.shape
        names = set(TrainConfig.setting_names())
        settings = {k: v for k, v in options.items() if k in names}
        arch = resolve_arch(
            budget, family, c, max(h, w), {k: v for k, v in options.items() if k not in names}, shape=(h, w)
        )
        cfg = TrainConfig.resolve(arch, n_points=h * w, **settings)
        if settings.get("batch_size") is None:
            cfg = auto_batch(cfg, arch, h * w)
        check_train_memory(cfg, arch, h * w, c)
        return arch, cfg

    @property
    def desc(self) -> str:
        """A progress-bar label: family and budget."""
        return f"{self.arch.family} {format_count(self.arch.n_params)}"

    def finish(self, result: TrainResult, *, init_from: Fit | None = None, trained_with: int = 1) -> Fit:
        """The trained model as a measured :class:`Fit`.

        Parameters
        ----------
        result : TrainResult
            What :func:`train` returned for this job's model.
        init_from : Fit, optional
            The fit whose weights training started from (recorded in the config).
        trained_with : int
            How many networks trained together in one batched loop.

        Returns
        -------
        Fit
            Measured against the job's image.
        """
        self.model.eval()
        config = self.cfg.to_dict()
        if init_from is not None:
            config["init_from"] = init_from.arch.describe()
        if trained_with > 1:
            config["trained_with"] = trained_with
        out = Fit(
            model=self.model,
            arch=self.arch,
            image_shape=tuple(self.image.shape),
            history=result.history,
            seconds=result.seconds,
            config=config,
            image=self.image,
        )
        out.metrics.update(out.measure(self.image))
        return out


def memory_groups(jobs: Sequence[FitJob]) -> list[list[int]]:
    """Consecutive runs of job indices that can train together: same loop settings, activations within the cap.

    Parameters
    ----------
    jobs : sequence of FitJob
        Planned jobs, all on one device.

    Returns
    -------
    list of list of int
        Groups of indices into ``jobs``, in order.
    """
    groups: list[list[int]] = []
    used = 0
    cap = memory_cap(jobs[0].points.device, jobs[0].cfg.memory_cap)  # every job is on one device
    for i, job in enumerate(jobs):
        need = step_bytes(job.cfg, job.model, job.points.n)
        if groups:
            head = jobs[groups[-1][0]].cfg
            same = (head.steps, head.log_every, head.device, head.precision) == (
                job.cfg.steps,
                job.cfg.log_every,
                job.cfg.device,
                job.cfg.precision,
            )
            if same and used + need <= cap:
                groups[-1].append(i)
                used += need
                continue
        groups.append([i])
        used = need
    return groups


def _load_init(model: Field, arch: Arch, init_from: Fit) -> None:
    """Load ``init_from``'s weights (and fixed features) into ``model``, which must have its architecture."""
    if not isinstance(init_from, Fit):
        raise ConfigError(f"init_from must be a Fit, got {type(init_from).__name__}")
    ours, theirs = arch.to_dict(), init_from.arch.to_dict()
    ours.pop("budget")
    theirs.pop("budget")
    if ours != theirs:
        raise BudgetError(
            f"init_from is {init_from.arch.describe()!r} but this fit plans {arch.describe()!r}; "
            f"pass budget=init_from.arch so both networks have the same architecture"
        )
    state = {k: v.detach().to(next(model.parameters()).device) for k, v in init_from.model.state_dict().items()}
    model.load_state_dict(state, strict=True)
