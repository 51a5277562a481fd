"""Typed errors. Every message names the problem and what to do about it."""

from __future__ import annotations

__all__ = [
    "BudgetError",
    "CheckpointError",
    "ConfigError",
    "DeviceError",
    "EditError",
    "ImageError",
    "ImageNotFoundError",
    "OutputError",
    "PixparamError",
    "TrainingDiverged",
]


class PixparamError(Exception):
    """Base class of every error pixparam raises on purpose."""


class ImageError(PixparamError, ValueError):
    """An image source cannot be used: wrong shape, dtype, values or file."""


class ImageNotFoundError(ImageError, FileNotFoundError):
    """An image path does not exist (and is not a sample name)."""


class BudgetError(PixparamError, ValueError):
    """A parameter budget cannot be met by the asked-for family or options."""


class CheckpointError(PixparamError, ValueError):
    """A file is not a readable pixparam checkpoint."""


class DeviceError(PixparamError, RuntimeError):
    """The asked-for device is not available in this PyTorch build or machine."""


class TrainingDiverged(PixparamError, RuntimeError):
    """The training loss stayed NaN or infinite after every recovery attempt."""


class EditError(PixparamError, ValueError):
    """An edit cannot be applied: bad strength, or fits whose shapes do not match."""


class ConfigError(PixparamError, ValueError):
    """A setting is of the wrong type or out of range: steps, lr, seed, batch size, a figure or experiment option."""


class OutputError(PixparamError, ValueError):
    """An output cannot be written as asked: unknown suffix, missing tool, or a path that would overwrite an input."""
