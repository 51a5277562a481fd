"""Experiments from the "parameters as pixels" debate, each a tidy result plus a figure.

- :func:`crowding` / :func:`plot_crowding`: one budget memorises K images, network against pixels.
- :func:`generalisation` / :func:`plot_generalisation`: train on some pixels, predict the held-out ones,
  budgets across the interpolation threshold.
- :func:`scaling` / :func:`plot_scaling`: power laws of MSE in parameters and pixels, the exchange rate,
  and the compute-optimal frontier.
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
from .crowding import crowding, plot_crowding, tiles
from .emergence import abruptness, emergence, plot_emergence, score_regions, tile_regions
from .generalisation import generalisation, plot_generalisation, split_pixels
from .powerlaw import PowerLaw, fit_power_law
from .scaling import compute_frontier, exchange_rates, plot_scaling, scaling

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
    "load_result",
    "plan_multi",
    "plot_crowding",
    "plot_emergence",
    "plot_generalisation",
    "plot_image_scaling",
    "plot_scaling",
    "scaling",
    "scaling_tables",
    "score_regions",
    "split_pixels",
    "summary",
    "tile_regions",
    "tiles",
]
