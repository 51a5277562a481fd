"""Helpers the experiments share: training on given pixels, evaluation, argument checks, progress."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch

from ..budget import parse_budget
from ..errors import BudgetError, ConfigError
from ..fields import FAMILIES
from ..progress import progress_bar as bar
from ..training import Points, TrainConfig, train

__all__ = ["check_families", "check_ints", "check_seeds", "predict", "progress_bar", "train_points", "unit_seconds"]


def train_points(
    model: torch.nn.Module,
    points: Points,
    *,
    steps: int,
    seed: int,
    device: torch.device,
    lr: float | None = None,
) -> float:
    """Train ``model`` on exactly these points with :func:`pixparam.training.train` and ``fit``'s settings.

    The configuration is the one :func:`pixparam.fit` would choose for the
    model's architecture (learning rate, schedule, logging), full batch, so a
    point set that is a whole image reproduces ``pixparam.fit`` bit for bit on
    the CPU when ``fit`` trains full batch (it switches to mini-batches when
    memory is short; this never does). Returns the seconds spent.
    """
    cfg = TrainConfig.resolve(model.arch, steps=steps, lr=lr, seed=seed, device=device, n_points=points.n)  # type: ignore[arg-type]
    (result,) = train([model], points, [cfg], progress=False, desc=model.arch.family)  # type: ignore[union-attr]
    return result.seconds


@torch.inference_mode()
def predict(model: torch.nn.Module, coords: torch.Tensor, chunk: int = 1 << 15) -> np.ndarray:
    """``model(coords)`` clipped to ``[0, 1]`` as a float32 ``(N, C)`` array, in chunks."""
    model.eval()
    out = [model(coords[i : i + chunk]).float().clamp_(0.0, 1.0).cpu() for i in range(0, coords.shape[0], chunk)]
    return torch.cat(out).numpy()


def check_families(families: Sequence[str] | str | None) -> list[str]:
    """A non-empty list of known family names (``None``: every registered family, read now)."""
    names = list(FAMILIES) if families is None else [families] if isinstance(families, str) else list(families)
    bad = [f for f in names if f not in FAMILIES]
    if bad or not names:
        raise BudgetError(f"unknown family {', '.join(map(repr, bad)) or '(none)'}; choose from {', '.join(FAMILIES)}")
    return names


def check_ints(values: Sequence[Any] | Any, name: str, low: int = 1) -> list[int]:
    """A non-empty list of integers ``>= low`` (budgets accept ``"4k"`` strings)."""
    items = list(values) if isinstance(values, (list, tuple, range, np.ndarray)) else [values]
    if not items:
        raise ConfigError(f"{name} is empty; pass at least one value")
    out = []
    for v in items:
        if name == "budgets":
            out.append(parse_budget(v))
            continue
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
            raise ConfigError(f"{name} holds {v!r}; every value must be an integer >= {low}")
        out.append(int(v))
    return out


def check_seeds(seeds: int | Sequence[int]) -> list[int]:
    """``3`` means seeds ``[0, 1, 2]``; a sequence is taken as given."""
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ConfigError(f"seeds={seeds!r}; pass a positive count or a list of seeds")
        return list(range(int(seeds)))
    return check_ints(seeds, "seeds", low=0)


def progress_bar(total: int, desc: str, progress: bool) -> Any:
    """A bar over units of work: tqdm on a terminal, lines every few seconds elsewhere, nothing without progress."""
    return bar(total, desc, "fit", progress=progress, leave=False)


def unit_seconds(rows: Sequence[Mapping[str, Any]]) -> float:
    """The training seconds of one unit of work from its records (its rows share one run: the largest).

    Parameters
    ----------
    rows : sequence of mapping
        The unit's records, each with ``seconds`` (the run's, repeated on
        every row of a run that fits several images at once).

    Returns
    -------
    float
    """
    return max((float(r.get("seconds", 0.0)) for r in rows), default=0.0)
