"""Argument checks shared across the package (private to pixparam)."""

from __future__ import annotations

import numbers
from typing import Any

from .errors import EditError

__all__ = ["number"]


def number(value: Any, name: str, lo: float, hi: float | None = None) -> float:
    """``value`` as a float in ``[lo, hi]``, or an EditError naming the range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not lo <= float(value) <= (hi or float("inf")):
        rng = f"between {lo:g} and {hi:g}" if hi is not None else f"at least {lo:g}"
        raise EditError(f"{name}={value!r}; it must be a number {rng}")
    return float(value)
