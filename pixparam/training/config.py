"""Training settings: :class:`TrainConfig`, one frozen dataclass that holds every setting of a run.

``TrainConfig.resolve(arch, ...)`` fills the family's defaults (from the
registry) and checks every value; :meth:`TrainConfig.key` is what decides the
result, derived from the dataclass fields (fields marked ``key=False`` change
only speed or rounding), so the store's key cannot drift from the settings.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
import torch

from ..arch import Arch
from ..devices import PRECISIONS, resolve_device
from ..errors import ConfigError
from ..fields.registry import spec_for

__all__ = ["DEFAULT_STEPS", "LR_WARN_FACTOR", "TrainConfig"]

#: Training steps when ``fit`` is not told.
DEFAULT_STEPS = 2000

#: A learning rate this many times the family's default draws a warning (it almost always diverges).
LR_WARN_FACTOR = 100


def _speed(default: Any) -> Any:
    """A field that changes speed or rounding only: left out of :meth:`TrainConfig.key`."""
    return field(default=default, metadata={"key": False})


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run besides the points and the architecture.

    Attributes
    ----------
    steps : int
        Optimiser steps.
    lr : float
        Peak learning rate (linear warm-up, then cosine decay to ``final_lr * lr``).
    seed : int
        Seeds mini-batch sampling (drawn on the CPU, so CPU and CUDA draw alike).
    device : str
        Where training runs (not in the key: a fit made on one device is reused on another).
    precision : str
        Matmul precision: ``"fp32"``, ``"tf32"`` or ``"bf16"`` (CUDA only).
    batch_size : int or None
        Points per step; ``None`` is full batch.
    log_every : int
        Steps between whole-image losses, history points and best-weight checks.
    final_lr, warmup : float
        End of the cosine decay (fraction of ``lr``) and length of the warm-up (fraction of ``steps``).
    betas, eps : Adam's settings.
    max_recoveries : int
        Non-finite losses recovered from (best weights restored, rate halved) before giving up.
    compile : bool
        Train the forward pass through ``torch.compile`` (speed; rounding only).
    prepare : bool
        Compute the encoding's parameter-free part once per run when it fits in memory (speed only).
    fused_adam : bool or None
        Fused Adam; ``None``: where this torch has it for the device (CPU from torch 2.4, CUDA).
    memory_cap : int or None
        Bytes a training step may use for activations; ``None``: a quarter of RAM up
        to 4 GiB on a CPU, half the free memory on CUDA.
    """

    steps: int
    lr: float
    seed: int
    device: str = _speed("cpu")
    precision: str = "fp32"
    batch_size: int | None = None
    log_every: int = 20
    final_lr: float = 0.05
    warmup: float = 0.02
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    max_recoveries: int = 3
    compile: bool = _speed(False)
    prepare: bool = _speed(True)
    fused_adam: bool | None = _speed(None)
    memory_cap: int | None = _speed(None)

    @classmethod
    def setting_names(cls) -> tuple[str, ...]:
        """Every field name: what ``fit(**options)`` treats as a training setting (the rest plan the Arch)."""
        return tuple(f.name for f in fields(cls))

    @classmethod
    def resolve(
        cls,
        arch: Arch,
        *,
        steps: int | None = None,
        lr: float | None = None,
        seed: int = 0,
        device: str | torch.device = "auto",
        precision: str = "auto",
        batch_size: int | None = None,
        log_every: int | None = None,
        n_points: int | None = None,
        **options: Any,
    ) -> TrainConfig:
        """The settings of a run of ``arch``: the family's defaults for what is not given, every value checked.

        Parameters
        ----------
        arch : Arch
            The network to train; its family's ``FamilyDefaults`` fill ``lr``,
            ``final_lr``, ``warmup``, ``betas``, ``eps`` and what
            ``precision="auto"`` means on CUDA.
        steps : int, optional
            Default :data:`DEFAULT_STEPS`.
        lr : float, optional
            Default the family's rate for this width.
        seed : int
        device : str or torch.device
            ``"auto"``: cuda, then mps, then cpu.
        precision : {"auto", "fp32", "tf32", "bf16"}
        batch_size : int, optional
            ``None`` or at least ``n_points``: full batch.
        log_every : int, optional
            Default about 100 points per run.
        n_points : int, optional
            Points per epoch, to recognise a full batch.
        **options
            Any other :class:`TrainConfig` field (``final_lr``, ``compile``, ``prepare``, ...).

        Raises
        ------
        ConfigError
            A value of the wrong type or out of range, or an unknown setting.
        """
        unknown = set(options) - set(cls.setting_names())
        if unknown:
            raise ConfigError(
                f"unknown training setting {', '.join(sorted(unknown))}; the settings are "
                f"{', '.join(cls.setting_names())}"
            )
        d = spec_for(arch.family).defaults
        dev = resolve_device(device)
        steps = DEFAULT_STEPS if steps is None else steps
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
            raise ConfigError(f"steps={steps!r}; it must be a positive integer")
        default_lr = d.lr_for(arch)
        lr = default_lr if lr is None else lr
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0:
            raise ConfigError(f"lr={lr!r}; it must be a positive number")
        if lr > LR_WARN_FACTOR * default_lr:
            warnings.warn(
                f"lr={lr:g} is {lr / default_lr:,.0f}× {arch.family}'s default rate for this network "
                f"({default_lr:.3g}); training will likely diverge and give a poor fit: leave lr unset or lower it",
                UserWarning,
                stacklevel=2,
            )
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ConfigError(f"seed={seed!r}; it must be a non-negative integer")
        if precision not in PRECISIONS:
            raise ConfigError(f"precision={precision!r}; choose one of {', '.join(PRECISIONS)}")
        if precision == "auto":
            precision = d.cuda_precision if dev.type == "cuda" else "fp32"
        if batch_size is not None and (
            isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1
        ):
            raise ConfigError(f"batch_size={batch_size!r}; it must be a positive integer or None")
        if batch_size is not None and n_points is not None and batch_size >= n_points:
            batch_size = None
        if log_every is None:
            log_every = max(1, steps // 100)
        if isinstance(log_every, bool) or not isinstance(log_every, int) or log_every < 1:
            raise ConfigError(f"log_every={log_every!r}; it must be a positive integer")
        for name in ("compile", "prepare"):
            if name in options and not isinstance(options[name], bool):
                raise ConfigError(f"{name}={options[name]!r}; it must be True or False")
        if options.get("fused_adam") not in (None, True, False):
            raise ConfigError(f"fused_adam={options['fused_adam']!r}; it must be True, False or None")
        cap = options.get("memory_cap")
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
            raise ConfigError(f"memory_cap={cap!r}; it must be a positive number of bytes or None")
        schedule = {"final_lr": d.final_lr, "warmup": d.warmup, "betas": d.betas, "eps": d.eps}
        if "betas" in options:  # a checkpoint's config holds them as a list
            options["betas"] = tuple(float(b) for b in options["betas"])
        return cls(
            steps=int(steps),
            lr=float(lr),
            seed=int(seed),
            device=str(dev),
            precision=precision,
            batch_size=batch_size,
            log_every=log_every,
            **{**schedule, **options},
        )

    def key(self) -> dict[str, Any]:
        """The settings that decide the result (every field not marked ``key=False``), JSON-ready."""
        return {f.name: _jsonable(getattr(self, f.name)) for f in fields(self) if f.metadata.get("key", True)}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (as stored in checkpoints and ``Fit.config``)."""
        return {**asdict(self), "betas": list(self.betas)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        """Rebuild from :meth:`to_dict` (older checkpoints lack the newer fields: they get their defaults).

        Parameters
        ----------
        d : dict
            A checkpoint's or a fit's ``config``; keys that are not settings
            (``init_from``, ``trained_with``) are ignored.

        Returns
        -------
        TrainConfig
        """
        names = set(cls.setting_names())
        kept = {k: v for k, v in d.items() if k in names}
        if "betas" in kept:
            kept["betas"] = tuple(kept["betas"])
        return cls(**kept)

    def lr_at(self, step: int) -> float:
        """Learning rate for update ``step`` (1-based): linear warm-up, then cosine decay.

        Parameters
        ----------
        step : int
            From 1 to ``steps``.

        Returns
        -------
        float
            Rises linearly to ``lr`` over the warm-up, then falls to
            ``final_lr * lr`` at the last step.
        """
        warm = max(1, round(self.warmup * self.steps))
        if step <= warm:
            return self.lr * step / warm
        t = (step - warm) / max(1, self.steps - warm)
        return self.lr * (self.final_lr + (1 - self.final_lr) * 0.5 * (1 + math.cos(math.pi * t)))


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
