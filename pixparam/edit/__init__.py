"""Edit fitted networks like images: prune, quantise, noise, align, splice, blend, heal (and qat).

Every operator takes :class:`~pixparam.Fit` objects and returns a new one
(inputs untouched: models are deep copies), appends ``{"name": ..., **args}``
to its ``edits`` and keeps ``n_params`` as the architecture's nominal count;
``n_effective`` (non-zero values) and ``storage_bits`` report what the edit
saved. Pruning masks and quantisation grids live on the Fit (``fit.masks``,
``fit.grids``), are saved in checkpoints, and are what :func:`heal` keeps.
The pixel twins of these edits are in :mod:`pixparam.pixel_edits`.
"""

from __future__ import annotations

from ._base import applicable
from ._heal import QAT_LR_FACTOR, heal, qat
from ._match import align, weight_distance
from ._mix import blend, check_region, splice, table_rows
from ._quant import BITS, noise, quantize
from ._sparse import METHODS, prune

__all__ = [
    "BITS",
    "METHODS",
    "QAT_LR_FACTOR",
    "align",
    "applicable",
    "blend",
    "check_region",
    "heal",
    "noise",
    "prune",
    "qat",
    "quantize",
    "splice",
    "table_rows",
    "weight_distance",
]
