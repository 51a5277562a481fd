"""Helpers for a family's planner: option checks, filling an MLP to a budget, activation memory.

Each family's module plans its own architecture with these (see
:class:`~pixparam.fields.registry.FamilySpec`); :func:`pixparam.plan` validates
the budget and asks the family.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from ..arch import Arch
from ..errors import BudgetError

__all__ = ["MAX_DEPTH", "check_options", "fill_mlp", "float_option", "int_option", "mlp_bytes_per_point"]

#: Most hidden layers :func:`fill_mlp` plans (coordinate MLPs use 2 to 8; planning time grows with depth).
MAX_DEPTH = 64


def check_options(family: str, options: Mapping[str, Any], allowed: set[str]) -> None:
    """Raise BudgetError naming any option ``family`` does not take (and the ones it does).

    Parameters
    ----------
    family : str
        The family, for the message.
    options : mapping
        The options the caller passed to :func:`pixparam.plan`.
    allowed : set of str
        The options the family takes.

    Raises
    ------
    BudgetError
        ``options`` holds a name not in ``allowed``.
    """
    unknown = set(options) - allowed
    if unknown:
        raise BudgetError(
            f"{family} has no option {', '.join(sorted(unknown))}; its options are {', '.join(sorted(allowed))}"
        )


def int_option(options: Mapping[str, Any], name: str, default: int, low: int, high: int | None = None) -> int:
    """``options[name]`` (``default`` when absent or None) as an integer in ``[low, high]``, else BudgetError.

    Parameters
    ----------
    options : mapping
        The options passed to the planner.
    name : str
        The option to read.
    default : int
        Its value when absent or ``None``.
    low, high : int
        The smallest and (when given) the largest value allowed.

    Returns
    -------
    int
    """
    value = options.get(name, default)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise BudgetError(f"{name}={value!r}; it must be an integer >= {low}")
    if high is not None and value > high:
        raise BudgetError(f"{name}={value!r} is more than this family plans; pass an integer from {low} to {high}")
    return value


def float_option(options: Mapping[str, Any], name: str, default: float) -> float:
    """``options[name]`` (``default`` when absent or None) as a positive finite float, else BudgetError.

    Parameters
    ----------
    options : mapping
        The options passed to the planner.
    name : str
        The option to read.
    default : float
        Its value when absent or ``None``.

    Returns
    -------
    float
    """
    value = options.get(name, default)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise BudgetError(f"{name}={value!r}; it must be a positive number")
    return float(value)


def fill_mlp(budget: int, depth: int, min_width: int, count_fn: Callable[[list[int]], int], family: str) -> list[int]:
    """Widths ``[W]*(depth-1) + [W']`` with the largest count <= budget.

    ``W'`` ranges over ``[ceil(W/2), W]``, so the reachable counts are spaced
    by one row of weights (``W + 1 + outputs``) rather than by a whole width.

    Parameters
    ----------
    budget : int
        The most parameters allowed.
    depth : int
        Hidden layers.
    min_width : int
        The narrowest ``W`` tried.
    count_fn : callable
        ``count_fn(widths) -> int``: the family's exact count for those widths.
    family : str
        The family, for the error message.

    Returns
    -------
    list of int
        ``depth`` widths.

    Raises
    ------
    BudgetError
        ``depth`` is above :data:`MAX_DEPTH`, or the budget is below the
        smallest network of this depth.
    """
    if depth > MAX_DEPTH:
        raise BudgetError(f"depth={depth} is more hidden layers than pixparam plans; pass 1 to {MAX_DEPTH}")

    def widths(w: int, w_last: int) -> list[int]:
        return [w] * (depth - 1) + [w_last]

    def largest(lo: int, hi: int, fn: Callable[[int], int]) -> int:
        # largest x in [lo, hi] with fn(x) <= budget, given fn(lo) <= budget and fn increasing.
        # Counts are affine in one width: guess from the first step, keep the guess when it checks out
        # (fn(x) <= budget < fn(x + 1)), else search; either way the answer is the search's.
        if lo < hi:
            f0, step = fn(lo), fn(lo + 1) - fn(lo)
            if step > 0:
                x = min(hi, lo + (budget - f0) // step)
                if fn(x) <= budget and (x == hi or fn(x + 1) > budget):
                    return x
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if fn(mid) <= budget else (lo, mid - 1)
        return lo

    def narrowest(w: int) -> int:
        return 1 if depth == 1 else max(1, math.ceil(w / 2))

    smallest = count_fn(widths(min_width, narrowest(min_width)))
    if smallest > budget:
        raise BudgetError(
            f"budget {budget:,} is below the minimum of {smallest:,} params for {family} with depth "
            f"{depth}; raise the budget or lower depth"
        )
    if depth == 1:  # one hidden layer: its width is the only knob
        return [largest(narrowest(min_width), budget, lambda w: count_fn([w]))]
    best: tuple[int, int, list[int]] = (0, 0, [])
    w = min_width
    while count_fn(widths(w, narrowest(w))) <= budget:
        w_last = largest(narrowest(w), w, lambda x, w=w: count_fn(widths(w, x)))
        ws = widths(w, w_last)
        key = (count_fn(ws), w_last)
        if key > best[:2]:
            best = (*key, ws)
        w += 1
    return best[2]


def mlp_bytes_per_point(arch: Arch) -> int:
    """Rough activation bytes per coordinate of the MLP part: float32 coordinates, two values per unit, outputs.

    Parameters
    ----------
    arch : Arch
        An MLP family's architecture.

    Returns
    -------
    int
    """
    return 4 * (2 + 2 * sum(arch.widths) + arch.channels)
