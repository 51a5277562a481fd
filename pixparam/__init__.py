"""pixparam: parameters are like pixels, measured and shown.

Fit coordinate networks with an exact parameter budget to one image and put
each beside its pixel counterpart: the same image downsampled to the same
number of values.
"""

from . import edit, experiments, pixel_edits
from ._version import __version__
from .budget import FAMILIES, Arch, format_count, parse_budget, plan
from .devices import resolve_device
from .edit_figures import blend_strip, edit_curve, edit_strip
from .errors import (
    BudgetError,
    CheckpointError,
    DeviceError,
    EditError,
    ImageError,
    ImageNotFoundError,
    PixparamError,
    TrainingDiverged,
)
from .fields import build, n_trainable
from .images import SAMPLES, load_image, save_image
from .metrics import psnr, ssim
from .pixels import Pixels, pixelate
from .result import Fit, History
from .store import load
from .train import fit, fit_ladder

__all__ = [
    "FAMILIES",
    "SAMPLES",
    "Arch",
    "BudgetError",
    "CheckpointError",
    "DeviceError",
    "EditError",
    "Fit",
    "History",
    "ImageError",
    "ImageNotFoundError",
    "Pixels",
    "PixparamError",
    "TrainingDiverged",
    "__version__",
    "blend_strip",
    "build",
    "edit",
    "edit_curve",
    "edit_strip",
    "experiments",
    "fit",
    "fit_ladder",
    "format_count",
    "load",
    "load_image",
    "n_trainable",
    "parse_budget",
    "pixel_edits",
    "pixelate",
    "plan",
    "psnr",
    "resolve_device",
    "save_image",
    "ssim",
]
