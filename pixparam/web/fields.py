"""What the browser needs to evaluate a field: one small exporter per family, keyed by the registry.

An exporter turns a trained :class:`~pixparam.fields.Field` into a
:class:`FieldData`: a ``kind`` that names the viewer's renderer, JSON
settings, and named float arrays. The MLP families share one exporter
(``kind="mlp"``): their input encoding comes from the encoder registered
under the family's ``FamilySpec.encoding`` (``"raw"``, ``"fourier"``,
``"hash"``), their hidden units from ``FamilySpec.mlp`` and their
activation from ``FamilySpec.activation`` (the viewer's JavaScript has a
matching encoding and activation table). A family that is not an encoding
plus an MLP registers a whole-field exporter with :func:`register_exporter`
and a renderer of its ``kind`` in the viewer: here ``"grid"`` (a dense grid
read through PIL's bicubic or bilinear taps), ``"wire"`` (a complex
Gabor MLP) and ``"gaussians"`` (truncated 2D Gaussians, splatted per
fragment).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ..errors import ConfigError
from ..fields import Field, hidden_layers, spec_for
from ..fields.gaussians import NORMALIZE_EPS
from ..fields.hashgrid import PRIME
from .fixed16 import round_fixed16

__all__ = ["ENCODERS", "EXPORTERS", "FieldData", "field_data", "register_encoder", "register_exporter", "stored_model"]


@dataclass
class FieldData:
    """A field as the viewer evaluates it.

    Attributes
    ----------
    kind : str
        The viewer's renderer: ``"mlp"`` (an encoding, then an MLP),
        ``"grid"`` (a dense grid of values read by interpolation),
        ``"wire"`` (a complex Gabor MLP) or ``"gaussians"``.
    meta : dict
        JSON-ready settings the renderer needs (for ``"mlp"``: ``encoding``,
        ``activation`` and ``layers``, each layer ``[out, in]``; for
        ``"grid"``: ``shape`` ``[h, w]``, ``channels`` and ``taps`` per axis;
        for ``"wire"``: ``widths``, ``channels``, ``omega0`` and ``sigma0``;
        for ``"gaussians"``: ``n_gaussians``, ``channels``, ``cutoff``,
        ``blending``, ``fill`` and ``eps``).
    arrays : dict of str to ndarray
        Named float32 arrays: the trained values, stored as float16 by
        default (:func:`pixparam.export_web`).
    fixed : set of str
        Names in ``arrays`` stored in 16-bit fixed point over each column's
        range (:mod:`pixparam.web.fixed16`) in a float16 export: the same
        2 bytes a value, finer than float16 where a small move matters (a
        Gaussian's centre, shape and colour).
    exact : set of str
        Names in ``arrays`` stored as float32 whatever the export's
        ``weights``: fixed features (Fourier frequencies, whose phases reach
        hundreds of radians), the first layer of an MLP on raw coordinates
        (3 values per unit, and SIREN's ``omega0 = 30`` multiplies its
        rounding thirty-fold; WIRE's Gaussian window ``exp(-sigma0^2 z^2)``
        amplifies it too) and every bias (one value per unit: its
        rounding shifts the unit's whole pre-activation, which is most of
        what float16 changes in a trained SIREN or FINER).
    tensors : dict of str to torch.Tensor
        The model's tensor each array was read from (:func:`stored_model`
        rounds them as the export stores them).
    """

    kind: str
    meta: dict[str, Any]
    arrays: dict[str, np.ndarray]
    exact: set[str] = field(default_factory=set)
    tensors: dict[str, torch.Tensor] = field(default_factory=dict, repr=False)
    fixed: set[str] = field(default_factory=set)


#: ``encoder(model) -> (meta, tensors, exact)`` by ``FamilySpec.encoding``.
ENCODERS: dict[str, Callable[[Field], tuple[dict[str, Any], dict[str, torch.Tensor], set[str]]]] = {}
#: Whole-field exporters by family name; they take precedence over the MLP exporter.
EXPORTERS: dict[str, Callable[[Field], FieldData]] = {}


def register_encoder(
    name: str, encoder: Callable[[Field], tuple[dict[str, Any], dict[str, torch.Tensor], set[str]]]
) -> None:
    """Teach the exporter an input encoding (``FamilySpec.encoding``) of an MLP family.

    Parameters
    ----------
    name : str
        The encoding's name, as in the family's spec.
    encoder : callable
        ``encoder(model) -> (meta, tensors, exact)``: JSON settings, the
        encoding's named tensors, and the names (of those, or of the MLP's
        ``layer0.weight``, ``layer0.bias``) to keep in float32. The viewer's
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
    meta, tensors, exact = ENCODERS[spec.encoding](model)
    for i, layer in enumerate(layers):
        tensors[f"layer{i}.weight"] = layer.weight
        tensors[f"layer{i}.bias"] = layer.bias
    exact = exact | {f"layer{i}.bias" for i in range(len(layers))}
    options = {k: v for k, v in arch.options.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return FieldData(
        kind="mlp",
        meta={
            "encoding": {"name": spec.encoding, **meta},
            "activation": {"name": spec.activation, "options": options},
            "layers": [[int(la.out_features), int(la.in_features)] for la in layers],
        },
        arrays={name: _array(t) for name, t in tensors.items()},
        exact=exact,
        tensors=tensors,
    )


def stored_model(model: Field, weights: str = "float16") -> Field:
    """A copy of ``model`` holding exactly the values an export with ``weights`` stores (the browser's network).

    Parameters
    ----------
    model : Field
        The network.
    weights : {"float16", "float32"}
        The export's stored type; :attr:`FieldData.exact` arrays stay float32
        and :attr:`FieldData.fixed` arrays are rounded to 16-bit fixed point.

    Returns
    -------
    Field
        A new module; ``model`` is untouched.
    """
    import copy

    out = copy.deepcopy(model)
    if weights == "float32":
        return out
    data = field_data(out)
    with torch.no_grad():
        for name, t in data.tensors.items():
            if name in data.fixed:
                t.copy_(torch.from_numpy(round_fixed16(data.arrays[name], name)).to(t.device, t.dtype))
            elif name not in data.exact:
                t.copy_(t.to(torch.float16).to(t.dtype))
    return out


def _raw(model: Field) -> tuple[dict[str, Any], dict[str, torch.Tensor], set[str]]:
    return {"inputs": 2}, {}, {"layer0.weight", "layer0.bias"}


def _fourier(model: Field) -> tuple[dict[str, Any], dict[str, torch.Tensor], set[str]]:
    n = int(model.B.shape[1])  # B: (2, n_features); phase = 2π (u·B) with u = (coords + 1) / 2
    return {"n_features": n, "inputs": 2 * n}, {"B": model.B}, {"B"}


def _hash(model: Field) -> tuple[dict[str, Any], dict[str, torch.Tensor], set[str]]:
    meta = {
        "resolutions": [int(n) for n in model.resolutions.tolist()],
        "offsets": [int(n) for n in model.offsets.tolist()],
        "dense": [bool(d) for d in model.dense.tolist()],
        "table_size": int(model.table_size),
        "prime": int(PRIME),
        "features_per_level": int(model.n_features),
        "inputs": int(model.n_features) * len(model.resolutions),
    }
    return meta, {"table": model.table}, set()


register_encoder("raw", _raw)
register_encoder("fourier", _fourier)
register_encoder("hash", _hash)


def _grid(model: Field) -> FieldData:
    """A dense grid: its ``(h, w, C)`` values; the viewer computes PIL's taps per fragment as ``axis_taps`` does."""
    h, w = (int(n) for n in model.shape)
    tensors: dict[str, torch.Tensor] = {"values": model.values}
    meta = {"shape": [h, w], "channels": int(model.arch.channels), "taps": int(model.taps)}
    return FieldData("grid", meta, {"values": _array(model.values)}, set(), tensors)


def _wire(model: Field) -> FieldData:
    """WIRE: a real first layer on ``(x, y)``, complex hidden layers as (re, im) pairs, a complex output."""
    tensors = dict(model.named_parameters())  # first.*, hidden_re.i.*, hidden_im.i.*, out_re.*, out_im.weight
    meta = {
        "widths": [int(n) for n in model.arch.widths],
        "channels": int(model.arch.channels),
        "omega0": float(model.omega0),
        "sigma0": float(model.sigma0),
    }
    arrays = {name: _array(t) for name, t in tensors.items()}
    exact = {"first.weight"} | {name for name in tensors if name.endswith(".bias")}
    return FieldData("wire", meta, arrays, exact, tensors)


def _gaussians(model: Field) -> FieldData:
    """Gaussians: centres, stored Cholesky values ``(log l11, k, log l22)`` and colours; the viewer splats them."""
    tensors = {"means": model.means, "chol": model.chol, "colours": model.colours}
    meta = {
        "n_gaussians": int(model.means.shape[0]),
        "channels": int(model.arch.channels),
        "cutoff": float(model.cutoff),
        "blending": str(model.blending),
        "fill": str(model.fill),
        "eps": float(NORMALIZE_EPS),
    }
    # float16 centres move a Gaussian by up to 2^-11 of the image and float16 shapes rescale it by up to 2^-9
    # (log-scales near -4): a trained fit moved by 5-218/255; 16-bit fixed point over each column's range, the
    # same 2 bytes, moves them 25-85 times less (benchmarks/web_viewer.py measures what is left)
    arrays = {k: _array(t) for k, t in tensors.items()}
    return FieldData("gaussians", meta, arrays, set(), tensors, fixed={"means", "chol", "colours"})


register_exporter("grid", _grid)
register_exporter("wire", _wire)
register_exporter("gaussians", _gaussians)
