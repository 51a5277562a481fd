"""The result of fitting: :class:`Fit` (a trained field and its provenance) and :class:`History` (its curve)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from .arch import Arch
from .budget import format_count
from .errors import ImageError
from .fields import Field
from .images import Size, resolve_size
from .limits import check_memory
from .metrics import Measured, psnr_from_mse
from .rendering import render_field

if TYPE_CHECKING:  # pragma: no cover
    from .edit.quantgrid import QuantGrid

__all__ = ["Fit", "History"]


@dataclass
class History:
    """Training curve, sampled every ``log_every`` steps (and at the last step).

    ``loss`` is the mean squared error over the whole image of the unclipped
    output at that step; ``psnr`` is :func:`pixparam.metrics.psnr_from_mse` of it; ``seconds`` is
    wall time since training started; ``events`` lists recoveries from a
    non-finite loss as ``(step, text)``.

    Attributes
    ----------
    step : list of int
        The logged steps.
    loss : list of float
        MSE at each logged step.
    psnr : list of float
        PSNR (dB) of that MSE.
    seconds : list of float
        Wall time since training started.
    lr : list of float
        The learning rate at that step.
    events : list of (int, str)
        Recoveries from a non-finite loss.
    """

    step: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    psnr: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    events: list[tuple[int, str]] = field(default_factory=list)

    def append(self, step: int, loss: float, seconds: float, lr: float) -> None:
        """Log one step (its PSNR is computed from ``loss``).

        Parameters
        ----------
        step : int
            The step.
        loss : float
            The MSE at that step.
        seconds : float
            Wall time since training started.
        lr : float
            The learning rate used.
        """
        self.step.append(int(step))
        self.loss.append(float(loss))
        self.psnr.append(psnr_from_mse(loss))
        self.seconds.append(float(seconds))
        self.lr.append(float(lr))

    def __len__(self) -> int:
        return len(self.step)

    def to_dict(self) -> dict[str, Any]:
        """The curve as a JSON-ready dict of lists; :meth:`from_dict` inverts it."""
        d = asdict(self)
        d["events"] = [list(e) for e in self.events]
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> History:
        """Rebuild a curve from :meth:`to_dict` output.

        Parameters
        ----------
        d : mapping
            The lists, as :meth:`to_dict` wrote them.

        Returns
        -------
        History
        """
        return cls(**{**d, "events": [(int(s), str(t)) for s, t in d.get("events", [])]})


@dataclass(eq=False)
class Fit(Measured):
    """A coordinate network fitted to one image.

    Attributes
    ----------
    model : Field
        The trained network (on the device it was trained on, in eval mode).
    arch : Arch
        Its architecture; ``arch.n_params`` is the exact parameter count.
    image_shape : (int, int, int)
        ``(H, W, C)`` of the fitted image.
    history : History
        Training curve.
    seconds : float
        Wall time of the training loop.
    config : dict
        Training settings (steps, lr, batch size, seed, device, precision).
    metrics : dict
        ``psnr`` and ``ssim`` of the clipped render against the fitted image.
    edits : tuple of dict
        Edits applied since fitting (name and arguments), oldest first.
    image : (H, W, C) ndarray of float32 or None
        The fitted image, when known (not stored in checkpoints).
    masks : dict of str to bool Tensor
        Pruning masks by parameter name (``True`` = kept; CPU), for the
        tensors :func:`pixparam.edit.prune` zeroed entries of. Pruned values
        are zero in the model; the mask records which zeros are structural, so
        :func:`pixparam.edit.heal` keeps them at zero.
    grids : dict of str to QuantGrid
        Quantisation grids by parameter name, set by
        :func:`pixparam.edit.quantize`; every kept value lies on its grid.
    """

    model: Field
    arch: Arch
    image_shape: tuple[int, int, int]
    history: History
    seconds: float
    config: dict[str, Any]
    metrics: dict[str, float] = field(default_factory=dict)
    edits: tuple[dict[str, Any], ...] = ()
    image: np.ndarray | None = field(default=None, repr=False)
    masks: dict[str, torch.Tensor] = field(default_factory=dict, repr=False)
    grids: dict[str, QuantGrid] = field(default_factory=dict, repr=False)

    @property
    def family(self) -> str:
        return self.arch.family

    @property
    def n_params(self) -> int:
        """Trainable parameters (exact)."""
        return self.arch.n_params

    @property
    def n_effective(self) -> int:
        """Non-zero parameter values: what a sparse format would store (``<= n_params``)."""
        return int(sum(int(torch.count_nonzero(p.detach())) for p in self.model.parameters()))

    @property
    def storage_bits(self) -> int:
        """Bits to store the parameters as edited.

        Per tensor: each kept value at its bits (32, or its grid's: 16 for a
        float16 cast, ``b`` for a ``b``-bit grid), plus a 1-bit-per-value
        mask when pruned and 64 bits per ``(lo, step)`` pair of a grid. An
        unedited fit takes ``32 * n_params``.
        """
        total = 0
        for name, p in self.model.named_parameters():
            grid = self.grids.get(name)
            bits = 32 if grid is None else grid.bits
            mask = self.masks.get(name)
            kept = p.numel() if mask is None else int(mask.sum())
            total += kept * bits + (0 if mask is None else p.numel()) + (0 if grid is None else 64 * grid.n_groups)
        return total

    @property
    def device(self) -> torch.device:
        """Where the model's parameters are."""
        return next(self.model.parameters()).device

    def reconstruct(self, size: tuple[int, int]) -> np.ndarray:
        """The render at ``size``, which metrics compare."""
        return self.render(size=size)

    def render(self, size: Size = None) -> np.ndarray:
        """Render the field as an image.

        Parameters
        ----------
        size : int or (int, int), optional
            Longest side or ``(h, w)``; default: the fitted image's size.
            Any resolution works: the network is sampled at pixel centres.

        Returns
        -------
        (h, w, C) ndarray of float32
            Values clipped to ``[0, 1]``.

        Raises
        ------
        ImageError
            ``size`` is not a size, or the render would need more memory than
            :func:`pixparam.limits.memory_limit` allows.
        """
        h, w = self.image_shape[:2] if size is None else resolve_size(size, self.image_shape[:2])
        c = self.arch.channels
        what = f"rendering {h}×{w}×{c}" + ("" if size is None else f" (size={size!r})")
        check_memory(2 * h * w * c * 4, what, "pass a smaller size", ImageError)
        return render_field(self.model, h, w)

    def to(self, device: str | torch.device) -> Fit:
        """A copy whose model lives on ``device``.

        Parameters
        ----------
        device : str or torch.device
            ``"auto"``, ``"cpu"``, ``"cuda"``, ``"mps"``...

        Returns
        -------
        Fit
            The edits, metrics, masks and grids are kept.
        """
        return replace(
            self,
            model=_moved(self.model, device),
            metrics=dict(self.metrics),
            masks=dict(self.masks),
            grids=dict(self.grids),
        )

    def save(self, path: str | os.PathLike) -> Path:
        """Write one ``.safetensors`` checkpoint (atomically); :func:`pixparam.load` reads it.

        Parameters
        ----------
        path : str or path
            The file to write (``.safetensors``).

        Returns
        -------
        Path
        """
        from .store.checkpoint import save

        return save(self, path)

    def caption(self) -> str:
        """``'siren · 4.1k params · 27.3 dB'`` (``'4.1k params (820 non-zero)'`` after pruning)."""
        from .metrics import format_db

        nz = self.n_effective
        count = format_count(self.n_params) + ("" if nz == self.n_params else f" ({format_count(nz)} non-zero)")
        return f"{self.family} · {count} params · {format_db(self.psnr)}"

    def _repr_png_(self) -> bytes:
        """The render as PNG, for notebooks: the network sampled at a whole-number multiple of the fitted size.

        The longest side is at least :data:`pixparam.web.notebook.DISPLAY_SIDE` pixels (256).
        """
        from .web.notebook import display_size, image_png

        return image_png(self.render(size=display_size(self.image_shape)))

    def _repr_html_(self) -> str:
        """The render beside the fit's numbers (family, parameters, PSNR, SSIM, ...), for notebooks."""
        from .web.notebook import fit_html

        return fit_html(self)

    def __repr__(self) -> str:
        h, w, c = self.image_shape
        metrics = f", psnr={self.metrics['psnr']:.2f}" if "psnr" in self.metrics else ""
        return f"Fit({self.arch.describe()}, image={h}×{w}×{c}{metrics}, edits={len(self.edits)})"


def _moved(model: Field, device: str | torch.device) -> Field:
    import copy

    from .devices import resolve_device

    return copy.deepcopy(model).to(resolve_device(device))
