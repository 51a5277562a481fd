"""Fitting: :func:`fit` one image at one budget, :func:`fit_ladder` over budgets.

The loop is Adam with a per-family learning rate, a short linear warm-up and
cosine decay, full-batch when the image fits in memory and random mini-batches
(without replacement within an epoch) otherwise. Every ``log_every`` steps it
reads the whole-image loss back from the device (the only host–device syncs),
keeps the best weights seen, and recovers from a non-finite loss by restoring
them and halving the learning rate.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from .budget import Arch, format_count, plan
from .coords import grid
from .devices import PRECISIONS, matmul_precision, resolve_device
from .errors import BudgetError, TrainingDiverged
from .fields import Field, build
from .fields.base import Prepared
from .images import ImageSource, load_image
from .result import Fit, History, _bytes_per_point

__all__ = ["DEFAULT_STEPS", "FAMILY_DEFAULTS", "FamilyDefaults", "TrainConfig", "fit", "fit_ladder"]

#: Training steps when ``fit`` is not told.
DEFAULT_STEPS = 2000


@dataclass(frozen=True)
class FamilyDefaults:
    """Per-family optimiser settings, chosen by ``benchmarks/tune_defaults.py``.

    ``lr`` is the peak learning rate; with ``lr_width`` set it is the rate at
    that hidden width and scales as ``lr * sqrt(lr_width / width)``: Adam's
    steps have a fixed size, and SIREN's hidden weights shrink as
    ``1/sqrt(width)``, so a fixed rate grows relatively larger with width.
    """

    lr: float
    lr_width: int | None = None
    final_lr: float = 0.05  # cosine decay ends at this fraction of lr
    warmup: float = 0.02  # fraction of steps of linear warm-up
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    cuda_precision: str = "tf32"  # what precision="auto" means on CUDA

    def lr_for(self, arch: Arch) -> float:
        """The default peak learning rate for ``arch``."""
        return self.lr if self.lr_width is None else self.lr * math.sqrt(self.lr_width / arch.width)


FAMILY_DEFAULTS: dict[str, FamilyDefaults] = {
    # SIREN's sin(30·x) amplifies matmul rounding thirty-fold: it stays in float32 on CUDA.
    "siren": FamilyDefaults(lr=3e-3, lr_width=32, cuda_precision="fp32"),
    "fourier": FamilyDefaults(lr=3e-2),
    "relu": FamilyDefaults(lr=3e-2),
    "hashgrid": FamilyDefaults(lr=1e-2, betas=(0.9, 0.99), eps=1e-15),
}


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run besides the image and architecture."""

    steps: int
    lr: float
    seed: int
    device: str
    precision: str
    batch_size: int | None
    log_every: int
    final_lr: float
    warmup: float
    betas: tuple[float, float]
    eps: float
    max_recoveries: int = 3
    compile: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (as stored in checkpoints and ``Fit.config``)."""
        return {**asdict(self), "betas": list(self.betas)}

    def lr_at(self, step: int) -> float:
        """Learning rate for update ``step`` (1-based): linear warm-up, then cosine decay."""
        warm = max(1, round(self.warmup * self.steps))
        if step <= warm:
            return self.lr * step / warm
        t = (step - warm) / max(1, self.steps - warm)
        return self.lr * (self.final_lr + (1 - self.final_lr) * 0.5 * (1 + math.cos(math.pi * t)))


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
    **arch_options: Any,
) -> Fit:
    """Fit a coordinate network with an exact parameter budget to one image.

    Parameters
    ----------
    image : path, sample name, PIL image or ndarray
        Anything :func:`pixparam.load_image` accepts; fitted at its size.
    budget : int, str or Arch
        Trainable parameters (``4096``, ``"4k"``), or a planned :class:`Arch`.
    family : {"siren", "fourier", "relu", "hashgrid"}, optional
        Network family; default ``"siren"`` (or the Arch's).
    steps : int, optional
        Optimiser steps; default :data:`DEFAULT_STEPS`.
    lr : float, optional
        Peak learning rate; default per family (:data:`FAMILY_DEFAULTS`).
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
        warning.
    **arch_options
        Passed to :func:`pixparam.plan` (``depth``, ``omega0``, ``sigma``...).

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
    job = _Job.plan(
        img, budget, family, steps, lr, device, seed, batch_size, precision, log_every, arch_options, compile
    )
    if init_from is not None:
        _load_init(job.model, job.arch, init_from)
    ((history, seconds),) = _train_many(
        [job.model], job.coords, job.target, [job.cfg], progress=progress, callback=callback, desc=job.desc
    )
    return job.finish(history, seconds, init_from=init_from)


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
            raise ValueError(f"{name}= applies to one network; pass batched=False to fit the rungs one by one")
    progress = fit_kwargs.pop("progress", True)
    settings = {k: fit_kwargs.pop(k) for k in _JOB_SETTINGS if k in fit_kwargs}
    jobs = [_Job.plan(img, budgets[0], family, arch_options=dict(fit_kwargs), **settings)]
    data = (jobs[0].coords, jobs[0].target)  # one copy of the pixels for every rung
    jobs += [_Job.plan(img, b, family, arch_options=dict(fit_kwargs), data=data, **settings) for b in budgets[1:]]
    fits: list[Fit | None] = [None] * len(jobs)
    for group in _memory_groups(jobs):
        members = [jobs[i] for i in group]
        desc = f"{members[0].arch.family} ×{len(members)}" if len(members) > 1 else members[0].desc
        results = _train_many(
            [j.model for j in members],
            members[0].coords,
            members[0].target,
            [j.cfg for j in members],
            progress=progress,
            callback=None,
            desc=desc,
        )
        for i, (history, seconds) in zip(group, results):
            fits[i] = jobs[i].finish(history, seconds, trained_with=len(members))
    return [f for f in fits if f is not None]


# --------------------------------------------------------------------------- internals


#: ``fit`` keywords that are training settings (the rest of ``fit_ladder``'s keywords are arch options).
_JOB_SETTINGS = ("steps", "lr", "device", "seed", "batch_size", "precision", "log_every", "compile")


@dataclass
class _Job:
    """One planned fit: architecture, settings, initialised model and data, before training."""

    image: np.ndarray
    arch: Arch
    cfg: TrainConfig
    model: Field
    coords: torch.Tensor
    target: torch.Tensor

    @classmethod
    def plan(
        cls,
        img: np.ndarray,
        budget: int | str | Arch,
        family: str | None,
        steps: int | None = None,
        lr: float | None = None,
        device: str | torch.device = "auto",
        seed: int = 0,
        batch_size: int | None = None,
        precision: str = "auto",
        log_every: int | None = None,
        arch_options: dict[str, Any] | None = None,
        compile: bool = False,
        data: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> _Job:
        """Plan, configure and build one fit; ``data`` reuses another job's ``(coords, target)``."""
        h, w, c = img.shape
        arch = _resolve_arch(budget, family, c, max(h, w), arch_options or {})
        dev = resolve_device(device)
        cfg = _config(arch, steps, lr, seed, dev, precision, batch_size, log_every, h * w, compile)
        model = build(arch, seed=seed, device=dev)
        if batch_size is None:  # an explicit batch_size >= the pixel count asks for full batch regardless
            cfg = _with_auto_batch(cfg, model, h * w, dev)
        if data is None:
            data = (grid(h, w, device=dev), torch.from_numpy(img.reshape(-1, c)).to(dev))
        return cls(img, arch, cfg, model, *data)

    @property
    def desc(self) -> str:
        return f"{self.arch.family} {format_count(self.arch.n_params)}"

    def step_bytes(self) -> int:
        """Activation memory of one training step (as :func:`_with_auto_batch` estimates it)."""
        points = self.cfg.batch_size or self.coords.shape[0]
        return 3 * _bytes_per_point(self.model) * points

    def finish(self, history: History, seconds: float, *, init_from: Fit | None = None, trained_with: int = 1) -> Fit:
        self.model.eval()
        config = self.cfg.to_dict()
        if init_from is not None:
            config["init_from"] = init_from.arch.describe()
        if trained_with > 1:
            config["trained_with"] = trained_with
        result = Fit(
            model=self.model,
            arch=self.arch,
            image_shape=tuple(self.image.shape),
            history=history,
            seconds=seconds,
            config=config,
            image=self.image,
        )
        result.metrics.update(result.measure(self.image))
        return result


def _memory_groups(jobs: Sequence[_Job]) -> list[list[int]]:
    """Consecutive runs of job indices that can train together: same loop settings, activations within the cap."""
    groups: list[list[int]] = []
    used = 0
    cap = _memory_cap(jobs[0].coords.device)  # every job is on one device
    for i, job in enumerate(jobs):
        need = job.step_bytes()
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


def _resolve_arch(
    budget: int | str | Arch, family: str | None, channels: int, resolution: int, options: dict[str, Any]
) -> Arch:
    if isinstance(budget, Arch):
        if options:
            raise BudgetError(f"options {sorted(options)} conflict with a given Arch; plan the Arch with them instead")
        if family is not None and family != budget.family:
            raise BudgetError(f"family={family!r} but the given Arch is {budget.family!r}; pass one of them")
        if budget.channels != channels:
            raise BudgetError(
                f"the Arch has {budget.channels} output channels but the image has {channels}; "
                f"plan it with channels={channels}"
            )
        return budget
    return plan(budget, family or "siren", channels, resolution=resolution, **options)


def _load_init(model: Field, arch: Arch, init_from: Fit) -> None:
    if not isinstance(init_from, Fit):
        raise TypeError(f"init_from must be a Fit, got {type(init_from).__name__}")
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


def _config(
    arch: Arch,
    steps: int | None,
    lr: float | None,
    seed: int,
    device: torch.device,
    precision: str,
    batch_size: int | None,
    log_every: int | None,
    n_pixels: int,
    compile: bool = False,
) -> TrainConfig:
    d = FAMILY_DEFAULTS[arch.family]
    steps = DEFAULT_STEPS if steps is None else steps
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps={steps!r}; it must be a positive integer")
    lr = d.lr_for(arch) if lr is None else lr
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr={lr!r}; it must be a positive number")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed={seed!r}; it must be a non-negative integer")
    if precision not in PRECISIONS:
        raise ValueError(f"precision={precision!r}; choose one of {', '.join(PRECISIONS)}")
    if precision == "auto":
        precision = d.cuda_precision if device.type == "cuda" else "fp32"
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"batch_size={batch_size!r}; it must be a positive integer or None")
    if batch_size is not None and batch_size >= n_pixels:
        batch_size = None
    if log_every is None:
        log_every = max(1, steps // 100)
    if isinstance(log_every, bool) or not isinstance(log_every, int) or log_every < 1:
        raise ValueError(f"log_every={log_every!r}; it must be a positive integer")
    if not isinstance(compile, bool):
        raise ValueError(f"compile={compile!r}; it must be True or False")
    return TrainConfig(
        steps=int(steps),
        lr=float(lr),
        seed=int(seed),
        device=str(device),
        precision=precision,
        batch_size=batch_size,
        log_every=log_every,
        final_lr=d.final_lr,
        warmup=d.warmup,
        betas=d.betas,
        eps=d.eps,
        compile=compile,
    )


def _memory_cap(device: torch.device) -> int:
    """Bytes a training step may use for activations."""
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return free // 2
    try:
        import os

        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 16 << 30
    return min(4 << 30, total // 4)


def _with_auto_batch(cfg: TrainConfig, model: Field, n: int, device: torch.device) -> TrainConfig:
    per_point = 3 * _bytes_per_point(model)  # forward activations, their gradients, slack
    cap = _memory_cap(device)
    if n * per_point <= cap:
        return cfg
    batch = max(1 << 12, 1 << int(math.log2(max(1, cap // per_point))))
    if batch >= n:
        return cfg
    from dataclasses import replace

    return replace(cfg, batch_size=batch)


class _Batches:
    """Random pixel indices, a fresh permutation per epoch, seeded."""

    def __init__(self, n: int, batch: int, seed: int, device: torch.device) -> None:
        self.n, self.batch, self.device = n, batch, device
        self.gen = torch.Generator(device=device).manual_seed(seed)
        self.perm = torch.empty(0, dtype=torch.int64, device=device)
        self.pos = 0

    def next(self) -> torch.Tensor:
        if self.pos + self.batch > self.perm.numel():
            self.perm = torch.randperm(self.n, generator=self.gen, device=self.device)
            self.pos = 0
        idx = self.perm[self.pos : self.pos + self.batch]
        self.pos += self.batch
        return idx


def _take(prepared: Prepared, idx: slice | torch.Tensor) -> Prepared:
    return prepared[idx] if isinstance(prepared, torch.Tensor) else tuple(t[idx] for t in prepared)


def _prepared_bytes(prepared: Prepared) -> int:
    parts = (prepared,) if isinstance(prepared, torch.Tensor) else prepared
    return sum(t.numel() * t.element_size() for t in parts)


def _compile_failed(err: Exception) -> None:
    import warnings

    first = str(err).splitlines()[0] if str(err) else ""
    warnings.warn(f"torch.compile failed ({type(err).__name__}: {first}); training without it", stacklevel=4)


def _compiled(fn: Callable[[Any], torch.Tensor]) -> Callable[[Any], torch.Tensor] | None:
    """``torch.compile(fn)``, or None (with a warning) where this torch cannot compile at all."""
    try:
        return torch.compile(fn)
    except Exception as err:  # e.g. an unsupported Python version
        _compile_failed(err)
        return None


class _Member:
    """One network in a training loop: its model, settings, optimiser group and running state."""

    def __init__(self, model: nn.Module, cfg: TrainConfig, coords: torch.Tensor, budget_bytes: int) -> None:
        self.model, self.cfg = model, cfg
        self.params = [p for p in model.parameters() if p.requires_grad]
        n = coords.shape[0]
        self.batches = None if cfg.batch_size is None else _Batches(n, cfg.batch_size, cfg.seed, coords.device)
        self.prepared: Prepared | None = None
        if isinstance(model, Field):
            # The encoding of fixed pixels never changes: compute it once when it fits in memory.
            with torch.no_grad():
                per_point = _prepared_bytes(model.prepare(coords[:1]))
                if per_point * n <= budget_bytes:
                    self.prepared = model.prepare(coords)
        # the forward pass from inputs(): the model itself, or its prepared-input half
        forward = model if self.prepared is None else model.forward_prepared  # type: ignore[union-attr]
        self.eager: Callable[[Any], torch.Tensor] = forward
        self.train_forward = _compiled(self.eager) if cfg.compile else None
        self.history = History()
        self.best_loss, self.best_state = math.inf, self.snapshot()
        self.lr_scale, self.recoveries, self.skip = 1.0, 0, False

    def inputs(self, coords: torch.Tensor, rows: slice | torch.Tensor | None = None) -> Prepared:
        """What :attr:`eager` takes for the points ``coords[rows]`` (all points when ``rows`` is None)."""
        source = coords if self.prepared is None else self.prepared
        return source if rows is None else _take(source, rows)

    def predict(self, coords: torch.Tensor, rows: slice | torch.Tensor | None = None) -> torch.Tensor:
        """Colours at ``coords[rows]``, uncompiled."""
        return self.eager(self.inputs(coords, rows))

    def loss(self, coords: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """The training loss of this step's points (through ``torch.compile`` when asked for)."""
        rows = None if self.batches is None else self.batches.next()
        x = self.inputs(coords, rows)
        out = None
        if self.train_forward is not None:
            try:
                out = self.train_forward(x)
            except Exception as err:  # any compiler failure (it compiles on the first call): train uncompiled
                _compile_failed(err)
                self.train_forward = None
        if out is None:
            out = self.eager(x)
        return F.mse_loss(out.float(), target if rows is None else target[rows])

    @torch.no_grad()
    def whole_image_loss(self, coords: torch.Tensor, target: torch.Tensor) -> float:
        chunk = max(1024, (64 << 20) // _bytes_per_point(self.model))  # type: ignore[arg-type]
        total = torch.zeros((), dtype=torch.float64, device=coords.device)
        for i in range(0, coords.shape[0], chunk):
            rows = slice(i, i + chunk)
            err = self.predict(coords, rows).float() - target[rows]
            total += err.double().square().sum()
        return float(total) / target.numel()

    def snapshot(self) -> list[torch.Tensor]:
        return [p.detach().clone() for p in self.params]

    def restore(self, state: list[torch.Tensor]) -> None:
        with torch.no_grad():
            for p, s in zip(self.params, state):
                p.copy_(s)

    def recover(self, value: float, step: int, opt: torch.optim.Optimizer) -> None:
        """A non-finite loss: restore the best weights, halve the rate, restart this member's Adam state."""
        self.recoveries += 1
        if self.recoveries > self.cfg.max_recoveries:
            raise TrainingDiverged(
                f"the loss became {value} at step {step} after {self.cfg.max_recoveries} recoveries "
                f"(each restored the best weights and halved the learning rate); "
                f"try a lower lr= than {self.cfg.lr:g}"
            )
        self.restore(self.best_state)
        self.lr_scale *= 0.5
        for p in self.params:
            opt.state.pop(p, None)
        self.history.events.append((step, f"loss {value}; restored best weights, lr ×{self.lr_scale:g}"))
        self.skip = True

    def finish(self, coords: torch.Tensor, target: torch.Tensor) -> float:
        """Restore the best weights if the last ones are worse; the final whole-image loss."""
        final = self.whole_image_loss(coords, target)
        if math.isfinite(final) and final <= self.best_loss:
            return final
        if not math.isfinite(self.best_loss):
            raise TrainingDiverged(
                f"the loss was never finite (last {final}); try a lower lr= than {self.cfg.lr:g} or check the image"
            )
        self.restore(self.best_state)
        if not math.isfinite(final):
            self.history.events.append((self.cfg.steps, f"loss {final} at the end; restored best weights"))
        return self.best_loss


def _train(
    model: nn.Module,
    coords: torch.Tensor,
    target: torch.Tensor,
    cfg: TrainConfig,
    *,
    progress: bool,
    callback: Callable[[int, Field], None] | None,
    desc: str,
) -> tuple[History, float]:
    """Train one network; see :func:`_train_many`."""
    (result,) = _train_many([model], coords, target, [cfg], progress=progress, callback=callback, desc=desc)
    return result


def _train_many(
    models: Sequence[nn.Module],
    coords: torch.Tensor,
    target: torch.Tensor,
    cfgs: Sequence[TrainConfig],
    *,
    progress: bool,
    callback: Callable[[int, Field], None] | None,
    desc: str,
) -> list[tuple[History, float]]:
    """Train several networks on the same pixels in one loop; one ``(history, seconds)`` each.

    Every step computes each network's loss, backpropagates their sum (the
    networks share no parameters, so each gets exactly its own gradient) and
    takes one Adam step with a parameter group per network. Each network
    keeps its own schedule, mini-batches, best weights and recoveries, so
    the result for each is the one training it alone gives.
    """
    if callback is not None and len(models) != 1:
        raise ValueError("callback= applies to one network")
    head = cfgs[0]
    if any(
        (c.steps, c.log_every, c.device, c.precision) != (head.steps, head.log_every, head.device, head.precision)
        for c in cfgs
    ):
        raise ValueError("networks trained together need the same steps, log_every, device and precision")
    device = coords.device
    spare = _memory_cap(device) // (4 * len(models))
    members = [_Member(m, c, coords, spare) for m, c in zip(models, cfgs)]
    groups = [{"params": m.params, "lr": m.cfg.lr, "betas": m.cfg.betas, "eps": m.cfg.eps} for m in members]
    opt = torch.optim.Adam(groups, **_adam_options(device))
    for m in members:
        m.model.train()
    bar = tqdm(total=head.steps, desc=desc, unit="step", disable=None if progress else True, leave=False)
    t0 = time.perf_counter()
    with bar, matmul_precision(device, head.precision):
        for step in range(1, head.steps + 1):
            losses = []
            for m, group in zip(members, opt.param_groups):
                group["lr"] = m.cfg.lr_at(step) * m.lr_scale
                losses.append(m.loss(coords, target))
            if (step - 1) % head.log_every == 0:
                _log(members, losses, opt, step - 1, time.perf_counter() - t0, coords, target)
                bar.set_postfix_str(_psnr_text(members), refresh=False)
            live = [loss for m, loss in zip(members, losses) if not m.skip]
            opt.zero_grad(set_to_none=True)
            if live:
                sum(live[1:], live[0]).backward()
                opt.step()
            for m in members:
                m.skip = False
            if callback is not None:
                callback(step, models[0])  # type: ignore[arg-type]
            bar.update(1)
        finals = [m.finish(coords, target) for m in members]
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    seconds = time.perf_counter() - t0
    out = []
    for m, final in zip(members, finals):
        m.history.append(head.steps, final, seconds, m.cfg.lr_at(head.steps) * m.lr_scale)
        out.append((m.history, seconds))
    return out


def _adam_options(device: torch.device) -> dict[str, Any]:
    """Fused Adam (one kernel per step for all tensors) on the CPU and CUDA.

    On a CPU it saves the per-tensor overhead that dominates small fits and
    is about even on large ones (``benchmarks/bench_fastpaths.py`` at 64 px
    with 1k parameters and at 128 px with 16k); on CUDA it is PyTorch's
    fastest Adam. Results agree with the plain Adam to rounding.
    """
    fused_devices = ("cpu", "cuda") if _TORCH_VERSION >= (2, 4) else ("cuda",)  # fused CPU Adam came in 2.4
    return {"fused": True} if device.type in fused_devices else {}


_TORCH_VERSION = tuple(int(part) for part in torch.__version__.split("+")[0].split(".")[:2])


def _log(
    members: Sequence[_Member],
    losses: Sequence[torch.Tensor],
    opt: torch.optim.Optimizer,
    step: int,
    seconds: float,
    coords: torch.Tensor,
    target: torch.Tensor,
) -> None:
    """History points and best weights of the current weights (before update ``step + 1``); one sync for all."""
    full = [i for i, m in enumerate(members) if m.batches is None]
    values: list[float] = [math.nan] * len(members)
    if full:
        for i, v in zip(full, torch.stack([losses[i].detach() for i in full]).tolist()):
            values[i] = v
    for i, m in enumerate(members):
        if m.batches is not None:
            values[i] = m.whole_image_loss(coords, target)
    for m, value, group in zip(members, values, opt.param_groups):
        if not math.isfinite(value):
            m.recover(value, step, opt)
            continue
        if value < m.best_loss:
            m.best_loss, m.best_state = value, m.snapshot()
        m.history.append(step, value, seconds, group["lr"])


def _psnr_text(members: Sequence[_Member]) -> str:
    psnrs = [m.history.psnr[-1] for m in members if len(m.history)]
    if not psnrs:
        return ""
    return f"{psnrs[0]:.2f} dB" if len(psnrs) == 1 else f"{min(psnrs):.1f}–{max(psnrs):.1f} dB"
