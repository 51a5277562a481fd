"""``export_web``: fits as a self-contained folder the browser evaluates (no server, no CDN, no build step).

The folder holds::

    index.html            the first model in a <pixparam-viewer>
    pixparam-viewer.js    the custom element (one dependency-free file)
    models.json           the manifest: every model's numbers, settings and arrays
    models.js             the same manifest as a script, for pages opened from file://
    NN-family-budget.js   per model, its weights
    NN-family-budget.pixels.js   per model, its pixel counterpart (when the image is known)

Weights are float16 (``weights="float32"`` keeps them exact); fixed
features and the first layer of an MLP on raw coordinates stay float32
(:attr:`pixparam.web.FieldData.exact`), and a Gaussian's centre, shape and
colour are 16-bit fixed point over each column's range
(:attr:`pixparam.web.FieldData.fixed`, :mod:`pixparam.web.fixed16`). Each data file is a script, ``pixparamData(name,
"...")``, so it loads from ``file://`` as well as from any static host: its
string is the arrays' bytes, split into byte planes (the high bytes of
float16 values repeat), deflated and written in base 85.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .._io import check_folder, json_ready
from .._version import __version__
from ..budget import format_count
from ..errors import ConfigError, ImageError, OutputError
from ..images import load_image, to_uint8
from ..pixels import pixelate
from ..result import Fit
from .fields import field_data
from .fixed16 import decode_fixed16, encode_fixed16

__all__ = [
    "WEIGHT_DTYPES",
    "Export",
    "check_export_folder",
    "export_web",
    "prepare_export",
    "read_data_file",
    "viewer_script",
]

#: What ``weights=`` takes: the stored type of the trained values.
WEIGHT_DTYPES = ("float16", "float32")
FORMAT = "pixparam.web"
#: 2: arrays may be stored in 16-bit fixed point (``dtype`` ``"uint16"`` with ``fixed16`` ``lo``, ``step``);
#: the viewer reads versions 1 and 2 and refuses a newer one with a message.
FORMAT_VERSION = 2
#: The dtypes a data file's arrays are stored in.
STORED_DTYPES = ("float16", "float32", "uint8", "uint16")


def viewer_script() -> str:
    """The text of ``pixparam-viewer.js``, the viewer's one JavaScript file."""
    return resources.files(__package__).joinpath("static", "pixparam-viewer.js").read_text(encoding="utf-8")


def _index_template() -> str:
    return resources.files(__package__).joinpath("static", "index.html").read_text(encoding="utf-8")


@dataclass
class Export:
    """An export in memory: the manifest and every file's bytes by name.

    Attributes
    ----------
    manifest : dict
        What ``models.json`` holds.
    files : dict of str to bytes
        Every file of the folder (``index.html``, the viewer, the manifest
        and the data files), by name.
    """

    manifest: dict[str, Any]
    files: dict[str, bytes]

    def data_scripts(self) -> dict[str, str]:
        """The data files (manifest script, weights, pixels) as text, by name."""
        return {k: v.decode() for k, v in self.files.items() if k.endswith(".js") and k != "pixparam-viewer.js"}


def _data_script(name: str, payload: Any) -> bytes:
    return f"pixparamData({json.dumps(name)}, {json.dumps(payload, separators=(',', ':'))});\n".encode()


