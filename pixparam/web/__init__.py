"""The live web viewer: :func:`export_web` writes a folder whose ``<pixparam-viewer>`` evaluates the networks in WebGL2.

:func:`render_view` is the PyTorch reference of what the viewer draws for a
view; :func:`show` puts the viewer in a notebook. :mod:`pixparam.web.fields`
holds one small exporter per family.
"""

from .export import (
    WEIGHT_DTYPES,
    Export,
    check_export_folder,
    export_web,
    prepare_export,
    read_data_file,
    viewer_script,
)
from .fields import ENCODERS, EXPORTERS, FieldData, field_data, register_encoder, register_exporter, stored_model
from .local import HEADLESS_WEBGL_ARGS, serve
from .notebook import Viewer, fit_html, image_png, show
from .view import View, render_view, to_rgba8, view_coords

__all__ = [
    "ENCODERS",
    "EXPORTERS",
    "HEADLESS_WEBGL_ARGS",
    "WEIGHT_DTYPES",
    "Export",
    "FieldData",
    "View",
    "Viewer",
    "check_export_folder",
    "export_web",
    "field_data",
    "fit_html",
    "image_png",
    "prepare_export",
    "read_data_file",
    "register_encoder",
    "register_exporter",
    "render_view",
    "serve",
    "show",
    "stored_model",
    "to_rgba8",
    "view_coords",
    "viewer_script",
]
