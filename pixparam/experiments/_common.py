"""Helpers the experiments share: training on given pixels, evaluation, argument checks, progress."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from ..budget import Arch, parse_budget
from ..coords import grid
from ..errors import BudgetError
from ..fields import FAMILIES
from ..train import _config, _train

__all__ = ["check_families", "check_ints", "check_seeds", "coords_and_target", "mse_db", "predict", "train_points"]


def train_points(
    model: torch.nn.Module,
    arch: Arch,
    coords: torch.Tensor,
    target: torch.Tensor,
    *,
    steps: int,
    seed: int,
    device: torch.device,
    lr: float | None = None,
) -> float:
    """Train ``model`` on exactly these points with :func:`pixparam.fit`'s loop and settings.

    ``coords`` and ``target`` are the only data the loop sees (full batch). The
    configuration is the one :func:`pixparam.fit` would choose for ``arch``
    (learning rate, schedule, logging), so one point set that is a whole image
    reproduces ``pixparam.fit`` bit for bit on the CPU when ``fit`` trains full batch (it
    switches to mini-batches when memory is short; this loop never does). Returns the seconds spent.
    """
    cfg = _config(arch, steps, lr, seed, device, "auto", None, None, coords.shape[0])
    _, seconds = _train(model, coords, target, cfg, progress=False, callback=None, desc=arch.family)
    model.eval()
    return seconds


@torch.inference_mode()
def predict(model: torch.nn.Module, coords: torch.Tensor, chunk: int = 1 << 15) -> np.ndarray:
    """``model(coords)`` clipped to ``[0, 1]`` as a float32 ``(N, C)`` array, in chunks."""
    model.eval()
    out = [model(coords[i : i + chunk]).float().clamp_(0.0, 1.0).cpu() for i in range(0, coords.shape[0], chunk)]
    return torch.cat(out).numpy()


def coords_and_target(image: np.ndarray, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Pixel-centre coordinates ``(H·W, 2)`` and colours ``(H·W, C)`` in raster order."""
    h, w, c = image.shape
    return grid(h, w, device=device), torch.from_numpy(np.ascontiguousarray(image).reshape(-1, c)).to(device)


def mse_db(mse: float) -> float:
    """PSNR (dB, data range 1) of a mean squared error; ``inf`` at zero."""
    return float("inf") if mse <= 0 else float(10 * np.log10(1.0 / mse))


def check_families(families: Sequence[str] | str) -> list[str]:
    """A non-empty list of known family names."""
    names = [families] if isinstance(families, str) else list(families)
    bad = [f for f in names if f not in FAMILIES]
    if bad or not names:
        raise BudgetError(f"unknown family {', '.join(map(repr, bad)) or '(none)'}; choose from {', '.join(FAMILIES)}")
    return names


def check_ints(values: Sequence[Any] | Any, name: str, low: int = 1) -> list[int]:
    """A non-empty list of integers ``>= low`` (budgets accept ``"4k"`` strings)."""
    items = list(values) if isinstance(values, (list, tuple, range, np.ndarray)) else [values]
    if not items:
        raise ValueError(f"{name} is empty; pass at least one value")
    out = []
    for v in items:
        if name == "budgets":
            out.append(parse_budget(v))
            continue
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
            raise ValueError(f"{name} holds {v!r}; every value must be an integer >= {low}")
        out.append(int(v))
    return out


def check_seeds(seeds: int | Sequence[int]) -> list[int]:
    """``3`` means seeds ``[0, 1, 2]``; a sequence is taken as given."""
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ValueError(f"seeds={seeds!r}; pass a positive count or a list of seeds")
        return list(range(int(seeds)))
    return check_ints(seeds, "seeds", low=0)


def progress_bar(total: int, desc: str, progress: bool) -> tqdm:
    """A tqdm bar over units of work (shown only on a terminal, and only with ``progress``)."""
    return tqdm(total=total, desc=desc, unit="fit", disable=None if progress else True, leave=False)
