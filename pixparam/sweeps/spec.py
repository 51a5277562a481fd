"""Sweep specs: a TOML grid of images × sizes × budgets × families × seeds × steps, checked before any work.

A spec is a TOML file (or the same keys in a dict)::

    images = ["coins", "photos/"]     # sample names, image files, or folders of them
    size = [32, 48]                   # longest side each image is resized to
    budgets = [400, "1k", "4k"]       # trainable parameters
    families = ["siren", "hashgrid"]  # registered families
    seeds = [0, 1, 2]                 # one seed, or a list
    steps = 300                       # optimiser steps, one or a list

    [options]                         # optional: more pp.fit settings for every fit
    lr = 1e-3

    [[edits]]                         # optional: each fit is also measured after this edit
    edit = "quantize"
    bits = 8

Every top-level key takes a value or a list. ``images`` and ``budgets`` are
required; the defaults are ``size``: the image's own size, ``families``:
``"siren"``, ``seeds``: ``0``, ``steps``: :data:`pixparam.training.DEFAULT_STEPS`.
Relative paths are read from the spec file's folder. A key that is not one of
these, a value of the wrong type, an unknown image or family, a duplicate, or
an edit that does not apply is a :class:`~pixparam.ConfigError` that names the
line of the spec, raised before anything is trained.
"""

from __future__ import annotations

import inspect
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..budget import parse_budget
from ..errors import ConfigError, PixparamError
from ..fields import FAMILIES
from ..images import SAMPLES
from ..training import DEFAULT_STEPS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["EDITS", "IMAGE_SUFFIXES", "KEYS", "SweepSpec", "find_line", "read_spec"]

#: The keys a spec may hold.
KEYS: tuple[str, ...] = ("images", "size", "budgets", "families", "seeds", "steps", "options", "edits")

#: The edits a spec may ask for (each takes a fit and keyword arguments): names in :mod:`pixparam.edit`.
EDITS: tuple[str, ...] = ("quantize", "prune", "noise")

#: File suffixes read as images when ``images`` names a folder.
IMAGE_SUFFIXES: tuple[str, ...] = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".gif")

#: ``pp.fit`` keywords a spec's ``[options]`` may not set: the sweep sets them itself.
_NOT_OPTIONS = frozenset({"steps", "seed", "device", "progress", "callback", "init_from", "family", "budget"})


@dataclass(frozen=True)
class SweepSpec:
    """A checked sweep grid.

    Attributes
    ----------
    images : tuple of str
        Image labels, as the results name them: a sample name, or a file's
        path as written in the spec (a folder expands to its image files).
    sources : tuple of str
        What :func:`pixparam.load_image` reads for each label (a sample name
        or an absolute path).
    sizes : tuple of int or None
        Longest sides (``None``: the image's own size).
    budgets : tuple of int
        Parameter budgets.
    families : tuple of str
        Network families.
    seeds : tuple of int
        Seeds.
    steps : tuple of int
        Step counts.
    options : dict
        Further :func:`pixparam.fit` settings, the same for every fit.
    edits : tuple of dict
        Edits measured after each fit: ``{"edit": name, **arguments}``.
    name : str
        Where the spec came from (its file, or ``"spec"``), for messages.
    text : str
        The TOML text (empty for a dict), for finding lines.
    """

    images: tuple[str, ...]
    sources: tuple[str, ...]
    sizes: tuple[int | None, ...]
    budgets: tuple[int, ...]
    families: tuple[str, ...]
    seeds: tuple[int, ...]
    steps: tuple[int, ...]
    options: dict[str, Any] = field(default_factory=dict)
    edits: tuple[dict[str, Any], ...] = ()
    name: str = "spec"
    text: str = field(default="", repr=False)

    @property
    def n_tasks(self) -> int:
        """Fits in the grid (edits are measured on these, not trained)."""
        n = len(self.images) * len(self.sizes) * len(self.budgets)
        return n * len(self.families) * len(self.seeds) * len(self.steps)

    def where(self, key: str, index: int | None = None, sub: str | None = None) -> str:
        """``"spec.toml line 3 (budgets)"``: where ``key`` is written, for an error message.

        Parameters
        ----------
        key : str
            A top-level key.
        index : int, optional
            For ``edits``: which ``[[edits]]`` entry.
        sub : str, optional
            A key inside ``[options]`` or an edit.

        Returns
        -------
        str
        """
        line = find_line(self.text, key, index, sub)
        what = key if index is None else f"{key}[{index}]"
        what = what if sub is None else f"{what}.{sub}"
        return f"{self.name} line {line} ({what})" if line else f"{self.name} ({what})"


