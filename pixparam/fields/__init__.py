"""Coordinate networks, one module per family, the family registry, and :func:`build`.

Each family module defines a :class:`Field` and a :class:`FamilySpec`; the
lines below register the built-in ones. ``pp.fields.register(spec)`` adds
another (see :mod:`pixparam.fields.registry`).
"""

from __future__ import annotations

from torch import nn

from . import finer, fourier, gaussians, grid, hashgrid, relu, siren, wire
from .base import MLP, Field, Prepared, build, bytes_per_point, hidden_layers
from .finer import Finer
from .fourier import FourierMLP
from .gaussians import Gaussians
from .grid import Grid
from .hashgrid import HashGrid
from .multi import MultiArch, MultiField, plan_multi, takes_embedding, with_index
from .registry import FAMILIES, FamilyDefaults, FamilySpec, register, spec_for, unregister
from .relu import ReluMLP
from .siren import Siren
from .wire import Wire

__all__ = [
    "FAMILIES",
    "MLP",
    "FamilyDefaults",
    "FamilySpec",
    "Field",
    "Finer",
    "FourierMLP",
    "Gaussians",
    "Grid",
    "HashGrid",
    "MultiArch",
    "MultiField",
    "Prepared",
    "ReluMLP",
    "Siren",
    "Wire",
    "build",
    "bytes_per_point",
    "hidden_layers",
    "n_trainable",
    "plan_multi",
    "register",
    "spec_for",
    "takes_embedding",
    "unregister",
    "with_index",
]

# The built-in families, in the order figures show them: from pixels to networks. A trained
# grid of pixels, then pixels that move (2D Gaussians), then values that sit at places (hashed
# multi-scale tables feeding a tiny MLP), then pure networks of raw coordinates, the ReLU
# "bad lens" last.
register(grid.SPEC)
register(gaussians.SPEC)
register(hashgrid.SPEC)
register(fourier.SPEC)
register(siren.SPEC)
register(finer.SPEC)
register(wire.SPEC)
register(relu.SPEC)


def n_trainable(module: nn.Module) -> int:
    """Number of trainable parameter values in ``module``.

    Parameters
    ----------
    module : torch.nn.Module
        Any module; parameters with ``requires_grad=False`` are not counted.

    Returns
    -------
    int
        For a built field, ``arch.n_params``.
    """
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
