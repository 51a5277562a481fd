"""Sphinx configuration for pixparam's documentation.

Build with ``python -m sphinx -W -b html docs docs/_build/html`` (from the repository root).
The gallery runs each example at the steps in ``_ext/pixparam_gallery.py:DOCS_STEPS``;
``PIXPARAM_DOCS_STEPS=N`` runs every example at ``N`` steps (``5`` for a quick look at the
layout) and ``PIXPARAM_DOCS_STEPS=default`` at each example's own default.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path[:0] = [str(ROOT), str(DOCS / "_ext")]  # document (and run the examples of) this checkout

import pixparam  # noqa: E402

project = "pixparam"
author = "the pixparam authors"
copyright = "the pixparam authors"
release = pixparam.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "pixparam_api",
    "pixparam_cli",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_templates", "tutorial_src", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
templates_path = ["_templates"]
default_role = "py:obj"
smartquotes_action = "qe"  # no dashes: ``--option`` in help text stays two hyphens

# -- API reference -------------------------------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"  # the numpydoc sections carry the types (with shapes)
numpydoc_show_class_members = False  # the class template lists members once
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- Markdown pages (the measured results) -------------------------------------------------------------------------
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

# -- Examples gallery ----------------------------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": [str(ROOT / "examples"), str(DOCS / "tutorial_src")],
    "gallery_dirs": ["auto_examples", "tutorial"],
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    # Figure functions return plain Figures (not pyplot's), and the examples save them to disk:
    # the gallery shows the images each example writes (see _ext/pixparam_gallery.py).
    "image_scrapers": ("pixparam_gallery.written_images",),
    "reset_argv": "pixparam_gallery.reset_argv",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "min_reported_time": 1,
    "abort_on_example_error": True,
    "capture_repr": (),
}

# -- HTML ----------------------------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"pixparam {release}"
html_static_path = ["_static"]
html_css_files = ["pixparam.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "header_links_before_dropdown": 6,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "navigation_with_keys": False,
}
html_context = {"default_mode": "light"}

if os.environ.get("PIXPARAM_DOCS_STEPS"):
    print(f"pixparam docs: PIXPARAM_DOCS_STEPS={os.environ['PIXPARAM_DOCS_STEPS']} for the gallery examples")
