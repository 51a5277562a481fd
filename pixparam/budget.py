"""Budgets: parsing ``"4k"``-style counts, and :func:`plan`, which asks the family registry for an architecture.

A *budget* is a count of trainable values (weights, biases, grid tables).
:func:`plan` validates the budget, channels and resolution, then asks the
family's planner (:class:`~pixparam.fields.FamilySpec`) for the architecture
with the most parameters not above the budget; :class:`Arch` records it with
its exact count, and ``tests/test_budget.py`` checks counts against the built
modules.

How the built-in families meet a budget
---------------------------------------
MLP families (``siren``, ``fourier``, ``relu``) have ``depth`` hidden layers of
width ``W``; the last hidden layer may be narrowed to ``W'`` (``W/2 <= W' <= W``)
so the count lands within one row of weights of the budget. ``hashgrid`` fixes
its levels and tiny MLP from the budget and fills the rest with hash-table
entries (any table size, not only powers of two). ``gaussians`` holds
``budget // (5 + C)`` Gaussians of ``5 + C`` values each.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .arch import Arch, mlp_count
from .errors import BudgetError
from .fields.fourier import FOURIER_SIGMA_PER_SQRT_FEATURE
from .fields.registry import FAMILIES, spec_for

__all__ = ["FAMILIES", "Arch", "count", "format_count", "mlp_count", "parse_budget", "plan"]

#: Longest image side assumed when ``plan`` is not told the image's resolution.
DEFAULT_RESOLUTION = 256

#: The largest budget :func:`plan` accepts (1G): a billion float32 parameters and their Adam state take
#: 20 GB, and planning stays well under a second; above it, plan refuses at once.
MAX_BUDGET = 10**9

#: The longest image side :func:`plan` accepts as ``resolution`` (a million pixels).
MAX_RESOLUTION = 2**20

__all__ += ["DEFAULT_RESOLUTION", "FOURIER_SIGMA_PER_SQRT_FEATURE", "MAX_BUDGET", "MAX_RESOLUTION"]


def count(family: str, channels: int, widths: Sequence[int], options: Mapping[str, Any]) -> int:
    """Exact trainable parameter count of a family's network (``FamilySpec.count``).

    Parameters
    ----------
    family : str
        A registered family (:data:`FAMILIES`).
    channels : int
        Output channels (1, 3 or 4).
    widths : sequence of int
        Hidden layer widths, input side first.
    options : mapping
        The family's settings, as in :attr:`Arch.options`.

    Returns
    -------
    int
    """
    return spec_for(family).count(channels, widths, options)


def plan(
    budget: int | str,
    family: str = "siren",
    channels: int = 3,
    *,
    resolution: int | None = None,
    **options: Any,
) -> Arch:
    """Choose the architecture of ``family`` with the most parameters ``<= budget``.

    Parameters
    ----------
    budget : int or str
        Trainable parameters allowed (``4096``, ``"4k"``, ``"1.5M"``).
    family : str
        A registered family (:data:`FAMILIES`); the family's own planner
        (``FamilySpec.plan``) chooses the architecture.
    channels : int
        Output channels of the image (1, 3 or 4).
    resolution : int, optional
        Longest side of the image to be fitted; sizes the hash grid's finest
        level. :func:`pixparam.fit` passes it; default 256.
    **options
        ``depth`` (hidden layers; MLP families), ``omega0`` (siren, 30),
        ``n_features`` and ``sigma`` (fourier; features default to the hidden
        width, σ in cycles per image side to 0.65·√n_features, which is
        Tancik et al.'s σ = 10 at 256 features),
        ``levels``, ``features_per_level``, ``width``, ``base_resolution``
        (hashgrid), ``cutoff``, ``blending`` and ``fill`` (gaussians).

    Returns
    -------
    Arch
        ``n_params <= budget``, and ``>= 0.97 * budget`` whenever the family
        can reach it.

    Raises
    ------
    BudgetError
        The budget is below the family's minimum (the message says it) or
        above :data:`MAX_BUDGET`, or an option is invalid.

    Examples
    --------
    >>> import pixparam as pp
    >>> arch = pp.plan(4096, "siren", channels=3)
    >>> arch.n_params <= 4096, arch.n_params >= 0.97 * 4096
    (True, True)
    """
    budget = parse_budget(budget)
    if budget > MAX_BUDGET:
        shown = f"{budget:,}" if budget < 10**15 else f"about 10^{len(str(budget)) - 1}"
        raise BudgetError(
            f"budget {shown} is above the largest pixparam plans, {format_count(MAX_BUDGET)} "
            f"({MAX_BUDGET:,} params, 20 GB to train); pass a smaller budget"
        )
    if isinstance(channels, bool) or channels not in (1, 3, 4):
        raise BudgetError(f"channels={channels!r}; images have 1, 3 or 4 channels")
    spec = spec_for(family)
    try:
        res = DEFAULT_RESOLUTION if resolution is None else operator.index(resolution)
    except TypeError:
        res = 0
    if isinstance(resolution, bool) or not 2 <= res <= MAX_RESOLUTION:
        raise BudgetError(
            f"resolution={resolution!r}; it is the image's longest side, from 2 to {MAX_RESOLUTION:,} pixels"
        )
    return spec.plan(budget, channels, res, dict(options))


# --------------------------------------------------------------------------- budget strings

_BUDGET_RE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([kKmMgG]i?)?\s*$")
_SUFFIX = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "ki": 2**10, "mi": 2**20, "gi": 2**30}


def parse_budget(budget: int | str) -> int:
    """Parse a budget: ``4096``, ``"4096"``, ``"4k"`` (4,000), ``"1.5M"``, ``"4Ki"`` (4,096).

    ``k``/``M``/``G`` are decimal (10^3, 10^6, 10^9); ``Ki``/``Mi``/``Gi`` binary.

    Parameters
    ----------
    budget : int or str
        A whole number of parameters, or a string with an optional suffix;
        ``_`` and ``,`` separators are ignored.

    Returns
    -------
    int
        At least 1.

    Raises
    ------
    BudgetError
        Not a positive whole number of parameters.
    """
    if isinstance(budget, bool):
        raise BudgetError(f"budget={budget!r} is not a number of parameters")
    if isinstance(budget, int) or (hasattr(budget, "__index__") and not isinstance(budget, str)):
        value = int(budget)
    elif isinstance(budget, float) and budget.is_integer():
        value = int(budget)
    elif isinstance(budget, str):
        m = _BUDGET_RE.match(budget.replace("_", "").replace(",", ""))
        if not m:
            raise BudgetError(f"budget {budget!r} is not a number of parameters; write e.g. 4096, 4k, 1.5M or 4Ki")
        scaled = float(m.group(1)) * _SUFFIX[(m.group(2) or "").lower()]
        if abs(scaled - round(scaled)) > 1e-6 * max(1.0, scaled):
            raise BudgetError(f"budget {budget!r} is {scaled:g} parameters, not a whole number")
        value = round(scaled)
    else:
        raise BudgetError(f"budget={budget!r} is not a number of parameters; write e.g. 4096 or '4k'")
    if value < 1:
        raise BudgetError(f"budget {budget!r} must be at least 1 parameter")
    return value


def format_count(n: float) -> str:
    """A count for people: ``950``, ``4.1k``, ``65k``, ``1.5M``.

    Parameters
    ----------
    n : float
        The count.

    Returns
    -------
    str
        One decimal below 10 of a unit, none above.
    """
    n = float(n)
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(n) >= scale:
            v = n / scale
            return f"{v:.1f}{unit}" if v < 10 else f"{v:.0f}{unit}"
    return f"{n:.0f}"
