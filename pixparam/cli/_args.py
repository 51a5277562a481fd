"""Argument types shared by the subcommands: budgets, families, sizes, options."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .. import budget as _budget
from ..errors import PixparamError


def budget(text: str) -> int:
    try:
        return _budget.parse_budget(text)
    except PixparamError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def budgets(text: str) -> list[int]:
    return [budget(t) for t in text.split(",") if t.strip()]


def families(text: str) -> list[str]:
    names = [t.strip() for t in text.split(",") if t.strip()]
    known = tuple(_budget.FAMILIES)  # read now: families registered after import count
    bad = [n for n in names if n not in known]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"unknown family {', '.join(bad) or '(none)'}; choose from {', '.join(known)}")
    return names


def names(text: str) -> list[str]:
    """Comma-separated sample names or image paths, in order, each once."""
    out = list(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
    if not out:
        raise argparse.ArgumentTypeError("no image given; pass sample names or image files, comma-separated")
    return out


def size(text: str) -> int | tuple[int, int]:
    try:
        if "x" in text.lower():
            h, w = (int(v) for v in text.lower().split("x"))
            if h < 1 or w < 1:
                raise ValueError
            return h, w
        side = int(text)
        if side < 2:
            raise ValueError
        return side
    except ValueError:
        raise argparse.ArgumentTypeError(f"size {text!r}: write the longest side (256) or HxW (256x384)") from None


def option(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"option {text!r}: write KEY=VALUE, e.g. sigma=20")
    try:
        parsed: Any = json.loads(value)
    except json.JSONDecodeError:
        parsed = value
    return key.strip(), parsed


def fractions(text: str) -> tuple[float, ...]:
    try:
        box = tuple(float(v) for v in text.split(","))
        if len(box) != 4:
            raise ValueError
        return box
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"inset {text!r}: write TOP,LEFT,HEIGHT,WIDTH as fractions, e.g. 0.2,0.3,0.25,0.25"
        ) from None


def region(text: str) -> tuple[int, int, int, int]:
    try:
        y0, x0, y1, x1 = (int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"region {text!r}: write Y0,X0,Y1,X1 in pixels, e.g. 0,0,32,32") from None
    return y0, x0, y1, x1


def ints(text: str) -> list[int | str]:
    try:
        return [t.strip() if t.strip() == "table" else int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: write comma-separated integers, e.g. 0,2") from None


def neurons(text: str) -> float | list[int]:
    try:
        return float(text) if "." in text else [int(t) for t in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: write a fraction (0.5) or unit indices (0,3,7)") from None


def positive_ints(text: str) -> list[int]:
    """``"300"`` or ``"100,1000"``: positive whole numbers, comma-separated."""
    try:
        values = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: write positive integers, comma-separated (300 or 100,1000)")
    return values


def packed_bits(text: str) -> list[int]:
    """``"8"`` or ``"8,4"``: bit depths to pack networks at, each one of :data:`pixparam.store.packed.PACK_BITS`."""
    from ..store.packed import PACK_BITS

    try:
        values = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        values = []
    if not values or any(v not in PACK_BITS for v in values):
        raise argparse.ArgumentTypeError(
            f"{text!r}: pack takes 2 to 15 (a coded grid), 16 (float16) or 32 (float32) bits, comma-separated (8,4)"
        )
    return values


def param_bits(text: str) -> list[int]:
    """``"32"`` or ``"32,16"``: bits per parameter, each one of :data:`pixparam.pixels.PARAM_BITS`."""
    from ..pixels import PARAM_BITS

    try:
        values = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        values = []
    if not values or any(v not in PARAM_BITS for v in values):
        choices = ", ".join(map(str, PARAM_BITS))
        raise argparse.ArgumentTypeError(f"{text!r}: bits per parameter are {choices} (comma-separated, e.g. 32,16)")
    return values
