"""The API reference covers the public API, and every public name is documented.

Public: a name in the ``__all__`` of ``pixparam`` or of a module without a
leading underscore (see ``docs/_ext/pixparam_api.py``). These tests read the
reference's ``.rst`` sources and the docstrings; they build nothing, need
neither Sphinx nor numpydoc, and take about a second.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

import pixparam_api as api  # noqa: E402


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    """Each name the reference lists, resolved to its object."""
    entries = api.reference_entries()
    assert len(entries) > 100, f"only {len(entries)} entries found in {api.API_DIR}"
    resolved = {}
    for name in entries:
        try:
            resolved[name] = api.resolve(name)
        except (ImportError, AttributeError) as exc:
            pytest.fail(f"{entries[name].name} lists {name}, which does not import: {exc}")
    return resolved


def _unique_public() -> dict[int, tuple[str, Any]]:
    """One ``(dotted name, object)`` per public class or function (the first public name it has)."""
    out: dict[int, tuple[str, Any]] = {}
    for modname, name, obj in api.public_names():
        if api.is_documentable(obj):
            out.setdefault(id(obj), (f"{modname}.{name}", obj))
    return out


def test_every_public_name_has_a_docstring():
    missing = [f"{mod}.{name}" for mod, name, obj in api.public_names() if not api.docstring(name, obj)]
    missing += [mod for mod in api.public_modules() if not api.own_docstring(sys.modules[mod])]
    assert not missing, "no docstring (constants take a '#:' comment where they are defined): " + ", ".join(missing)


def test_every_public_name_is_in_the_reference(reference):
    missing = [
        f"{mod}.{name}"
        for mod, name, obj in api.public_names()
        if not inspect.ismodule(obj) and api.documented_in(reference, mod, name, obj) is None
    ]
    assert not missing, f"add to an autosummary list under {api.API_DIR}: " + ", ".join(sorted(missing))


def test_public_submodules_have_a_section(reference):
    """The submodules ``pixparam`` exports (``pp.edit``, ``pp.fields``...) each open a section with their docstring."""
    import pixparam

    # (importing the deprecated pixparam.train rebinds pp.train to that module: it is not a section)
    modules = [f"pixparam.{n}" for n in pixparam.__all__ if inspect.ismodule(getattr(pixparam, n))]
    modules = [m for m in modules if m not in api.DEPRECATED_MODULES]
    assert modules
    missing = [m for m in modules if m not in reference]
    assert not missing, "add '.. automodule:: NAME' (with ':no-members:') to a page: " + ", ".join(missing)


def test_the_reference_lists_public_names_once(reference):
    public = {id(obj) for _, _, obj in api.public_names()} | {id(sys.modules[m]) for m in api.public_modules()}
    private = [name for name, obj in reference.items() if id(obj) not in public]
    assert not private, "the reference lists names no public __all__ holds: " + ", ".join(private)
    seen: dict[int, str] = {}
    twice = []
    for name, obj in reference.items():
        if api.is_documentable(obj) and id(obj) in seen:
            twice.append(f"{name} (= {seen[id(obj)]})")
        seen.setdefault(id(obj), name)
    assert not twice, "listed twice: " + ", ".join(twice)


# -- parameters ----------------------------------------------------------------------------------------------------

_SECTION = re.compile(r"^(\w[\w ]*)\n-{3,}\n", re.M)


def documented_parameters(doc: str, sections: tuple[str, ...] = ("Parameters", "Other Parameters")) -> set[str]:
    """Names in a numpydoc docstring's parameter sections (``a, b : int`` gives both; stars dropped)."""
    text = inspect.cleandoc(doc) + "\n"
    heads = list(_SECTION.finditer(text))
    names: set[str] = set()
    for i, head in enumerate(heads):
        if head.group(1) not in sections:
            continue
        body = text[head.end() : heads[i + 1].start() if i + 1 < len(heads) else len(text)]
        for line in body.splitlines():
            if line and not line[0].isspace():
                names.update(part.strip().lstrip("*") for part in line.split(" : ")[0].split(","))
    return names - {""}


def _signature_names(obj: Any) -> tuple[set[str], bool] | None:
    """Parameter names of a function, or of a class's constructor; whether it takes ``**kwargs``."""
    if inspect.isclass(obj):
        init = obj.__dict__.get("__init__") or next(
            (c.__dict__["__init__"] for c in obj.__mro__[1:] if "__init__" in c.__dict__), None
        )
        if init is None or not getattr(init, "__module__", "").startswith("pixparam"):
            return None  # an exception, say: the constructor is Python's
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    params = [p for name, p in sig.parameters.items() if name not in ("self", "cls")]
    var_kw = any(p.kind is p.VAR_KEYWORD for p in params)
    return {p.name for p in params}, var_kw