def _pack(
    arrays: Sequence[tuple[str, np.ndarray]], extra: dict[str, dict[str, Any]] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Arrays as one base-85 string of their deflated byte planes, and each array's entry (plus ``extra[name]``)."""
    chunks, entries, offset = [], [], 0
    extra = extra or {}
    for name, a in arrays:
        a = np.ascontiguousarray(a)
        planes = a.view(np.uint8).reshape(-1, a.itemsize).T  # byte k of every value, then byte k + 1, ...
        chunks.append(planes.tobytes())
        entries.append(
            {
                "name": name,
                "dtype": a.dtype.name,
                "shape": list(a.shape),
                "offset": offset,
                "nbytes": a.nbytes,
                **extra.get(name, {}),
            }
        )
        offset += a.nbytes
    text = base64.b85encode(zlib.compress(b"".join(chunks), 9)).decode("ascii")
    return text, entries


def read_data_file(text: str, entries: Sequence[dict[str, Any]]) -> dict[str, np.ndarray]:
    """The arrays of a data file, as the viewer decodes them (the inverse of what :func:`export_web` writes).

    Parameters
    ----------
    text : str
        The file's text, ``pixparamData("name", "...");``.
    entries : sequence of dict
        Its arrays' entries in the manifest (``weights.arrays`` or ``pixels.arrays``).

    Returns
    -------
    dict of str to ndarray
        By name, in their stored dtype and shape; an array stored in 16-bit
        fixed point (an entry with ``"fixed16": {"lo": [...], "step": [...]}``,
        format version 2) decoded to float32 as the viewer decodes it
        (:func:`~pixparam.web.fixed16.decode_fixed16`).

    Raises
    ------
    ConfigError
        An entry's dtype is not one this version writes (a newer export: read it with a newer pixparam).
    """
    payload = json.loads(text[text.index(",") + 1 : text.rindex(")")])
    blob = zlib.decompress(base64.b85decode(payload))
    out = {}
    for e in entries:
        if e["dtype"] not in STORED_DTYPES:
            raise ConfigError(
                f"array {e['name']!r} is stored as {e['dtype']!r}, which pixparam {__version__} does not read "
                f"(it reads {', '.join(STORED_DTYPES)}); read the export with the pixparam that wrote it"
            )
        dtype = np.dtype(e["dtype"])
        planes = np.frombuffer(blob, np.uint8, e["nbytes"], e["offset"]).reshape(dtype.itemsize, -1)
        a = np.ascontiguousarray(planes.T).view(dtype).reshape(e["shape"])
        if "fixed16" in e:
            a = decode_fixed16(a, e["fixed16"]["lo"], e["fixed16"]["step"])
        out[e["name"]] = a
    return out


def _slug(i: int, fit: Fit) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", f"{i:02d}-{fit.family}-{format_count(fit.n_params)}")


def _finite(value: Any) -> float | None:
    return json_ready(float(value)) if value is not None else None


def _fit_metric(fit: Fit, name: str) -> float | None:
    if name in fit.metrics:
        return _finite(fit.metrics[name])
    return _finite(getattr(fit, name)) if fit.image is not None else None


def _check_fits(fits: Fit | Sequence[Fit]) -> list[Fit]:
    items = [fits] if isinstance(fits, Fit) else list(fits) if isinstance(fits, Sequence) else None
    if not items:
        raise ConfigError("export_web needs one or more fits (a Fit or a list of them)")
    for f in items:
        if not isinstance(f, Fit):
            raise ConfigError(f"export_web takes Fit objects, got {type(f).__name__}; load a checkpoint with pp.load")
    return items


def prepare_export(
    fits: Fit | Sequence[Fit], *, image: Any = None, weights: str = "float16", pixels: bool = True, title: str = ""
) -> Export:
    """Everything :func:`export_web` writes, in memory (:func:`pixparam.show` inlines it).

    Parameters
    ----------
    fits, image, weights, pixels, title
        As for :func:`export_web`.

    Returns
    -------
    Export
    """
    items = _check_fits(fits)
    if weights not in WEIGHT_DTYPES:
        raise ConfigError(f"weights={weights!r}; choose one of {', '.join(WEIGHT_DTYPES)}")
    img = None if image is None else load_image(image)
    for f in items:
        if img is not None and tuple(img.shape) != tuple(f.image_shape):
            raise ImageError(
                f"image is {img.shape[0]}×{img.shape[1]}×{img.shape[2]} but {f.arch.describe()!r} was fitted to "
                f"{'×'.join(map(str, f.image_shape))}; pass the image it was fitted to (resize it with --size)"
            )
    datas = [field_data(f.model) for f in items]  # an unknown family fails here, before anything is written
    files: dict[str, bytes] = {}
    models = []
    for i, (fit, data) in enumerate(zip(items, datas)):
        slug = _slug(i, fit)
        stored, fixed = [], {}
        for name, a in data.arrays.items():
            if weights == "float16" and name in data.fixed:
                codes, lo, step = encode_fixed16(a, name)
                stored.append((name, codes))
                fixed[name] = {"fixed16": {"lo": lo.tolist(), "step": step.tolist()}}
            else:
                stored.append((name, a.astype(np.float32 if name in data.exact else np.dtype(weights))))
        text, entries = _pack(stored, fixed)
        files[f"{slug}.js"] = _data_script(f"{slug}.js", text)
        entry: dict[str, Any] = {
            "name": slug,
            "family": fit.family,
            "describe": fit.arch.describe(),
            "n_params": fit.n_params,
            "image_shape": list(fit.image_shape),
            "psnr": _fit_metric(fit, "psnr"),
            "ssim": _fit_metric(fit, "ssim"),
            "edits": [e.get("name") for e in fit.edits],
            "kind": data.kind,
            "field": data.meta,
            "weights": {
                "file": f"{slug}.js",
                "dtype": weights,
                "bytes": sum(e["nbytes"] for e in entries),
                "file_bytes": len(files[f"{slug}.js"]),
                "arrays": entries,
            },
            "pixels": None,
        }
        ref = img if img is not None else fit.image
        if pixels and ref is not None:
            pix = pixelate(ref, fit.n_params)
            small = to_uint8(pix.small)
            ptext, pentries = _pack([("pixels", small)])
            files[f"{slug}.pixels.js"] = _data_script(f"{slug}.pixels.js", ptext)
            entry["pixels"] = {
                "file": f"{slug}.pixels.js",
                "shape": list(small.shape),
                "n_values": pix.n_values,
                "psnr": _finite(pix.psnr),
                "ssim": _finite(pix.ssim),
                "file_bytes": len(files[f"{slug}.pixels.js"]),
                "arrays": pentries,
            }
        models.append(entry)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "pixparam_version": __version__,
        "title": title,
        "models": models,
    }
    files["models.json"] = (json.dumps(manifest, indent=1, ensure_ascii=False, allow_nan=False) + "\n").encode()
    files["models.js"] = _data_script("models.json", manifest)
    files["pixparam-viewer.js"] = viewer_script().encode()
    page_title = title or f"pixparam · {items[0].arch.describe()}"
    files["index.html"] = _index_template().replace("{{title}}", html.escape(page_title)).encode()
    return Export(manifest=manifest, files=files)


