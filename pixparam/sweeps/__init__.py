"""Sweeps: a declarative grid of fits (images × sizes × budgets × families × seeds × steps), run resumably.

- :mod:`.spec`: the TOML spec, checked (errors name the line) before any work.
- :mod:`.tasks`: the grid as planned fits, each keyed by the store's key.
- :mod:`.backends`: where the fits run: ``local`` worker processes or a Ray cluster.
- :mod:`.results`: the tidy results table (one row per fit; columns documented there).
- :mod:`.run`: :func:`sweep`, which ties them together (``pp.sweep``; CLI ``pixparam sweep``).
"""

from __future__ import annotations

from .backends import BACKENDS, LocalBackend, RayBackend, get_backend
from .results import COLUMNS
from .run import RESULTS_NAME, sweep
from .spec import SweepSpec, read_spec
from .tasks import Task, expand

__all__ = [
    "BACKENDS",
    "COLUMNS",
    "RESULTS_NAME",
    "LocalBackend",
    "RayBackend",
    "SweepSpec",
    "Task",
    "expand",
    "get_backend",
    "read_spec",
    "sweep",
]
