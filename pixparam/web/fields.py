"""What the browser needs to evaluate a field: one small exporter per family, keyed by the registry.

An exporter turns a trained :class:`~pixparam.fields.Field` into a
:class:`FieldData`: a ``kind`` that names the viewer's renderer, JSON
settings, and named float arrays. The MLP families share one exporter
(``kind="mlp"``): their input encoding comes from the encoder registered
under the family's ``FamilySpec.encoding`` (``"raw"``, ``"fourier"``,
``"hash"``), their hidden units from ``FamilySpec.mlp`` and their
activation from ``FamilySpec.activation`` (the viewer's JavaScript has a
matching encoding and activation table). A family that is not an encoding
plus an MLP (a dense grid, Gaussian splats) registers a whole-field
exporter with :func:`register_exporter` and a renderer of its ``kind`` in
the viewer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ..errors import ConfigError
from ..fields import Field, hidden_layers, spec_for
from ..fields.hashgrid import PRIME

__all__ = ["ENCODERS", "EXPORTERS", "FieldData", "field_data", "register_encoder", "register_exporter"]


@dataclass
class FieldData:
    """A field as the viewer evaluates it.

    Attributes
    ----------
    kind : str
        The viewer's renderer (``"mlp"``: an encoding, then an MLP).
    meta : dict
        JSON-ready settings the renderer needs (for ``"mlp"``: ``encoding``,
        ``activation`` and ``layers``, each layer ``[out, in]``).
    arrays : dict of str to ndarray
        Named float32 arrays: the trained values, stored as float16 by
        default (:func:`pixparam.export_web`).
    fixed : set of str
        Names in ``arrays`` that are fixed, seed-derived values (Fourier
        frequencies): always stored as float32, since their phases reach
        hundreds of radians.
    """

    kind: str
    meta: dict[str, Any]
    arrays: dict[str, np.ndarray]
    fixed: set[str] = field(default_factory=set)


#: ``encoder(model) -> (meta, arrays, fixed)`` by ``FamilySpec.encoding``.
ENCODERS: dict[str, Callable[[Field], tuple[dict[str, Any], dict[str, np.ndarray], set[str]]]] = {}
#: Whole-field exporters by family name; they take precedence over the MLP exporter.
EXPORTERS: dict[str, Callable[[Field], FieldData]] = {}


def register_encoder(
    name: str, encoder: Callable[[Field], tuple[dict[str, Any], dict[str, np.ndarray], set[str]]]
) -> None:
    """Teach the exporter an input encoding (``FamilySpec.encoding``) of an MLP family.

    Parameters
    ----------
    name : str
        The encoding's name, as in the family's spec.
    encoder : callable
        ``encoder(model) -> (meta, arrays, fixed)``: JSON settings, named
        arrays and the names of the fixed ones. The viewer's
        ``PixparamViewer.encodings[name]`` must evaluate the same encoding.
    """
    ENCODERS[name] = encoder


def register_exporter(family: str, exporter: Callable[[Field], FieldData]) -> None:
    """Export a family with its own function instead of the encoding + MLP exporter.

    Parameters
    ----------
    family : str
        A registered family name.
    exporter : callable
        ``exporter(model) -> FieldData``; the viewer needs a renderer of its ``kind``.
    """
    EXPORTERS[family] = exporter


def _array(t: torch.Tensor) -> np.ndarray:
    return t.detach().to("cpu", torch.float32).numpy().copy()


def field_data(model: Field) -> FieldData:
    """The :class:`FieldData` of a built or trained field.

    Parameters
    ----------
    model : Field
        The network (any device).

    Returns
    -------
    FieldData

    Raises
    ------
    ConfigError
        The family has neither a whole-field exporter nor a registered encoding.
    """
    arch = model.arch
    if arch.family in EXPORTERS:
        return EXPORTERS[arch.family](model)
    spec = spec_for(arch.family)
    layers = hidden_layers(model)
    if spec.encoding not in ENCODERS or not layers:
        raise ConfigError(
            f"the web viewer cannot export family {arch.family!r} (encoding {spec.encoding!r}); register an "
            f"encoder with pixparam.web.register_encoder or an exporter with pixparam.web.register_exporter"
        )
    meta, arrays, fixed = ENCODERS[spec.encoding](model)
    for i, layer in enumerate(layers):
        arrays[f"layer{i}.weight"] = _array(layer.weight)
        arrays[f"layer{i}.bias"] = _array(layer.bias)
    options = {k: v for k, v in arch.options.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return FieldData(
        kind="mlp",
        meta={
            "encoding": {"name": spec.encoding, **meta},
            "activation": {"name": spec.activation, "options": options},
            "layers": [[int(la.out_features), int(la.in_features)] for la in layers],
        },
        arrays=arrays,
        fixed=fixed,
    )


def _raw(model: Field) -> tuple[dict[str, Any], dict[str, np.ndarray], set[str]]:
    return {"inputs": 2}, {}, set()


def _fourier(model: Field) -> tuple[dict[str, Any], dict[str, np.ndarray], set[str]]:
    b = _array(model.B)  # (2, n_features): phase = 2π (u·B) with u = (coords + 1) / 2
    return {"n_features": int(b.shape[1]), "inputs": 2 * int(b.shape[1])}, {"B": b}, {"B"}


def _hash(model: Field) -> tuple[dict[str, Any], dict[str, np.ndarray], set[str]]:
    meta = {
        "resolutions": [int(n) for n in model.resolutions.tolist()],
        "offsets": [int(n) for n in model.offsets.tolist()],
        "dense": [bool(d) for d in model.dense.tolist()],
        "table_size": int(model.table_size),
        "prime": int(PRIME),
        "features_per_level": int(model.n_features),
        "inputs": int(model.n_features) * len(model.resolutions),
    }
    return meta, {"table": _array(model.table)}, set()


register_encoder("raw", _raw)
register_encoder("fourier", _fourier)
register_encoder("hash", _hash)
