"""Run the examples and the tutorial for sphinx-gallery, and show their figures.

pixparam's figure functions return plain matplotlib ``Figure`` objects (not
pyplot's), so sphinx-gallery's matplotlib scraper sees none of them. Instead:

- ``examples/plot_*.py`` save their figures with ``save_figure``; the gallery
  shows the images each writes. Each example gets its own output folder,
  ``docs/_build/gallery_output/<name>/``, passed as its first argument (the
  path of its main figure). The second argument is the number of training
  steps: :data:`DOCS_STEPS` (about a quarter of each example's default, to
  keep the build short on a CPU), or
  ``PIXPARAM_DOCS_STEPS`` when set: a number for every example, or
  ``default`` to run each at its own default.
- the tutorial (``docs/tutorial_src``) writes nothing to the source tree; the
  page shows each ``Figure`` a code block leaves in a variable.

Both callables are named in ``conf.py`` by their import path, which keeps the
configuration picklable.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from sphinx_gallery.scrapers import figure_rst

OUTPUT = Path(__file__).resolve().parents[1] / "_build" / "gallery_output"
IMAGE_SUFFIXES = (".png", ".gif", ".jpg", ".svg", ".webp")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

#: Training steps per example in a docs build (its default in brackets). An example not listed runs at its default.
DOCS_STEPS = {
    "plot_capacity_curve": 150,  # (600) 12 fits
    "plot_compare": 250,  # (1000) 6 fits
    "plot_crowding": 125,  # (500) 31 networks
    "plot_fit_one_image": 250,  # (1000)
    "plot_generalisation": 100,  # (300) 18 fits
    "plot_mini_gallery": 200,  # (800) 10 fits
    "plot_prune_quantize": 250,  # (1000) 1 fit, 6 heals
    "plot_scaling": 100,  # (400) 8 fits at two lengths
    "plot_splice_blend": 200,  # (800) 5 fits
    "plot_training_film": 150,  # (600)
}
_shown: dict[str, set[str]] = {}
_figures: dict[str, list[Any]] = {}


def output_dir(src_file: str | Path) -> Path:
    """The folder an example writes to: one per example, under ``docs/_build``."""
    return OUTPUT / Path(src_file).stem


def reset_argv(gallery_conf: dict[str, Any], script_vars: dict[str, Any]) -> list[str]:
    """``sys.argv[1:]`` for an example: its figure path, and the steps when ``PIXPARAM_DOCS_STEPS`` is set.

    The path is relative to the example's folder (sphinx-gallery runs each
    example there), so the "wrote ..." lines in the gallery are the same on
    every machine.
    """
    src = Path(script_vars["src_file"])
    _figures[str(src)] = []
    if src.resolve().parent != EXAMPLES:
        return []
    out = output_dir(src)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    _shown[str(src)] = set()
    figure = out / (src.stem.removeprefix("plot_") + ".png")
    argv = [os.path.relpath(figure, src.parent)]
    steps = os.environ.get("PIXPARAM_DOCS_STEPS", "").strip().lower()
    if steps == "default":
        return argv
    if steps:
        return [*argv, str(int(steps))]
    if src.stem in DOCS_STEPS:
        argv.append(str(DOCS_STEPS[src.stem]))
    return argv


def written_images(block: Any, block_vars: dict[str, Any], gallery_conf: dict[str, Any], **kwargs: Any) -> str:
    """An image scraper: the images the example wrote to its folder since the last block.

    Still images come first, in the order written, then animations (a GIF
    film), so the first figure is the gallery thumbnail.
    """
    src = str(block_vars["src_file"])
    if Path(src).resolve().parent != EXAMPLES:
        return _new_figures(block_vars, gallery_conf)
    out = output_dir(src)
    shown = _shown.setdefault(src, set())
    if not out.is_dir():
        return ""
    new = [p for p in out.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and p.name not in shown]
    new.sort(key=lambda p: (p.suffix.lower() == ".gif", p.stat().st_mtime_ns, p.name))
    names = []
    for path, target in zip(new, block_vars["image_path_iterator"]):
        target = Path(target).with_suffix(path.suffix.lower())
        shutil.copyfile(path, target)
        shown.add(path.name)
        names.append(str(target))
    # one image per row, each at the page's width (sphinx-gallery puts several side by side, too small here)
    return "".join(figure_rst([name], gallery_conf["src_dir"]) for name in names)


def _new_figures(block_vars: dict[str, Any], gallery_conf: dict[str, Any]) -> str:
    """Save the ``Figure`` objects a block left in the script's variables that no earlier block showed."""
    from matplotlib.figure import Figure

    src = str(block_vars["src_file"])
    shown = _figures.setdefault(src, [])  # the objects themselves: a freed figure's id may be reused
    names = []
    for value in list(block_vars["example_globals"].values()):
        if isinstance(value, Figure) and not any(value is f for f in shown):
            shown.append(value)
            target = next(block_vars["image_path_iterator"])
            value.savefig(target, dpi=110)
            names.append(target)
    return "".join(figure_rst([name], gallery_conf["src_dir"]) for name in names)
