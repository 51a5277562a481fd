"""Argument checks shared across the package (private to pixparam)."""

from __future__ import annotations

import math
import numbers
from typing import Any

from .errors import EditError

__all__ = ["number"]


def number(value: Any, name: str, lo: float, hi: float | None = None) -> float:
    """``value`` as a finite float in ``[lo, hi]``, or an EditError naming the range."""
    top = float("inf") if hi is None else hi
    ok = not isinstance(value, bool) and isinstance(value, numbers.Real) and math.isfinite(float(value))
    if not ok or not lo <= float(value) <= top:
        rng = f"between {lo:g} and {hi:g}" if hi is not None else f"at least {lo:g}"
        raise EditError(f"{name}={value!r}; it must be a finite number {rng}")
    return float(value)
