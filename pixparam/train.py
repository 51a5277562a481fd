"""Deprecated location: :func:`fit`, :func:`fit_ladder` and :class:`TrainConfig` live in :mod:`pixparam.training`.

Kept so ``from pixparam.train import fit, TrainConfig`` keeps working; new code
imports from :mod:`pixparam.training` (or uses ``pp.fit``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .fields.registry import FAMILIES, FamilyDefaults, spec_for
from .training import DEFAULT_STEPS, TrainConfig, fit, fit_ladder

__all__ = ["DEFAULT_STEPS", "FAMILY_DEFAULTS", "FamilyDefaults", "TrainConfig", "fit", "fit_ladder"]


class _Defaults(Mapping[str, FamilyDefaults]):
    """Read-only ``{family: FamilyDefaults}`` from the registry (each ``FamilySpec.defaults``)."""

    def __getitem__(self, family: str) -> FamilyDefaults:
        return spec_for(family).defaults

    def __iter__(self) -> Iterator[str]:
        return iter(FAMILIES)

    def __len__(self) -> int:
        return len(FAMILIES)


#: Per-family optimiser defaults, read from the registry (deprecated: use ``pp.fields.spec_for(f).defaults``).
FAMILY_DEFAULTS: Mapping[str, FamilyDefaults] = _Defaults()
