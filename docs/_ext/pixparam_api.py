"""What pixparam's public API is, and where the API reference lists it.

Used twice: by ``tests/test_docs.py`` (every public name has a docstring and a
place in the reference, without building the site) and by Sphinx, as an
extension that gives re-exported constants the ``#:`` comment written where
they are defined (``pixparam.SAMPLES`` is documented in ``pixparam/images.py``).

Public means: a name in the ``__all__`` of ``pixparam`` or of one of its
modules whose dotted name has no part starting with ``_``. The deprecated
modules in :data:`DEPRECATED_MODULES` are left out.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

API_DIR = Path(__file__).resolve().parents[1] / "api"

#: Modules kept only so old imports work; their names are documented at their new homes.
#: (Importing ``pixparam.train`` rebinds the attribute ``pixparam.train``, the function, to the module.)
DEPRECATED_MODULES = {"pixparam.train": "use pixparam.training (or pp.fit, pp.train)"}


@cache
def public_modules() -> tuple[str, ...]:
    """Dotted names of the public modules, ``pixparam`` first."""
    import pixparam

    names = ["pixparam"]
    for info in pkgutil.walk_packages(pixparam.__path__, "pixparam."):
        if any(part.startswith("_") for part in info.name.split(".")) or info.name in DEPRECATED_MODULES:
            continue
        names.append(info.name)
    return tuple(names)


def public_names() -> Iterator[tuple[str, str, Any]]:
    """``(module, name, object)`` for every name in a public module's ``__all__``."""
    for modname in public_modules():
        module = importlib.import_module(modname)
        for name in getattr(module, "__all__", ()):
            yield modname, name, getattr(module, name)


def is_documentable(obj: Any) -> bool:
    """Classes and functions carry their own docstring; other objects (constants) take a ``#:`` comment."""
    return inspect.isclass(obj) or inspect.isroutine(obj)


def own_docstring(obj: Any) -> str:
    """The docstring written for ``obj`` itself (not inherited, not dataclasses' generated signature)."""
    if inspect.ismodule(obj):
        return (obj.__doc__ or "").strip()
    if inspect.isclass(obj):
        doc = obj.__dict__.get("__doc__") or ""
        if doc.startswith(f"{obj.__name__}("):  # what @dataclass writes when there is no docstring
            return ""
        return doc.strip()
    return (getattr(obj, "__doc__", None) or "").strip()