def parameter_problems(name: str, obj: Any) -> list[str]:
    """What a numpydoc reader would miss: undocumented parameters, and documented ones the signature lacks."""
    found = _signature_names(obj)
    if found is None or api.own_docstring(obj).startswith("Deprecated alias of"):
        return []  # an alias's parameters are documented at its new name
    in_signature, var_kw = found
    doc = api.own_docstring(obj)
    documented = documented_parameters(doc)
    attributes = set()
    if inspect.isclass(obj) and dataclasses.is_dataclass(obj):
        attributes = documented_parameters(doc, ("Attributes",))  # a dataclass's fields are its parameters
    problems = [f"{name}: parameter {p!r} not documented" for p in sorted(in_signature - documented - attributes)]
    if not var_kw:
        problems += [f"{name}: documents {p!r}, which it does not take" for p in sorted(documented - in_signature)]
    return problems


def _overrides(cls: type, attr: str) -> bool:
    """Whether ``attr`` overrides a method of a pixparam base class (whose docstring has the parameters)."""
    return any(attr in base.__dict__ and base.__module__.startswith("pixparam") for base in cls.__mro__[1:])


def _public_methods(cls: type) -> list[tuple[str, Any]]:
    """Public functions defined in the class body (classmethods and staticmethods unwrapped)."""
    out = []
    fields = {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set()
    for attr, value in cls.__dict__.items():
        if attr.startswith("_") or attr in fields:  # a field's default may be a function (FamilySpec.describe)
            continue
        func = value.__func__ if isinstance(value, (classmethod, staticmethod)) else value
        if inspect.isfunction(func):
            out.append((attr, func))
    return out


def test_every_parameter_is_documented():
    problems = []
    for name, obj in _unique_public().values():
        problems += parameter_problems(name, obj)
        if inspect.isclass(obj) and obj.__module__.startswith("pixparam"):
            for attr, method in _public_methods(obj):
                if not (method.__doc__ or "").strip():
                    problems.append(f"{name}.{attr}: no docstring")
                elif not _overrides(obj, attr):
                    problems += parameter_problems(f"{name}.{attr}", method)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def documented_types(doc: str) -> dict[str, str]:
    """``{name: type}`` from the Parameters and Attributes sections (``a, b : (N, 2) ndarray`` gives both)."""
    text = inspect.cleandoc(doc) + "\n"
    heads = list(_SECTION.finditer(text))
    types: dict[str, str] = {}
    for i, head in enumerate(heads):
        if head.group(1) not in ("Parameters", "Other Parameters", "Attributes"):
            continue
        body = text[head.end() : heads[i + 1].start() if i + 1 < len(heads) else len(text)]
        for line in body.splitlines():
            if line and not line[0].isspace() and " : " in line:
                names, kind = line.split(" : ", 1)
                types.update((n.strip().lstrip("*"), kind) for n in names.split(","))
    return types


_ARRAY = re.compile(r"\b(ndarray|Tensor)\b")
_NOT_ONLY_AN_ARRAY = re.compile(r"str|Path|Image|Fit|Source|Module|Sequence|Mapping|Callable|dict|tuple|list")


def test_array_parameters_give_their_shape():
    """A parameter annotated as an array (and nothing else) says its shape: ``image : (H, W, C) ndarray``."""
    problems = []
    for name, obj in _unique_public().values():
        items = [(name, obj)]
        if inspect.isclass(obj) and obj.__module__.startswith("pixparam"):
            items += [(f"{name}.{attr}", method) for attr, method in _public_methods(obj)]
        for item, target in items:
            func = inspect.unwrap(target.__init__ if inspect.isclass(target) else target)
            types = documented_types(api.own_docstring(target))
            for param, annotation in getattr(func, "__annotations__", {}).items():
                kind = types.get(param)
                if kind is None or not _ARRAY.search(str(annotation)) or _NOT_ONLY_AN_ARRAY.search(str(annotation)):
                    continue
                if "(" not in kind and "shape" not in kind and "0-d" not in kind:
                    problems.append(f"{item}: {param} : {kind}")
    assert not problems, "give the shape, e.g. '(H, W, C) ndarray' or 'ndarray of any shape':\n" + "\n".join(problems)


def test_documented_parameters_parser():
    doc = """Summary.

    Parameters
    ----------
    a, b : int
        Two.
    *args, **kwargs
        Passed on.

    Attributes
    ----------
    c : float
    """
    assert documented_parameters(doc) == {"a", "b", "args", "kwargs"}
    assert documented_parameters(doc, ("Attributes",)) == {"c"}


def test_reference_parser_reads_currentmodule_and_autosummary(tmp_path):
    (tmp_path / "page.rst").write_text(
        "Title\n=====\n\n.. automodule:: pixparam.edit\n   :no-members:\n\n.. currentmodule:: pixparam\n\n"
        ".. autosummary::\n   :toctree: generated/\n\n   fit\n   edit.prune\n\nAfter.\n\n"
        ".. autosummary::\n\n   ~pixparam.images.resize\n\n.. autodata:: SAMPLES\n"
    )
    assert set(api.reference_entries(tmp_path)) == {
        "pixparam.edit",
        "pixparam.fit",
        "pixparam.edit.prune",
        "pixparam.images.resize",
        "pixparam.SAMPLES",
    }


def test_constant_docs_are_found_where_the_constant_is_defined():
    import pixparam as pp

    assert "sample" in api.docstring("SAMPLES", pp.SAMPLES).lower()
    assert api.docstring("FAMILIES", pp.FAMILIES)
