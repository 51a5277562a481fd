"""What every benchmark records about its run: the command that reproduces it, the date and the versions."""

from __future__ import annotations

import datetime as dt
import os
import platform
import shlex
import sys
from typing import Any

import torch

import pixparam as pp


def run_meta(**extra: Any) -> dict[str, Any]:
    """The command (with ``OMP_NUM_THREADS`` when it was set), UTC date, versions and thread count, plus ``extra``."""
    threads = os.environ.get("OMP_NUM_THREADS")
    return {
        "command": (f"OMP_NUM_THREADS={threads} " if threads else "") + "python " + shlex.join(sys.argv),
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "pixparam": pp.__version__,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        "machine": machine(),
        **extra,
    }


def machine() -> str:
    """The CPU model and logical CPU count, and the GPU when CUDA has one."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    text = f"{cpu}, {os.cpu_count()} logical CPUs"
    if torch.cuda.is_available():
        text += f", {torch.cuda.get_device_name()}"
    return text
