"""The trainer's memory model: activation bytes per point, the memory cap, and automatic mini-batches."""

from __future__ import annotations

import math
import os
from dataclasses import replace

import torch
from torch import nn

from ..arch import Arch
from ..fields.base import Prepared, bytes_per_point
from .config import TrainConfig

__all__ = ["auto_batch", "bytes_per_point", "check_train_memory", "memory_cap", "prepared_bytes", "step_bytes"]

#: Bytes each trainable parameter takes while training: float32 weights, gradients, Adam's two moments, best weights.
BYTES_PER_PARAM = 20


def memory_cap(device: torch.device, override: int | None = None) -> int:
    """Bytes a training step may use for activations.

    ``override`` when given; else half the free CUDA memory on a GPU, or a
    quarter of RAM up to 4 GiB.

    Parameters
    ----------
    device : torch.device
        Where training runs.
    override : int, optional
        The cap to use (``TrainConfig.memory_cap``).

    Returns
    -------
    int
    """
    if override is not None:
        return int(override)
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return free // 2
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 16 << 30
    return min(4 << 30, total // 4)


def step_bytes(cfg: TrainConfig, model: nn.Module | Arch, n_points: int) -> int:
    """Activation memory of one training step: forward activations, their gradients, slack.

    Parameters
    ----------
    cfg : TrainConfig
        Its ``batch_size`` (``None``: every point) sets the points per step.
    model : torch.nn.Module or Arch
        The network, or its architecture.
    n_points : int
        Training points.

    Returns
    -------
    int
        Bytes.
    """
    return 3 * bytes_per_point(model) * (cfg.batch_size or n_points)


def auto_batch(cfg: TrainConfig, model: nn.Module | Arch, n_points: int) -> TrainConfig:
    """``cfg`` with random mini-batches (a power of two, at least 4096) when full batch exceeds the memory cap.

    Parameters
    ----------
    cfg : TrainConfig
        Resolved settings without a ``batch_size``.
    model : torch.nn.Module or Arch
        The network, or its architecture.
    n_points : int
        Training points.

    Returns
    -------
    TrainConfig
        ``cfg`` itself when full batch fits.
    """
    per_point = 3 * bytes_per_point(model)
    cap = memory_cap(torch.device(cfg.device), cfg.memory_cap)
    if n_points * per_point <= cap:
        return cfg
    batch = max(1 << 12, 1 << int(math.log2(max(1, cap // per_point))))
    if batch >= n_points:
        return cfg
    return replace(cfg, batch_size=batch)


def prepared_bytes(prepared: Prepared) -> int:
    """Bytes held by a prepared encoding (one tensor or a tuple).

    Parameters
    ----------
    prepared : torch.Tensor or tuple of torch.Tensor
        What :meth:`pixparam.fields.Field.prepare` returned.

    Returns
    -------
    int
    """
    parts = (prepared,) if isinstance(prepared, torch.Tensor) else prepared
    return sum(t.numel() * t.element_size() for t in parts)


def check_train_memory(cfg: TrainConfig, arch: Arch, n_points: int, channels: int) -> None:
    """Refuse, before anything is built, a fit whose parameters, optimiser state and pixels exceed the memory limit.

    The estimate: :data:`BYTES_PER_PARAM` per parameter, the fixed values,
    the points (coordinates and colours, twice: built on the host, moved to
    the device), one step's activations and the final render.

    Raises
    ------
    BudgetError
        The parameters take most of the estimate (lower the budget).
    ImageError
        The pixels take most of it (lower the image size).

    Parameters
    ----------
    cfg : TrainConfig
        The run's settings (batch size, device, memory cap).
    arch : Arch
        The network.
    n_points : int
        Points per epoch.
    channels : int
        Target channels.
    """
    from ..budget import format_count
    from ..errors import BudgetError, ImageError
    from ..limits import check_memory, format_bytes

    params = BYTES_PER_PARAM * arch.n_params + 4 * arch.n_fixed
    pixels = 2 * 4 * n_points * (2 + channels) + 4 * n_points * channels
    total = params + pixels + step_bytes(cfg, arch, n_points)
    if params >= pixels:
        what = f"training {arch.describe()} (budget {format_count(arch.budget or arch.n_params)})"
        check_memory(total, what, "pass a smaller budget", BudgetError, device=cfg.device)
    else:
        what = f"training on {n_points:,} pixels ({format_bytes(pixels)} of coordinates and colours)"
        check_memory(total, what, "pass a smaller image size", ImageError, device=cfg.device)
