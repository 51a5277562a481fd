"""The one training loop: :func:`train` several networks on the same :class:`Points`.

Adam with each network's own schedule (linear warm-up, cosine decay),
full batch or seeded random mini-batches (without replacement within an
epoch, drawn on the CPU). Every ``log_every`` steps it reads the whole-set
loss back from the device (the only host–device syncs), keeps the best
weights seen, and recovers from a non-finite loss by restoring them and
halving the learning rate. :func:`pixparam.fit`, :func:`pixparam.fit_ladder`,
:func:`pixparam.edit.heal`, the experiments and the films all train here.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from ..devices import matmul_precision
from ..errors import ConfigError, TrainingDiverged
from ..fields.base import Field, Prepared
from ..result import History
from .config import TrainConfig
from .memory import bytes_per_point, memory_cap, prepared_bytes
from .points import Points

__all__ = ["TrainResult", "networks_trained", "train"]

_TORCH_VERSION = tuple(int(part) for part in torch.__version__.split("+")[0].split(".")[:2])
_TRAINED = [0]  # networks this process has trained (see networks_trained)


def networks_trained() -> int:
    """How many networks :func:`train` has finished training in this process (a counter for caches and tests)."""
    return _TRAINED[0]


@dataclass
class TrainResult:
    """What :func:`train` returns per network: its curve and the loop's wall time.

    Attributes
    ----------
    history : History
        The training curve.
    seconds : float
        Wall time of the whole loop (shared by the networks trained together).
    """

    history: History
    seconds: float


def train(
    models: Sequence[nn.Module],
    points: Points,
    configs: Sequence[TrainConfig],
    *,
    callback: Callable[[int, nn.Module], None] | None = None,
    progress: bool = True,
    desc: str = "train",
) -> list[TrainResult]:
    """Train networks on ``points`` in one loop; each ends with its best weights.

    Every step computes each network's loss, backpropagates their sum (the
    networks share no parameters, so each gets exactly its own gradient) and
    takes one Adam step with a parameter group per network. Each network
    keeps its own schedule, mini-batches, best weights and recoveries, so
    the result for each is the one training it alone gives (bit-identical on
    the CPU).

    Parameters
    ----------
    models : sequence of nn.Module
        Fields (or modules with a field's ``arch``: a wrapper that constrains
        one), modified in place; left in eval mode. A model with a
        ``penalty()`` method (a scalar tensor, such as
        :func:`pixparam.edit.qat`'s rate term) has it added to its loss
        before the backward pass; the logged loss, the PSNR and the choice
        of best weights stay the squared error alone.
    points : Points
        The data, on the models' device.
    configs : sequence of TrainConfig
        One per model (:meth:`TrainConfig.resolve`); networks trained
        together need the same ``steps``, ``log_every``, ``device`` and
        ``precision``.
    callback : callable, optional
        ``callback(step, model)`` after every update (``step`` from 1), for
        each model in order.
    progress : bool
        Show a tqdm bar (only on a terminal).
    desc : str
        The bar's label.

    Returns
    -------
    list of TrainResult
        One per model, in order.

    Raises
    ------
    ConfigError
        Mismatched models and configs, or settings that cannot share a loop.
    TrainingDiverged
        A loss stayed non-finite after every recovery.
    """
    if len(models) != len(configs) or not models:
        raise ConfigError(f"train() takes one config per model; got {len(models)} models and {len(configs)} configs")
    head = configs[0]
    if any(
        (c.steps, c.log_every, c.device, c.precision) != (head.steps, head.log_every, head.device, head.precision)
        for c in configs
    ):
        raise ConfigError("networks trained together need the same steps, log_every, device and precision")
    device = points.device
    spare = memory_cap(device, head.memory_cap) // (4 * len(models))
    if any(c.compile for c in configs):
        # Each loop compiles its networks afresh. Dynamo keys what it compiled by the forward's code, which every
        # field of a family (and every family's forward_prepared) shares, and after torch's recompile limit (8)
        # it runs that code eagerly without a word: a process that trained many networks (a gallery, a sweep)
        # would lose the compiled path after its first few fits.
        torch.compiler.reset()
    members = [_Member(m, c, points, spare) for m, c in zip(models, configs)]
    groups = [{"params": m.params, "lr": m.cfg.lr, "betas": m.cfg.betas, "eps": m.cfg.eps} for m in members]
    opt = torch.optim.Adam(groups, **adam_options(device, head.fused_adam))
    for m in members:
        m.model.train()
    bar = tqdm(total=head.steps, desc=desc, unit="step", disable=None if progress else True, leave=False)
    t0 = time.perf_counter()
    with bar, matmul_precision(device, head.precision):
        for step in range(1, head.steps + 1):
            losses = []
            for m, group in zip(members, opt.param_groups):
                group["lr"] = m.cfg.lr_at(step) * m.lr_scale
                losses.append(m.loss(points))
            if (step - 1) % head.log_every == 0:
                _log(members, losses, opt, step - 1, time.perf_counter() - t0, points)
                bar.set_postfix_str(_psnr_text(members), refresh=False)
            live = [m.objective(loss) for m, loss in zip(members, losses) if not m.skip]
            opt.zero_grad(set_to_none=True)
            if live:
                sum(live[1:], live[0]).backward()
                opt.step()
            for m in members:
                m.skip = False
            if callback is not None:
                for m in members:
                    callback(step, m.model)
            bar.update(1)
        finals = [m.finish(points) for m in members]
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    seconds = time.perf_counter() - t0
    out = []
    for m, final in zip(members, finals):
        m.model.eval()
        m.history.append(head.steps, final, seconds, m.cfg.lr_at(head.steps) * m.lr_scale)
        out.append(TrainResult(m.history, seconds))
    _TRAINED[0] += len(members)
    return out


def adam_options(device: torch.device, fused: bool | None = None) -> dict[str, Any]:
    """Keyword arguments for ``torch.optim.Adam``: fused (one kernel per step for all tensors) where it exists.

    ``fused=None`` fuses on the CPU (torch >= 2.4) and CUDA. On a CPU it
    saves the per-tensor overhead that dominates small fits and is about
    even on large ones (``benchmarks/bench_fastpaths.py``); on CUDA it is
    PyTorch's fastest Adam. Results agree with the plain Adam to rounding.

    Parameters
    ----------
    device : torch.device
        Where the parameters are.
    fused : bool, optional
        Force the fused Adam on (where it exists) or off.

    Returns
    -------
    dict
        ``{"fused": True}`` or ``{}``.
    """
    fused_devices = ("cpu", "cuda") if _TORCH_VERSION >= (2, 4) else ("cuda",)
    if fused is None:
        fused = device.type in fused_devices
    return {"fused": True} if fused and device.type in fused_devices else {}


class _Batches:
    """Random point indices, a fresh permutation per epoch, drawn on the CPU from ``seed`` and then moved."""

    def __init__(self, n: int, batch: int, seed: int, device: torch.device) -> None:
        self.n, self.batch, self.device = n, batch, device
        self.gen = torch.Generator().manual_seed(seed)
        self.perm = torch.empty(0, dtype=torch.int64, device=device)
        self.pos = 0

    def next(self) -> torch.Tensor:
        if self.pos + self.batch > self.perm.numel():
            self.perm = torch.randperm(self.n, generator=self.gen).to(self.device)
            self.pos = 0
        idx = self.perm[self.pos : self.pos + self.batch]
        self.pos += self.batch
        return idx


def _take(prepared: Prepared, idx: slice | torch.Tensor) -> Prepared:
    return prepared[idx] if isinstance(prepared, torch.Tensor) else tuple(t[idx] for t in prepared)


def _compile_failed(err: Exception) -> None:
    first = str(err).splitlines()[0] if str(err) else ""
    warnings.warn(f"torch.compile failed ({type(err).__name__}: {first}); training without it", stacklevel=4)


def _compiled(fn: Callable[[Any], torch.Tensor]) -> Callable[[Any], torch.Tensor] | None:
    """``torch.compile(fn)``, or None (with a warning) where this torch cannot compile at all."""
    try:
        return torch.compile(fn)
    except Exception as err:  # e.g. an unsupported Python version
        _compile_failed(err)
        return None


def _sq_error(out: torch.Tensor, target: torch.Tensor, weights: torch.Tensor | None) -> torch.Tensor:
    """The mean squared error, or its ``weights``-weighted mean over points."""
    if weights is None:
        return F.mse_loss(out.float(), target)
    per_point = (out.float() - target).square().mean(dim=1)
    return (per_point * weights).sum() / weights.sum()


class _Member:
    """One network in a training loop: its model, settings, optimiser group and running state."""

    def __init__(self, model: nn.Module, cfg: TrainConfig, points: Points, budget_bytes: int) -> None:
        self.model, self.cfg = model, cfg
        self.params = [p for p in model.parameters() if p.requires_grad]
        coords = points.coords
        n = points.n
        self.batches = None if cfg.batch_size is None else _Batches(n, cfg.batch_size, cfg.seed, coords.device)
        self.prepared: Prepared | None = None
        if isinstance(model, Field) and cfg.prepare:
            # The encoding of fixed points never changes: compute it once when it fits in memory.
            with torch.no_grad():
                per_point = prepared_bytes(model.prepare(coords[:1]))
                if per_point * n <= budget_bytes:
                    self.prepared = model.prepare(coords)
        # the forward pass from inputs(): the model itself, or its prepared-input half
        forward = model if self.prepared is None else model.forward_prepared  # type: ignore[union-attr]
        self.eager: Callable[[Any], torch.Tensor] = forward
        self.train_forward = _compiled(self.eager) if cfg.compile else None
        penalty = getattr(model, "penalty", None)  # a model's own term in the objective, e.g. a rate
        self.penalty: Callable[[], torch.Tensor] | None = penalty if callable(penalty) else None
        self.history = History()
        # best weights by the objective: the squared error (best_loss), plus the penalty where there is one
        self.best_loss, self.best_score, self.best_state = math.inf, math.inf, self.snapshot()
        self.lr_scale, self.recoveries, self.skip = 1.0, 0, False

    def inputs(self, coords: torch.Tensor, rows: slice | torch.Tensor | None = None) -> Prepared:
        """What :attr:`eager` takes for the points ``coords[rows]`` (all points when ``rows`` is None)."""
        source = coords if self.prepared is None else self.prepared
        return source if rows is None else _take(source, rows)

    def loss(self, points: Points) -> torch.Tensor:
        """The training loss of this step's points (through ``torch.compile`` when asked for)."""
        rows = None if self.batches is None else self.batches.next()
        x = self.inputs(points.coords, rows)
        out = None
        if self.train_forward is not None:
            try:
                out = self.train_forward(x)
            except Exception as err:  # any compiler failure (it compiles on the first call): train uncompiled
                _compile_failed(err)
                self.train_forward = None
        if out is None:
            out = self.eager(x)
        w = points.weights
        if rows is None:
            return _sq_error(out, points.target, w)
        return _sq_error(out, points.target[rows], None if w is None else w[rows])

    def objective(self, loss: torch.Tensor) -> torch.Tensor:
        """What is minimised: the squared error ``loss``, plus the model's ``penalty()`` if it has one."""
        return loss if self.penalty is None else loss + self.penalty()

    @torch.no_grad()
    def score(self, loss: float) -> float:
        """The objective of the current weights whose squared error is ``loss`` (the loss itself without a penalty)."""
        return loss if self.penalty is None else loss + float(self.penalty())

    @torch.no_grad()
    def whole_loss(self, points: Points) -> float:
        """The loss over every point, in chunks (float64 sums)."""
        chunk = max(1024, (64 << 20) // bytes_per_point(self.model))
        total = torch.zeros((), dtype=torch.float64, device=points.device)
        w = points.weights
        for i in range(0, points.n, chunk):
            rows = slice(i, i + chunk)
            err = (self.eager(self.inputs(points.coords, rows)).float() - points.target[rows]).double().square()
            total += err.sum() if w is None else (err.mean(dim=1) * w[rows].double()).sum()
        if w is None:
            return float(total) / points.target.numel()
        return float(total) / float(w.double().sum())

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

    def finish(self, points: Points) -> float:
        """Restore the best weights if the last ones are worse; the final whole-set loss."""
        final = self.whole_loss(points)
        if math.isfinite(final) and self.score(final) <= self.best_score:
            return final
        if not math.isfinite(self.best_loss):
            raise TrainingDiverged(
                f"the loss was never finite (last {final}); try a lower lr= than {self.cfg.lr:g} or check the image"
            )
        self.restore(self.best_state)
        if not math.isfinite(final):
            self.history.events.append((self.cfg.steps, f"loss {final} at the end; restored best weights"))
        return self.best_loss


def _log(
    members: Sequence[_Member],
    losses: Sequence[torch.Tensor],
    opt: torch.optim.Optimizer,
    step: int,
    seconds: float,
    points: Points,
) -> None:
    """History points and best weights of the current weights (before update ``step + 1``); one sync for all."""
    full = [i for i, m in enumerate(members) if m.batches is None]
    values: list[float] = [math.nan] * len(members)
    if full:
        for i, v in zip(full, torch.stack([losses[i].detach() for i in full]).tolist()):
            values[i] = v
    for i, m in enumerate(members):
        if m.batches is not None:
            values[i] = m.whole_loss(points)
    for m, value, group in zip(members, values, opt.param_groups):
        if not math.isfinite(value):
            m.recover(value, step, opt)
            continue
        score = m.score(value)
        if score < m.best_score:
            m.best_loss, m.best_score, m.best_state = value, score, m.snapshot()
        m.history.append(step, value, seconds, group["lr"])


def _psnr_text(members: Sequence[_Member]) -> str:
    psnrs = [m.history.psnr[-1] for m in members if len(m.history)]
    if not psnrs:
        return ""
    return f"{psnrs[0]:.2f} dB" if len(psnrs) == 1 else f"{min(psnrs):.1f}–{max(psnrs):.1f} dB"