@cache
def _attr_docs(modname: str) -> dict[str, list[str]]:
    """Module-level ``#:`` comments (above or after an assignment) and strings after one, as Sphinx reads them.

    Read from the source with :mod:`ast`, so the test needs no Sphinx.
    """
    module = importlib.import_module(modname)
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return {}
    lines = source.splitlines()
    body = ast.parse(source).body
    docs: dict[str, list[str]] = {}
    for i, node in enumerate(body):
        if isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets = [node.target.id]
        else:
            continue
        comment: list[str] = []
        j = node.lineno - 2
        while j >= 0 and lines[j].lstrip().startswith("#:"):
            comment.insert(0, lines[j].lstrip()[2:].strip())
            j -= 1
        inline = lines[node.end_lineno - 1].partition("#:")[2].strip() if "#:" in lines[node.end_lineno - 1] else ""
        after = body[i + 1] if i + 1 < len(body) else None
        if not comment and inline:
            comment = [inline]
        if (
            not comment
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            comment = inspect.cleandoc(after.value.value).splitlines()
        if comment:
            for target in targets:
                docs[target] = comment
    return docs


@cache
def _all_modules() -> tuple[str, ...]:
    """Every pixparam module, private ones included: a constant's ``#:`` comment may live in any."""
    import pixparam

    names = ["pixparam"]
    for info in pkgutil.walk_packages(pixparam.__path__, "pixparam."):
        if info.name not in DEPRECATED_MODULES and not info.name.endswith("__main__"):
            names.append(info.name)
    return tuple(names)


def constant_doc(name: str, obj: Any) -> list[str]:
    """The ``#:`` comment (or string after the assignment) of a constant, from the module that defines it."""
    for modname in _all_modules():
        lines = _attr_docs(modname).get(name)
        if lines and any(line.strip() for line in lines):
            module = importlib.import_module(modname)
            if getattr(module, name, None) is obj:
                return lines
    return []


def docstring(name: str, obj: Any) -> str:
    """What the reference shows as the object's documentation ('' when there is none)."""
    if inspect.ismodule(obj) or is_documentable(obj):
        return own_docstring(obj)
    return "\n".join(constant_doc(name, obj)).strip()


# -- the reference's sources ---------------------------------------------------------------------------------------

_DIRECTIVE = re.compile(r"^(\s*)\.\. ([\w:-]+)::\s*(.*?)\s*$")


def reference_entries(api_dir: Path = API_DIR) -> dict[str, Path]:
    """Fully qualified names the reference documents: ``autosummary`` entries and ``auto*`` targets.

    Reads the ``.rst`` sources only (``currentmodule`` sets the prefix of the
    entries that follow), so it needs no build.
    """
    entries: dict[str, Path] = {}
    for page in sorted(api_dir.glob("*.rst")):
        current = ""
        lines = page.read_text().splitlines()
        i = 0
        while i < len(lines):
            m = _DIRECTIVE.match(lines[i])
            i += 1
            if not m:
                continue
            indent, directive, argument = m.groups()
            if directive in ("currentmodule", "py:currentmodule", "module", "py:module"):
                current = argument
            elif directive == "automodule":
                entries[argument] = page
            elif directive in ("autodata", "autofunction", "autoclass", "autoexception"):
                entries[argument if argument.startswith("pixparam") else f"{current}.{argument}"] = page
            elif directive == "autosummary":
                while i < len(lines) and (not lines[i].strip() or lines[i].startswith(indent + " ")):
                    item = lines[i].strip()
                    i += 1
                    if not item or item.startswith(":") or item.startswith(".."):
                        continue
                    item = item.lstrip("~")
                    full = item if item.startswith("pixparam") else f"{current}.{item}" if current else item
                    entries[full] = page
    return entries


def resolve(fullname: str) -> Any:
    """Import a dotted name as autosummary does: ``MODULE.OBJ`` first, then shorter module prefixes.

    ``pixparam.experiments.crowding`` is therefore the function the package
    exports, not the submodule of the same name.
    """
    parts = fullname.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        modname = ".".join(parts[:cut])
        if modname in DEPRECATED_MODULES:
            raise ImportError(f"{modname} is deprecated: {DEPRECATED_MODULES[modname]}")
        try:
            obj: Any = importlib.import_module(modname)
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            continue
        return obj
    return importlib.import_module(fullname)


def documented_in(entries: dict[str, Any], modname: str, name: str, obj: Any) -> str | None:
    """The reference entry that documents ``modname.name``: the same class or function, or the same constant.

    ``entries`` maps each reference name to its resolved object.
    """
    if f"{modname}.{name}" in entries:
        return f"{modname}.{name}"
    for entry, target in entries.items():
        if target is obj and (is_documentable(obj) or inspect.ismodule(obj) or entry.rsplit(".", 1)[-1] == name):
            return entry
    return None


# -- the Sphinx extension ------------------------------------------------------------------------------------------


def _fill_constant_doc(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    if what not in ("data", "attribute") or not name.startswith("pixparam."):
        return
    own = constant_doc(name.rsplit(".", 1)[-1], obj)
    if not own:
        return
    type_doc = (type(obj).__doc__ or "").strip()
    if not any(line.strip() for line in lines) or "\n".join(lines).strip() == type_doc:
        lines[:] = [*own, ""]


def setup(app: Any) -> dict[str, Any]:
    app.connect("autodoc-process-docstring", _fill_constant_doc, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
