"""Memory limits: sizes, budgets, decoded images and checkpoints are checked against them before allocation.

pixparam estimates the memory a request needs (an image at a size, a
network and its optimiser state, a render, a figure at a dpi) and refuses it
up front, with the estimate and the limit, instead of starting and dying
with a ``MemoryError`` or the system's out-of-memory killer.

The limit is the memory available now: ``MemAvailable`` of ``/proc/meminfo``
(total RAM where that cannot be read), or the free memory of a CUDA device.
Set the environment variable ``PIXPARAM_MEMORY_LIMIT`` (bytes, or ``8G``,
``512Mi``...) to use another one, e.g. on a shared machine.
"""

from __future__ import annotations

import os
import re
from typing import Any

from .errors import ConfigError, PixparamError

__all__ = ["ALWAYS_ALLOWED", "MEMORY_ENV", "check_memory", "format_bytes", "memory_limit"]

#: Requests below this many bytes (16 MiB) are not checked.
ALWAYS_ALLOWED = 16 << 20

#: Environment variable that overrides the memory limit (bytes; ``k``/``M``/``G``/``T`` or ``Ki``/``Mi``/``Gi``).
MEMORY_ENV = "PIXPARAM_MEMORY_LIMIT"

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d*)?)\s*([kKmMgGtT]i?)?[bB]?\s*$")
_SCALE = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12, "ki": 2**10, "mi": 2**20, "gi": 2**30, "ti": 2**40}


def memory_limit(device: Any = None) -> tuple[int, str]:
    """The bytes pixparam may allocate, and where that number comes from.

    Parameters
    ----------
    device : str or torch.device, optional
        A CUDA device: its free memory. Otherwise (and for the host side of
        any device) the available RAM.

    Returns
    -------
    (int, str)
        The limit in bytes and a few words saying what it is.

    Raises
    ------
    ConfigError
        ``PIXPARAM_MEMORY_LIMIT`` is set but is not a size.
    """
    text = os.environ.get(MEMORY_ENV)
    if text:
        m = _SIZE_RE.match(text)
        if not m:
            raise ConfigError(f"{MEMORY_ENV}={text!r} is not a size; write bytes or e.g. 8G, 512Mi")
        return int(float(m.group(1)) * _SCALE[(m.group(2) or "").lower()]), f"{MEMORY_ENV}={text}"
    if device is not None and str(device).startswith("cuda"):
        import torch

        free, _ = torch.cuda.mem_get_info(torch.device(device))
        return int(free), f"free on {device}"
    return _available_ram()


def _available_ram() -> tuple[int, str]:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024, "available RAM"
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"), "RAM"
    except (ValueError, OSError, AttributeError):
        return 16 << 30, "assumed RAM"


def format_bytes(n: float) -> str:
    """Bytes for people: ``'512 B'``, ``'3.2 MB'``, ``'1.4 TB'`` (decimal units).

    Parameters
    ----------
    n : float
        A number of bytes.
    """
    n = float(n)
    for unit, scale in (("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            v = n / scale
            return f"{v:.1f} {unit}" if v < 100 else f"{v:,.0f} {unit}"
    return f"{n:.0f} B"


def check_memory(
    nbytes: float, what: str, fix: str, error: type[PixparamError] = ConfigError, *, device: Any = None
) -> None:
    """Raise ``error`` when ``what`` needs more than :func:`memory_limit` allows.

    Parameters
    ----------
    nbytes : float
        The estimate.
    what : str
        What needs it, for the message (``"an image of 100000×66667×3"``).
    fix : str
        What to do instead (``"pass a smaller size"``).
    error : type
        The :class:`~pixparam.PixparamError` subclass to raise.
    device : str or torch.device, optional
        Where the memory would be allocated (see :func:`memory_limit`).

    Notes
    -----
    Requests under :data:`ALWAYS_ALLOWED` bytes are never refused (and cost
    no look-up of the limit).
    """
    if nbytes < ALWAYS_ALLOWED:
        return
    limit, source = memory_limit(device)
    if nbytes > limit:
        raise error(
            f"{what} needs about {format_bytes(nbytes)} of memory, more than the {format_bytes(limit)} "
            f"limit ({source}); {fix}"
        )