def read_spec(source: str | os.PathLike | Mapping[str, Any] | SweepSpec) -> SweepSpec:
    """Read and check a sweep spec (the module docstring lists its keys).

    Parameters
    ----------
    source : path, mapping or SweepSpec
        A TOML file, the same keys in a dict (relative paths are then read
        from the working folder), or a spec already read.

    Returns
    -------
    SweepSpec

    Raises
    ------
    ConfigError
        The file is missing or not TOML, or a key is unknown, of the wrong
        type, names an unknown image or family, or repeats a value; the
        message names the line.

    Examples
    --------
    >>> spec = read_spec({"images": "coins", "size": 16, "budgets": [200, "1k"], "seeds": [0, 1]})
    >>> spec.budgets, spec.families, spec.n_tasks
    ((200, 1000), ('siren',), 4)
    """
    if isinstance(source, SweepSpec):
        return source
    if isinstance(source, Mapping):
        return _check(dict(source), "spec", "", Path.cwd())
    path = Path(source)
    if not path.is_file():
        raise ConfigError(f"sweep spec {str(path)!r} does not exist; pass a TOML file (see pixparam sweep --help)")
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return _check(data, str(path), text, path.resolve().parent)


def find_line(text: str, key: str, index: int | None = None, sub: str | None = None) -> int | None:
    """The 1-based line of ``key`` in TOML ``text`` (``[key]`` / ``[[key]]`` tables too), or ``None``.

    Parameters
    ----------
    text : str
        The TOML text.
    key : str
        A top-level key or table name.
    index : int, optional
        The ``index``-th ``[[key]]`` entry of an array of tables.
    sub : str, optional
        A key inside that table (its own line when found, else the table's).

    Returns
    -------
    int or None
    """
    table: str | None = None
    seen = -1
    start: int | None = None
    name = rf'"?{re.escape(key)}"?'
    for i, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        header = re.match(r"^\[\[?\s*([^\]]+?)\s*\]\]?", s)
        if header:
            table = header.group(1).strip('"')
            if table == key:
                seen += 1
                if start is None and (index is None or seen == index):
                    start = i
                elif start is not None:
                    break
            elif start is not None:
                break
            continue
        if start is not None:
            if sub is not None and re.match(rf'^"?{re.escape(sub)}"?\s*=', s):
                return i
            continue
        if table is None and re.match(rf"^{name}\s*[.=]", s):
            if sub is None:
                return i
            start = i
            hit = re.search(rf"[{{,]\s*{re.escape(sub)}\s*=", line)
            if hit:
                return i
    return start


def _check(data: dict[str, Any], name: str, text: str, base: Path) -> SweepSpec:
    """The spec's values, checked; ``name``/``text`` say where for messages, ``base`` resolves paths."""
    probe = SweepSpec((), (), (), (), (), (), (), name=name, text=text)
    unknown = [k for k in data if k not in KEYS]
    if unknown:
        raise ConfigError(f"{probe.where(unknown[0])}: unknown key {unknown[0]!r}; a spec holds {', '.join(KEYS)}")
    for required in ("images", "budgets"):
        if required not in data:
            raise ConfigError(f"{name}: no {required!r}; a spec needs images and budgets (e.g. budgets = [400, 1600])")
    images, sources = _images(data["images"], probe, base)
    sizes = tuple(_ints(data.get("size"), "size", probe, low=2)) if data.get("size") is not None else (None,)
    budgets = tuple(_budgets(data["budgets"], probe))
    families = tuple(_families(data.get("families", "siren"), probe))
    seeds = tuple(_ints(data.get("seeds", 0), "seeds", probe, low=0))
    steps = tuple(_ints(data.get("steps", DEFAULT_STEPS), "steps", probe, low=1))
    options = _options(data.get("options", {}), probe)
    edits = _edits(data.get("edits", []), probe)
    return SweepSpec(images, sources, sizes, budgets, families, seeds, steps, options, edits, name=name, text=text)


