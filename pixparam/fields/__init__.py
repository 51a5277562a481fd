"""Coordinate networks, one module per family, the family registry, and :func:`build`.

Each family module defines a :class:`Field` and a :class:`FamilySpec`; the
lines below register the built-in ones. ``pp.fields.register(spec)`` adds
another (see :mod:`pixparam.fields.registry`).
"""

from __future__ import annotations

from torch import nn

from . import fourier, gaussians, hashgrid, relu, siren
from .base import MLP, Field, Prepared, build, bytes_per_point, hidden_layers
from .fourier import FourierMLP
from .gaussians import Gaussians
from .hashgrid import HashGrid
from .multi import MultiArch, MultiField, plan_multi, with_index
from .registry import FAMILIES, FamilyDefaults, FamilySpec, register, spec_for, unregister
from .relu import ReluMLP
from .siren import Siren

__all__ = [
    "FAMILIES",
    "MLP",
    "FamilyDefaults",
    "FamilySpec",
    "Field",
    "FourierMLP",
    "Gaussians",
    "HashGrid",
    "MultiArch",
    "MultiField",
    "Prepared",
    "ReluMLP",
    "Siren",
    "build",
    "bytes_per_point",
    "hidden_layers",
    "n_trainable",
    "plan_multi",
    "register",
    "spec_for",
    "unregister",
    "with_index",
]

# The built-in families, in the order figures show them.
register(siren.SPEC)
register(fourier.SPEC)
register(relu.SPEC)
register(hashgrid.SPEC)
register(gaussians.SPEC)


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
