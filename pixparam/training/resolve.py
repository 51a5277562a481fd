"""The architecture a fit trains: a budget planned for the image, or a given :class:`~pixparam.Arch`, checked."""

from __future__ import annotations

from typing import Any

from ..arch import Arch
from ..budget import plan
from ..errors import BudgetError
from ..fields import spec_for

__all__ = ["resolve_arch"]


def resolve_arch(
    budget: int | str | Arch,
    family: str | None,
    channels: int,
    resolution: int,
    options: dict[str, Any],
    *,
    shape: tuple[int, int] | None = None,
) -> Arch:
    """``budget`` itself when it is an Arch (checked against the family, channels and options), else a plan.

    Parameters
    ----------
    budget : int, str or Arch
        A budget, or an architecture planned before.
    family : str or None
        The family (``None``: ``"siren"``, or the Arch's).
    channels : int
        The image's channels.
    resolution : int
        The image's longest side.
    options : dict
        Architecture options for :func:`pixparam.plan`.
    shape : (int, int), optional
        The image's ``(H, W)``, passed to a family that plans from it
        (``FamilySpec.shape_option``) unless ``options`` already sets it.

    Returns
    -------
    Arch

    Raises
    ------
    BudgetError
        An Arch that disagrees with ``family``, ``channels`` or ``options``.
    """
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
    family = family or "siren"
    key = spec_for(family).shape_option
    if key is not None and shape is not None and options.get(key) is None:
        options = {**options, key: (int(shape[0]), int(shape[1]))}
    return plan(budget, family, channels, resolution=resolution, **options)
