"""Training: :class:`Points` → :class:`TrainConfig` → :func:`train` → :class:`~pixparam.Fit`.

- :mod:`.config`: every setting of a run (fast paths included) and the family defaults it fills.
- :mod:`.points`: what a run trains on (an image, a split, K images).
- :mod:`.memory`: activation bytes, the memory cap, automatic mini-batches.
- :mod:`.loop`: :func:`train`, the one loop.
- :mod:`.fitting`: :func:`fit` and :func:`fit_ladder`, thin callers of it.
"""

from __future__ import annotations

from .config import DEFAULT_STEPS, TrainConfig
from .fitting import FitJob, fit, fit_ladder, memory_groups
from .loop import TrainResult, adam_options, networks_trained, train
from .memory import auto_batch, bytes_per_point, memory_cap
from .points import Points

__all__ = [
    "DEFAULT_STEPS",
    "FitJob",
    "Points",
    "TrainConfig",
    "TrainResult",
    "adam_options",
    "auto_batch",
    "bytes_per_point",
    "fit",
    "fit_ladder",
    "memory_cap",
    "memory_groups",
    "networks_trained",
    "train",
]
