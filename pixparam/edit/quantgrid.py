"""The grid a parameter tensor is quantised to: :class:`QuantGrid` (see :func:`pixparam.edit.quantize`)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

__all__ = ["QuantGrid"]


@dataclass(frozen=True, eq=False)
class QuantGrid:
    """The grid one parameter tensor was quantised to (see :func:`pixparam.edit.quantize`).

    ``bits == 16`` is a float16 cast (``lo`` and ``step`` are ``None``). Fewer
    bits form a uniform grid of ``2**bits`` levels ``lo + k * step``,
    ``k = 0 .. 2**bits - 1``; ``lo`` and ``step`` are 0-d tensors (per tensor)
    or ``(rows, 1, ...)`` tensors (per output channel), kept on the CPU.

    Attributes
    ----------
    bits : int
        2 to 15 (a uniform grid), or 16 (float16).
    lo : 0-d or (rows, 1, ...) torch.Tensor, or None
        The lowest level: one per tensor, or one per output channel.
    step : 0-d or (rows, 1, ...) torch.Tensor, or None
        The level spacing, shaped as ``lo``.
    """

    bits: int
    lo: torch.Tensor | None = None
    step: torch.Tensor | None = None

    @property
    def per_channel(self) -> bool:
        """Whether each output channel (row) has its own ``(lo, step)``."""
        return self.lo is not None and self.lo.ndim > 0

    @property
    def n_groups(self) -> int:
        """How many ``(lo, step)`` pairs the grid stores (0 for float16)."""
        return 0 if self.lo is None else int(self.lo.numel())

    def project(self, t: torch.Tensor) -> torch.Tensor:
        """The nearest grid value of each element of ``t`` (a new tensor).

        Parameters
        ----------
        t : torch.Tensor of the grid's tensor's shape
            The values to round.

        Returns
        -------
        torch.Tensor
            Same shape, dtype and device as ``t``.
        """
        if self.lo is None or self.step is None:
            return t.to(torch.float16).to(t.dtype)
        lo, step = self.lo.to(t.device, t.dtype), self.step.to(t.device, t.dtype)
        k = torch.clamp(torch.round((t - lo) / step), 0, 2**self.bits - 1)
        return k * step + lo