def _listed(value: Any, key: str, spec: SweepSpec) -> list[Any]:
    items = list(value) if isinstance(value, list) else [value]
    if not items:
        raise ConfigError(f"{spec.where(key)}: {key} is empty; give at least one value")
    seen = set()
    for v in items:
        if isinstance(v, (dict, list)):
            raise ConfigError(f"{spec.where(key)}: {key} holds {v!r}; give a value or a list of values")
        if v in seen:
            raise ConfigError(f"{spec.where(key)}: {key} lists {v!r} twice; list each value once")
        seen.add(v)
    return items


def _ints(value: Any, key: str, spec: SweepSpec, low: int) -> list[int]:
    items = _listed(value, key, spec)
    for v in items:
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise ConfigError(f"{spec.where(key)}: {key} holds {v!r}; every value must be a whole number >= {low}")
    return items


def _budgets(value: Any, spec: SweepSpec) -> list[int]:
    out = []
    for v in _listed(value, "budgets", spec):
        try:
            out.append(parse_budget(v))
        except PixparamError as exc:
            raise ConfigError(f"{spec.where('budgets')}: {exc}") from None
    if len(set(out)) < len(out):
        raise ConfigError(f"{spec.where('budgets')}: budgets repeat a value ({value!r}); list each budget once")
    return out


def _families(value: Any, spec: SweepSpec) -> list[str]:
    names = _listed(value, "families", spec)
    known = tuple(FAMILIES)  # read now: families registered later count
    for n in names:
        if n not in known:
            raise ConfigError(f"{spec.where('families')}: unknown family {n!r}; choose from {', '.join(known)}")
    return names


def _images(value: Any, spec: SweepSpec, base: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    labels: list[str] = []
    sources: list[str] = []
    for v in _listed(value, "images", spec):
        if not isinstance(v, str) or not v:
            raise ConfigError(f"{spec.where('images')}: images holds {v!r}; give sample names, files or folders")
        path = Path(v) if Path(v).is_absolute() else base / v
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
            if not files:
                raise ConfigError(
                    f"{spec.where('images')}: folder {v!r} holds no image files ({', '.join(IMAGE_SUFFIXES)})"
                )
            labels += [str(Path(v) / p.name) for p in files]
            sources += [str(p) for p in files]
        elif path.is_file():
            labels.append(v)
            sources.append(str(path))
        elif v in SAMPLES:
            labels.append(v)
            sources.append(v)
        else:
            raise ConfigError(
                f"{spec.where('images')}: unknown image {v!r}: not a sample name, nor a file or folder in "
                f"{str(base)!r}; samples are {', '.join(SAMPLES)}"
            )
    if len(set(sources)) < len(sources):
        raise ConfigError(f"{spec.where('images')}: an image is listed twice; list each once")
    return tuple(labels), tuple(sources)


def _options(value: Any, spec: SweepSpec) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{spec.where('options')}: options is {value!r}; write a table: [options] then key = value")
    for k in value:
        if k in _NOT_OPTIONS:
            what = "a top-level key" if k in KEYS or k + "s" in KEYS else "set by the sweep"
            raise ConfigError(f"{spec.where('options', sub=k)}: {k!r} is {what}, not an option")
    return dict(value)  # the values are checked when each fit is planned (before any is trained)


def _edits(value: Any, spec: SweepSpec) -> tuple[dict[str, Any], ...]:
    from .. import edit

    items = value if isinstance(value, list) else [value]
    out = []
    for i, e in enumerate(items):
        if not isinstance(e, dict) or "edit" not in e:
            raise ConfigError(
                f"{spec.where('edits', i)}: an edit is a table with an 'edit' name, e.g. [[edits]] edit = \"quantize\""
            )
        kind = e["edit"]
        if kind not in EDITS:
            raise ConfigError(
                f"{spec.where('edits', i, 'edit')}: unknown edit {kind!r}; choose from {', '.join(EDITS)}"
            )
        args = {k: v for k, v in e.items() if k != "edit"}
        try:
            inspect.signature(getattr(edit, kind)).bind(None, **args)
        except TypeError as exc:
            raise ConfigError(f"{spec.where('edits', i)}: edit {kind!r}: {exc}") from None
        out.append(dict(e))
    return tuple(out)
