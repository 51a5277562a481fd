"""Experiments from the "parameters as pixels" debate, each a tidy result plus a figure.

- :func:`crowding` / :func:`plot_crowding`: one budget memorises K different images, network against pixels.
- :func:`generalisation` / :func:`plot_generalisation` / :func:`plot_generalisation_predictions`: train on
  some pixels, predict the held-out ones, budgets across the interpolation threshold.
- :func:`scaling` / :func:`plot_scaling_laws` / :func:`plot_exchange_rate` / :func:`plot_compute_frontier`:
  power-law fits of MSE in parameters and pixels, the exchange rate, and the compute-optimal frontier
  (:func:`plot_scaling` stacks the three).
- :func:`image_scaling` / :func:`plot_image_scaling`: on top of :func:`pixparam.sweep`, power laws per image and
  pooled over images with bootstrap intervals, networks against pixels across images, seed variance.
- :func:`emergence` / :func:`plot_emergence`: over a dense budget ladder, named regions' local SSIM against
  budget beside global PSNR: does a detail appear gradually or abruptly?

Each returns an :class:`ExperimentResult` (records with documented columns; ``save_json`` / ``save_csv``)
and caches finished training runs in ``cache=`` so reruns reuse them.
"""

from __future__ import annotations

from ..fields.multi import MultiArch, MultiField, plan_multi
from ._records import Cache, ExperimentResult, load_result
from ._report import summary
from .across import bootstrap_law, image_scaling, plot_image_scaling, scaling_tables
from .crowding import crowding, square_crops, tiles
from .crowding_plot import plot_crowding
from .emergence import abruptness, emergence, plot_emergence, score_regions, tile_regions
from .generalisation import generalisation, split_pixels
from .generalisation_plot import plot_generalisation, plot_generalisation_predictions
from .powerlaw import PowerLaw, fit_power_law
from .scaling import compute_frontier, exchange_rates, is_capped, scaling
from .scaling_plot import plot_compute_frontier, plot_exchange_rate, plot_scaling, plot_scaling_laws

#: Experiment names, as the CLI takes them.
EXPERIMENTS: tuple[str, ...] = ("crowding", "generalisation", "scaling")

__all__ = [
    "EXPERIMENTS",
    "Cache",
    "ExperimentResult",
    "MultiArch",
    "MultiField",
    "PowerLaw",
    "abruptness",
    "bootstrap_law",
    "compute_frontier",
    "crowding",
    "emergence",
    "exchange_rates",
    "fit_power_law",
    "generalisation",
    "image_scaling",
    "is_capped",
    "load_result",
    "plan_multi",
    "plot_compute_frontier",
    "plot_crowding",
    "plot_emergence",
    "plot_exchange_rate",
    "plot_generalisation",
    "plot_generalisation_predictions",
    "plot_image_scaling",
    "plot_scaling",
    "plot_scaling_laws",
    "scaling",
    "scaling_tables",
    "score_regions",
    "split_pixels",
    "square_crops",
    "summary",
    "tile_regions",
    "tiles",
]