def _is_export(folder: Path) -> bool:
    try:
        return json.loads((folder / "models.json").read_text()).get("format") == FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def check_export_folder(out_dir: str | os.PathLike) -> Path:
    """``out_dir`` when an export can be written there: new, empty, or an earlier export (replaced whole).

    Parameters
    ----------
    out_dir : str or path
        The folder to write.

    Returns
    -------
    Path

    Raises
    ------
    OutputError
        It is a file, its parent is missing, or it holds files that are not an export.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputError(f"cannot export to {str(out)!r}: it is a file; pass a folder (it is created if missing)")
    check_folder(out)
    if out.is_dir() and any(out.iterdir()) and not _is_export(out):
        raise OutputError(
            f"{str(out)!r} holds files that are not a pixparam web export; pass a new or empty folder "
            f"(an earlier export there is replaced)"
        )
    return out


def export_web(
    fits: Fit | Sequence[Fit],
    out_dir: str | os.PathLike,
    *,
    image: Any = None,
    weights: str = "float16",
    pixels: bool = True,
    title: str = "",
) -> Path:
    """Write a folder that shows the fits live in a browser: the network is evaluated in a WebGL2 shader.

    Open ``index.html`` (from ``file://`` or any static host), or put two
    lines in a page next to the folder's files::

        <script src="pixparam-viewer.js" defer></script>
        <pixparam-viewer src="models.json"></pixparam-viewer>

    Parameters
    ----------
    fits : Fit or sequence of Fit
        The models; a ladder of one family shows as a budget slider.
    out_dir : str or path
        The folder (created; an earlier export there is replaced, atomically).
    image : image source, optional
        The fitted image, for the pixel counterparts (default: each fit's
        ``image``; fits loaded from checkpoints have none).
    weights : {"float16", "float32"}
        The stored type of the trained values.
    pixels : bool
        Include each fit's pixel counterpart (``pp.pixelate(image, n_params)``, 8-bit).
    title : str
        The page title.

    Returns
    -------
    Path
        ``out_dir``.

    Raises
    ------
    ConfigError
        No fits, a bad ``weights``, or a family the viewer cannot evaluate.
    ImageError
        ``image`` is not the size the fits were fitted to.
    OutputError
        ``out_dir`` is a file, or a folder holding other files.
    """
    out = check_export_folder(out_dir)
    export = prepare_export(fits, image=image, weights=weights, pixels=pixels, title=title)
    parent = out.parent if str(out.parent) else Path(".")
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    try:
        for name, data in export.files.items():
            (tmp / name).write_bytes(data)
        os.chmod(tmp, 0o755)
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=parent))
            os.replace(out, old / "export")
        os.replace(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
