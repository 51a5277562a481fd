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
        **extra,
    }
