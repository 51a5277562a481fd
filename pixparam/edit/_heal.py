"""Healing: fine-tune an edited network while keeping its pruning masks and quantisation grids."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.func import functional_call

from .._checks import number
from ..errors import EditError
from ..fields import spec_for
from ..images import ImageSource, load_image
from ..result import Fit
from ..training import Points, TrainConfig, train
from ._base import check_fit, copy_model, derive
from .quantgrid import QuantGrid


class _Constrained(nn.Module):
    """Runs ``base`` with masked and (straight-through) quantised copies of its parameters.

    The parameters of ``base`` are the latent float weights the optimiser
    moves; the forward pass sees ``mask * q(w)``, where ``q`` rounds to the
    tensor's grid and passes gradients straight through (``w + (q(w) - w).detach()``).
    """

    def __init__(
        self,
        base: nn.Module,
        masks: dict[str, torch.Tensor],
        grids: dict[str, QuantGrid],
        rate: float = 0.0,
        n_pixels: int = 1,
    ) -> None:
        super().__init__()
        self.base = base
        self.arch = base.arch  # type: ignore[assignment]
        device = next(base.parameters()).device
        self.masks = {k: v.to(device) for k, v in masks.items()}
        self.grids = grids
        # the rate term's grids, on the device once: (lo, step) per uniformly quantised tensor
        self.rate, self.n_pixels = float(rate), int(n_pixels)
        self.levels = {
            n: (g.lo.to(device), g.step.to(device)) for n, g in grids.items() if g.lo is not None and g.step is not None
        }
        if self.rate > 0:
            self.penalty = self.rate_term

    def bits(self) -> torch.Tensor:
        """A differentiable estimate of the coded size, in bits, of every uniformly quantised tensor.

        :func:`pixparam.pack` codes a tensor's grid indices under a fitted
        quantised Laplace (or Gaussian) model; a Laplace of scale ``b`` grid
        steps costs about ``log2(2e·b)`` bits an index, so each tensor counts
        ``n · log2(1 + 2e·b)`` with ``b`` the mean absolute deviation of its
        (continuous) indices from their median.
        """
        total = torch.zeros((), device=next(self.base.parameters()).device)
        for n, p in self.base.named_parameters():
            if n not in self.levels:
                continue
            lo, step = self.levels[n]
            k = (p - lo) / step
            b = (k - k.detach().median()).abs().mean()
            total = total + k.numel() * torch.log2(1 + 2 * math.e * b)
        return total

    def rate_term(self) -> torch.Tensor:
        """``rate`` times the estimated bits per pixel: what :func:`qat` adds to the squared error."""
        return self.rate * self.bits() / self.n_pixels

    def effective(self, name: str, p: torch.Tensor) -> torch.Tensor:
        g = self.grids.get(name)
        if g is not None:
            p = p + (g.project(p) - p).detach()
        m = self.masks.get(name)
        return p if m is None else p * m.to(p.dtype)

    def forward(self, coords: torch.Tensor) -> torch.Tensor:
        params = {n: self.effective(n, p) for n, p in self.base.named_parameters()}
        return functional_call(self.base, params, (coords,))

    @torch.no_grad()
    def zero_masked(self, step: int = 0, model: nn.Module | None = None) -> None:
        for n, p in self.base.named_parameters():
            m = self.masks.get(n)
            if m is not None:
                p.mul_(m.to(p.dtype))

    @torch.no_grad()
    def project(self) -> None:
        """Round every latent weight onto its grid (exactly, not the STE's ``p + (q(p) - p)``) and re-mask."""
        for n, p in self.base.named_parameters():
            g, m = self.grids.get(n), self.masks.get(n)
            value = p if g is None else g.project(p)
            p.copy_(value if m is None else value * m.to(p.dtype))


def heal(
    fit: Fit,
    image: ImageSource | None = None,
    steps: int = 200,
    *,
    lr: float | None = None,
    seed: int = 0,
    rate: float = 0.0,
    progress: bool = True,
) -> Fit:
    """Fine-tune an edited fit, keeping pruned values at zero and quantised values on their grids.

    Training is quantisation-aware where the fit has grids: the forward pass
    uses the rounded weights, gradients pass straight through the rounding
    to float "latent" weights, and the result is rounded onto the same grids
    at the end. Pruned values are masked in the forward pass and re-zeroed
    after every step. The loop is :func:`pixparam.fit`'s (Adam, warm-up and
    cosine decay, best weights kept).

    Parameters
    ----------
    fit : Fit
        An edited (or any) fit; left untouched.
    image : path, sample name, PIL image or ndarray, optional
        The image to heal towards; default ``fit.image``. Must have the
        fitted image's shape.
    steps : int
        Optimiser steps.
    lr : float, optional
        Peak learning rate; default a tenth of the family's default.
    seed : int
        Seeds mini-batch sampling (full batch when the image fits).
    rate : float
        Weight λ of a rate term: the loss becomes MSE + λ · (estimated bits
        of the quantised tensors' indices per pixel), so training also
        shrinks what :func:`pixparam.pack` writes. 0 (default) trains on the
        MSE alone. Only tensors on a uniform grid are counted.
    progress : bool
        Show a progress bar (only on a terminal, as everywhere).

    Returns
    -------
    Fit
        A new fit with the same masks and grids.

    Raises
    ------
    EditError
        No image, or an image of another shape.
    """
    check_fit(fit)
    if image is None:
        if fit.image is None:
            raise EditError("heal needs the image: pass image= (a loaded checkpoint does not store it)")
        img = fit.image
    else:
        img = load_image(image)
    if tuple(img.shape) != tuple(fit.image_shape):
        raise EditError(
            f"image has shape {img.shape} but the fit was made for {tuple(fit.image_shape)}; pass that image"
        )
    rate = float(number(rate, "rate", 0))
    if float(number(steps, "steps", 1)) != int(steps):
        raise EditError(f"steps={steps!r}; it must be a whole number of steps, at least 1")
    steps = int(steps)
    model = copy_model(fit)
    device = fit.device
    if lr is None:
        lr = 0.1 * spec_for(fit.family).defaults.lr_for(fit.arch)
    cfg = TrainConfig.resolve(
        fit.arch, steps=steps, lr=lr, seed=seed, device=device, n_points=img.shape[0] * img.shape[1]
    )
    wrapped = _Constrained(model, fit.masks, fit.grids, rate=rate, n_pixels=img.shape[0] * img.shape[1])
    (result,) = train(
        [wrapped], Points.from_image(img, device), [cfg], progress=progress, callback=wrapped.zero_masked, desc="heal"
    )
    history, seconds = result.history, result.seconds
    wrapped.project()
    edit = {
        "name": "heal",
        "steps": steps,
        "lr": float(lr),
        "seed": int(seed),
        **({"rate": rate} if rate else {}),
        "seconds": round(seconds, 3),
        "steps_run": len(history.step),
    }
    out = derive(fit, model, edit)
    out.image = img
    return out


#: Quantisation-aware fine-tuning's default learning rate, as a fraction of the family's: heal's
#: 0.1 moved an 8-bit SIREN off what rounding had left it; the sweep over 0.01, 0.03 and 0.1 is
#: ``benchmarks/rate_distortion.py --tune`` (tuning images only, astronaut and camera).
QAT_LR_FACTOR = 0.03


def qat(
    fit: Fit,
    bits: int,
    *,
    image: ImageSource | None = None,
    steps: int = 300,
    per_channel: bool = True,
    lr: float | None = None,
    seed: int = 0,
    rate: float = 0.0,
    progress: bool = True,
) -> Fit:
    """Quantisation-aware fine-tuning: :func:`quantize` to ``bits``, then :func:`heal` on the grids.

    The forward pass sees the rounded weights and the gradients pass straight
    through the rounding (the straight-through estimator) to float latent
    weights, which end rounded onto the same grids; what :func:`pixparam.pack`
    then stores is exactly this fit.

    Parameters
    ----------
    fit : Fit
        A float (or any) fit; left untouched.
    bits : int
        2–15 (a uniform grid per tensor or per output unit) or 16 (float16).
    image : path, sample name, PIL image or ndarray, optional
        Default ``fit.image``.
    steps : int
        Fine-tuning steps.
    per_channel : bool
        One grid per output unit of each linear weight.
    lr : float, optional
        Peak learning rate; default :data:`QAT_LR_FACTOR` times the family's.
    seed : int
        Seeds mini-batch sampling.
    rate : float
        Weight λ of the rate term (see :func:`heal`): MSE + λ · estimated
        bits per pixel of the packed indices. 0 (default) is plain QAT.
    progress : bool
        Show a progress bar (only on a terminal).

    Returns
    -------
    Fit
        With ``grids`` at ``bits``; its edits end with quantize and heal.
    """
    from ._quant import quantize

    check_fit(fit)
    q = quantize(fit, bits, per_channel=per_channel)
    if lr is None:
        lr = QAT_LR_FACTOR * spec_for(fit.family).defaults.lr_for(fit.arch)
    return heal(q, image, steps, lr=lr, seed=seed, rate=rate, progress=progress)
