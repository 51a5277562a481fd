"""How the capacity figure places and styles its series: the x axis (values or bytes), markers, lines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ..budget import format_count
from ..errors import ConfigError

__all__ = ["XAXES", "at_bytes", "bytes_axis", "check_x", "count_axis", "drawn", "series_look"]

#: The x axes :func:`draw_capacity` draws: number of values, or bytes on disk.
XAXES = ("values", "bytes")
_PACKED_MARKERS = ("^", "v", "<", ">", "p", "h")
_CODEC_MARKERS = {"jpeg": "D", "webp": "P", "avif": "*"}


def check_x(x: Any) -> str:
    """``x`` when it is one of :data:`XAXES`, else a ConfigError naming both."""
    if x not in XAXES:
        raise ConfigError(f"x={x!r}; choose 'values' (N, the parameters or their bytes' worth) or 'bytes' (on disk)")
    return x


def at_bytes(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copies of ``records`` with ``n`` set to ``n_bytes``: every series placed at its bytes."""
    missing = [r["series"] for r in records if r.get("n_bytes") is None]
    if missing:
        raise ConfigError(
            f"x='bytes' needs each record's n_bytes, and {missing[0]!r} has none; "
            "draw capacity_table records (they carry it), or x='values'"
        )
    return [{**r, "n": float(r["n_bytes"])} for r in records]


def series_look(series: str, kind: str, packed_bits: list[int]) -> tuple[str, Any, bool]:
    """``(marker, linestyle, hollow)`` for a series: packed networks dashed, codecs at packed bytes dotted.

    ``packed_bits`` lists the packed bit depths drawn, the first (the most
    bits) with filled codec markers, the others hollow; each depth has its
    own triangle for the packed networks.
    """
    if "packed" in series:
        i = packed_bits.index(int(series.rsplit("packed", 1)[1]))
        if kind == "packed":
            return _PACKED_MARKERS[i % len(_PACKED_MARKERS)], "--", False
        return _CODEC_MARKERS.get(series.split("/")[0], "s"), ":", i > 0 or kind == "pixels"
    dashed = series.endswith("bits16")
    marker = {"network": "o", "pixels": "s", "jpeg": "D"}.get(kind, "o")
    return marker, "--" if dashed else "-", series.startswith("pixels/bits") or dashed


def _values_at_32(b: np.ndarray) -> np.ndarray:
    """Bytes to the float32 values they hold."""
    return np.asarray(b, dtype=float) / 4


def _bytes_at_32(v: np.ndarray) -> np.ndarray:
    """Float32 values to their bytes."""
    return np.asarray(v, dtype=float) * 4


def count_axis(axis: Any) -> None:
    """Log ticks at 1, 2, 5 per decade, labelled as counts (``4.1k``)."""
    axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: format_count(v)))
    axis.set_minor_formatter(NullFormatter())


def bytes_axis(ax: Axes) -> None:
    """Label ``ax``'s x axis as bytes on disk, with a top axis of the values they hold at 32 bits (bytes / 4)."""
    ax.set_xlabel("bytes on disk")
    top = ax.secondary_xaxis("top", functions=(_values_at_32, _bytes_at_32))
    count_axis(top.xaxis)
    top.set_xlabel("values at 32 bits", fontsize=7)


def drawn(records: Sequence[dict[str, Any]], x: str) -> list[dict[str, Any]]:
    """The records a panel places on axis ``x``: those holding a file, at their bytes for ``"bytes"``."""
    kept = [r for r in records if not r.get("no_file")]
    return at_bytes(kept) if check_x(x) == "bytes" else kept
