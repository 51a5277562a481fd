"""Coordinate networks, one module per family, and :func:`build`."""

from __future__ import annotations

import torch
from torch import nn

from ..budget import FAMILIES, Arch
from ..errors import BudgetError
from .base import MLP, Field
from .fourier import FourierMLP
from .hashgrid import HashGrid
from .relu import ReluMLP
from .siren import Siren

__all__ = ["FAMILIES", "MLP", "Field", "FourierMLP", "HashGrid", "ReluMLP", "Siren", "build", "n_trainable"]

_CLASSES: dict[str, type[Field]] = {
    "siren": Siren,
    "fourier": FourierMLP,
    "relu": ReluMLP,
    "hashgrid": HashGrid,
}


def build(arch: Arch, seed: int = 0, device: str | torch.device | None = None) -> Field:
    """Build the network an :class:`Arch` describes, initialised from ``seed``.

    Parameters
    ----------
    arch : Arch
        From :func:`pixparam.plan`.
    seed : int
        Seeds a private CPU generator for every initial value (and Fourier
        frequencies), so building never touches torch's global RNG and gives
        the same module on every device.
    device : str or torch.device, optional
        Where to put the module (default CPU).

    Returns
    -------
    Field
        ``module(coords)`` maps ``(N, 2)`` coordinates to ``(N, C)`` colours;
        its trainable parameter count equals ``arch.n_params``.
    """
    cls = _CLASSES.get(arch.family)
    if cls is None:
        raise BudgetError(f"unknown family {arch.family!r}; choose one of {', '.join(FAMILIES)}")
    generator = torch.Generator().manual_seed(int(seed))
    module = cls(arch, generator)
    if device is not None:
        module = module.to(device)
    return module


def n_trainable(module: nn.Module) -> int:
    """Number of trainable parameter values in ``module``."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
