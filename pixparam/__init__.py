"""pixparam: parameters are like pixels, measured and shown.

Fit coordinate networks with an exact parameter budget to one image and put
each beside its pixel counterpart: the same image downsampled to the same
number of values.
"""

from . import edit, experiments, fields, gallery, limits, pixel_edits, sweeps, training, web
from . import train as _deprecated_train_module  # noqa: F401  (loaded first, so pp.train below stays the function)
from ._version import __version__
from .budget import FAMILIES, Arch, format_count, parse_budget, plan
from .cache import FitCache
from .devices import resolve_device
from .errors import (
    BudgetError,
    CheckpointError,
    ConfigError,
    DeviceError,
    EditError,
    ImageError,
    ImageNotFoundError,
    OutputError,
    PixparamError,
    TrainingDiverged,
)
from .fields import build, n_trainable
from .figures import (
    Film,
    FilmRecorder,
    blend_strip,
    capacity_curve,
    capacity_table,
    compare,
    crossovers,
    edit_curve,
    edit_strip,
    plot_blend_strip,
    plot_capacity,
    plot_edit_curve,
    plot_edit_strip,
    plot_families,
    plot_film,
    save_figure,
    save_table,
    training_film,
)
from .images import SAMPLES, load_image, save_image
from .jpeg import Jpeg, jpeg_at_most
from .metrics import psnr, ssim
from .pixels import Pixels, pixelate
from .result import Fit, History
from .store import Store, load, pack, unpack
from .sweeps import sweep
from .training import Points, TrainConfig, fit, fit_ladder, train
from .web import export_web, render_view, show

__all__ = [
    "FAMILIES",
    "SAMPLES",
    "Arch",
    "BudgetError",
    "CheckpointError",
    "ConfigError",
    "DeviceError",
    "EditError",
    "Film",
    "FilmRecorder",
    "Fit",
    "FitCache",
    "History",
    "ImageError",
    "ImageNotFoundError",
    "Jpeg",
    "OutputError",
    "Pixels",
    "PixparamError",
    "Points",
    "Store",
    "TrainConfig",
    "TrainingDiverged",
    "__version__",
    "blend_strip",
    "build",
    "capacity_curve",
    "capacity_table",
    "compare",
    "crossovers",
    "edit",
    "edit_curve",
    "edit_strip",
    "experiments",
    "export_web",
    "fields",
    "fit",
    "fit_ladder",
    "format_count",
    "gallery",
    "jpeg_at_most",
    "limits",
    "load",
    "load_image",
    "n_trainable",
    "pack",
    "parse_budget",
    "pixel_edits",
    "pixelate",
    "plan",
    "plot_blend_strip",
    "plot_capacity",
    "plot_edit_curve",
    "plot_edit_strip",
    "plot_families",
    "plot_film",
    "psnr",
    "render_view",
    "resolve_device",
    "save_figure",
    "save_image",
    "save_table",
    "show",
    "ssim",
    "sweep",
    "sweeps",
    "train",
    "training",
    "training_film",
    "unpack",
    "web",
]
