"""Matplotlib figures. Figure functions and ``plot_*`` return a Figure; ``draw_*`` draw into an Axes.

Library code never calls ``plt.show()``; figures use the object API (no
pyplot state) so they work headless, and each is an ordinary Figure to
restyle.
"""

from ..capacity import capacity_table, crossovers, power_law, save_table
from .compare import compare, compare_families
from .curves import capacity_curve, draw_capacity, plot_capacity
from .edits import blend_strip, edit_curve, edit_series, edit_strip
from .film import Film, FilmRecorder, plot_film, training_film
from .panels import draw_error, draw_image, draw_inset, error_map, plot_strip, save_figure
from .style import COLORS, style

__all__ = [
    "COLORS",
    "Film",
    "FilmRecorder",
    "blend_strip",
    "capacity_curve",
    "capacity_table",
    "compare",
    "compare_families",
    "crossovers",
    "draw_capacity",
    "draw_error",
    "draw_image",
    "draw_inset",
    "edit_curve",
    "edit_series",
    "edit_strip",
    "error_map",
    "plot_capacity",
    "plot_film",
    "plot_strip",
    "power_law",
    "save_figure",
    "save_table",
    "style",
    "training_film",
]
