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
from tqdm.auto import tqdm

from .budget import Arch, format_count, plan
from .coords import grid
from .devices import PRECISIONS, matmul_precision, resolve_device
from .errors import BudgetError, TrainingDiverged
from .fields import Field, build
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
        Pixels per step; default full batch when it fits in memory.
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
    h, w, c = img.shape
    arch = _resolve_arch(budget, family, c, max(h, w), arch_options)
    dev = resolve_device(device)
    cfg = _config(arch, steps, lr, seed, dev, precision, batch_size, log_every, h * w)
    model = build(arch, seed=seed, device=dev)
    if init_from is not None:
        _load_init(model, arch, init_from)
    if cfg.batch_size is None:
        cfg = _with_auto_batch(cfg, model, h * w, dev)
    coords = grid(h, w, device=dev)
    target = torch.from_numpy(img.reshape(-1, c)).to(dev)
    desc = f"{arch.family} {format_count(arch.n_params)}"
    history, seconds = _train(model, coords, target, cfg, progress=progress, callback=callback, desc=desc)
    model.eval()
    result = Fit(
        model=model,
        arch=arch,
        image_shape=(h, w, c),
        history=history,
        seconds=seconds,
        config=cfg.to_dict() if init_from is None else {**cfg.to_dict(), "init_from": init_from.arch.describe()},
        image=img,
    )
    result.metrics.update(result.measure(img))
    return result


def fit_ladder(
    image: ImageSource, budgets: Sequence[int | str], family: str | None = None, **fit_kwargs: Any
) -> list[Fit]:
    """Fit one network per budget (same family, seed and settings).

    Parameters
    ----------
    image : path, sample name, PIL image or ndarray
        The image, loaded once.
    budgets : sequence of int or str
        Budgets, fitted in the given order.
    family : str, optional
        Network family (default ``"siren"``).
    **fit_kwargs
        Passed to :func:`fit`.

    Returns
    -------
    list of Fit
        One per budget, in the order given.
    """
    img = load_image(image)
    if len(budgets) == 0:
        raise BudgetError("budgets is empty; pass at least one budget, e.g. [1000, 4000]")
    return [fit(img, b, family, **fit_kwargs) for b in budgets]


# --------------------------------------------------------------------------- internals


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
    from dataclasses import replace

    return replace(cfg, batch_size=batch)


def _loss(model: Field, coords: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return F.mse_loss(model(coords).float(), target)


@torch.no_grad()
def _whole_image_loss(model: Field, coords: torch.Tensor, target: torch.Tensor, cfg: TrainConfig) -> float:
    chunk = max(1024, (64 << 20) // _bytes_per_point(model))
    total = torch.zeros((), dtype=torch.float64, device=coords.device)
    for i in range(0, coords.shape[0], chunk):
        err = model(coords[i : i + chunk]).float() - target[i : i + chunk]
        total += err.double().square().sum()
    return float(total) / target.numel()


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


def _train(
    model: Field,
    coords: torch.Tensor,
    target: torch.Tensor,
    cfg: TrainConfig,
    *,
    progress: bool,
    callback: Callable[[int, Field], None] | None,
    desc: str,
) -> tuple[History, float]:
    device = coords.device
    params = [p for p in model.parameters() if p.requires_grad]

    def optimizer() -> torch.optim.Adam:
        return torch.optim.Adam(params, lr=cfg.lr, betas=cfg.betas, eps=cfg.eps)

    def snapshot() -> list[torch.Tensor]:
        return [p.detach().clone() for p in params]

    def restore(state: list[torch.Tensor]) -> None:
        with torch.no_grad():
            for p, s in zip(params, state):
                p.copy_(s)

    opt = optimizer()
    batches = None if cfg.batch_size is None else _Batches(coords.shape[0], cfg.batch_size, cfg.seed, device)
    history = History()
    best_loss, best_state = math.inf, snapshot()
    lr_scale, recoveries = 1.0, 0
    model.train()
    bar = tqdm(total=cfg.steps, desc=desc, unit="step", disable=None if progress else True, leave=False)
    t0 = time.perf_counter()
    with bar, matmul_precision(device, cfg.precision):
        for step in range(1, cfg.steps + 1):
            lr_now = cfg.lr_at(step) * lr_scale
            for group in opt.param_groups:
                group["lr"] = lr_now
            if batches is None:
                loss = _loss(model, coords, target)
            else:
                idx = batches.next()
                loss = _loss(model, coords[idx], target[idx])
            if (step - 1) % cfg.log_every == 0:
                # Whole-image loss of the current weights (before this update).
                value = loss.item() if batches is None else _whole_image_loss(model, coords, target, cfg)
                if not math.isfinite(value):
                    recoveries += 1
                    if recoveries > cfg.max_recoveries:
                        raise TrainingDiverged(
                            f"the loss became {value} at step {step - 1} after {cfg.max_recoveries} recoveries "
                            f"(each restored the best weights and halved the learning rate); "
                            f"try a lower lr= than {cfg.lr:g}"
                        )
                    restore(best_state)
                    lr_scale *= 0.5
                    opt = optimizer()
                    history.events.append((step - 1, f"loss {value}; restored best weights, lr ×{lr_scale:g}"))
                    bar.update(1)
                    continue
                if value < best_loss:
                    best_loss, best_state = value, snapshot()
                history.append(step - 1, value, time.perf_counter() - t0, lr_now)
                bar.set_postfix_str(f"{history.psnr[-1]:.2f} dB", refresh=False)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if callback is not None:
                callback(step, model)
            bar.update(1)
        final = _whole_image_loss(model, coords, target, cfg)
    if not math.isfinite(final) or final > best_loss:
        if not math.isfinite(best_loss):
            raise TrainingDiverged(
                f"the loss was never finite (last {final}); try a lower lr= than {cfg.lr:g} or check the image"
            )
        restore(best_state)
        if not math.isfinite(final):
            history.events.append((cfg.steps, f"loss {final} at the end; restored best weights"))
        final = best_loss
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    seconds = time.perf_counter() - t0
    history.append(cfg.steps, final, seconds, cfg.lr_at(cfg.steps) * lr_scale)
    return history, seconds
