"""Matplotlib figures. ``plot_*`` (and ``compare``, ``capacity_curve``) return a Figure; ``draw_*`` draw into an Axes.

Library code never calls ``plt.show()``; figures use the object API (no
pyplot state) so they work headless, and each is an ordinary Figure to
restyle, drawn in :func:`style` and at most :data:`~pixparam.figures.style.MAX_WIDTH`
(7.2 in) wide.

Deprecated names, kept as aliases that warn: ``compare_families``
(:func:`plot_families`), ``edit_strip`` (:func:`plot_edit_strip`),
``edit_curve`` (:func:`plot_edit_curve`), ``blend_strip``
(:func:`plot_blend_strip`).
"""

from ..capacity import capacity_table, crossovers, power_law, save_table
from .blends import BlendSeries, blend_strip, network_blends, pixel_crossfades, plot_blend_strip, plot_blends
from .compare import compare, compare_families, plot_families
from .curves import capacity_curve, draw_capacity, plot_capacity
from .edits import edit_bytes, edit_curve, edit_series, edit_strip, plot_edit_curve, plot_edit_strip
from .film import Film, FilmRecorder, frame_steps, training_film
from .film_plots import plot_film, plot_film_psnr
from .film_sync import family_films, synced_frames, write_synced_film
from .panels import check_figure_path, draw_error, draw_image, draw_inset, error_map, plot_strip, save_figure
from .style import COLORS, MAX_WIDTH, style

__all__ = [
    "COLORS",
    "MAX_WIDTH",
    "BlendSeries",
    "Film",
    "FilmRecorder",
    "blend_strip",
    "capacity_curve",
    "capacity_table",
    "check_figure_path",
    "compare",
    "compare_families",
    "crossovers",
    "draw_capacity",
    "draw_error",
    "draw_image",
    "draw_inset",
    "edit_bytes",
    "edit_curve",
    "edit_series",
    "edit_strip",
    "error_map",
    "family_films",
    "frame_steps",
    "network_blends",
    "pixel_crossfades",
    "plot_blend_strip",
    "plot_blends",
    "plot_capacity",
    "plot_edit_curve",
    "plot_edit_strip",
    "plot_families",
    "plot_film",
    "plot_film_psnr",
    "plot_strip",
    "power_law",
    "save_figure",
    "save_table",
    "style",
    "synced_frames",
    "training_film",
    "write_synced_film",
]
