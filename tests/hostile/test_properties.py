"""Property tests: random and mutated inputs get a PixparamError (or a valid result), never another error or a hang.

Each property is bounded (``max_examples``, ``deadline``) so the file runs in seconds, and derandomized so
a run is repeatable; ``PIXPARAM_HYPOTHESIS_EXAMPLES=5000`` explores further with fresh random examples.
"""

from __future__ import annotations

import io
import json
import os
import zlib

import numpy as np
import pytest
from hostile_cases import png_bytes

import pixparam as pp

hypothesis = pytest.importorskip("hypothesis")
pytestmark = pytest.mark.filterwarnings(
    "ignore::PIL.Image.DecompressionBombWarning",
    "ignore::UserWarning",  # lying headers and truncated files warn
)
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

EXPLORE = os.environ.get("PIXPARAM_HYPOTHESIS_EXAMPLES")
BOUNDED = settings(
    max_examples=int(EXPLORE or 100),
    deadline=2000,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=not EXPLORE,
)


@pytest.fixture(autouse=True)
def small_memory_limit(monkeypatch):
    """A lying header may ask for any size within the limit, and decoding that takes time: keep it small."""
    monkeypatch.setenv("PIXPARAM_MEMORY_LIMIT", "64M")


def _seed_images() -> list[bytes]:
    from PIL import Image

    rgb = (np.arange(6 * 7 * 3).reshape(6, 7, 3) * 5 % 256).astype(np.uint8)
    out = []
    for fmt, arr in (("PNG", rgb), ("JPEG", rgb), ("GIF", rgb), ("BMP", rgb), ("TIFF", rgb), ("WEBP", rgb)):
        buf = io.BytesIO()
        Image.fromarray(arr).save(buf, format=fmt)
        out.append(buf.getvalue())
    out.append(png_bytes(rgb.astype(np.uint16) * 257))
    return out


SEEDS = _seed_images()


def _mutate(data: bytes, edits: list[tuple[int, int]], cut: int | None) -> bytes:
    b = bytearray(data)
    for pos, value in edits:
        if b:
            b[pos % len(b)] = value
    return bytes(b[:cut] if cut is not None else b)


def _check_image(result: np.ndarray) -> None:
    assert result.dtype == np.float32 and result.ndim == 3 and result.shape[2] in (1, 3, 4)
    assert np.isfinite(result).all() and result.min() >= 0 and result.max() <= 1


@BOUNDED
@given(data=st.binary(max_size=300))
def test_load_image_random_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("rand") / "x.png"
    path.write_bytes(data)
    try:
        _check_image(pp.load_image(path))
    except pp.PixparamError:
        pass


@BOUNDED
@given(
    seed=st.sampled_from(range(len(SEEDS))),
    edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=6),
    cut=st.one_of(st.none(), st.integers(0, 400)),
)
def test_load_image_mutated_files(tmp_path_factory, seed, edits, cut):
    path = tmp_path_factory.mktemp("mut") / "x.img"
    path.write_bytes(_mutate(SEEDS[seed], edits, cut))
    try:
        _check_image(pp.load_image(path))
    except pp.PixparamError:
        pass


@BOUNDED
@given(w=st.integers(0, 2**31 - 1), h=st.integers(0, 2**31 - 1), bits=st.sampled_from([1, 8, 16]),
       ctype=st.sampled_from([0, 2, 3, 4, 6]))  # fmt: skip
def test_load_image_lying_png_headers(tmp_path_factory, w, h, bits, ctype):
    """A PNG whose header claims any size: refused (bomb, memory, truncated) before anything that size is made."""
    from hostile_cases import png_chunks

    path = tmp_path_factory.mktemp("hdr") / "x.png"
    path.write_bytes(png_chunks(w, h, bits, ctype, zlib.compress(b"\x00" * 32)))
    try:
        _check_image(pp.load_image(path))
    except pp.PixparamError:
        pass


@pytest.fixture(scope="module")
def checkpoint_parts(tmp_path_factory):
    from safetensors import safe_open

    img = pp.load_image("camera", size=12)
    path = tmp_path_factory.mktemp("ck") / "m.safetensors"
    pp.edit.quantize(pp.fit(img, 200, "hashgrid", steps=2, progress=False, device="cpu"), 4).save(path)
    with safe_open(str(path), framework="pt") as fh:
        meta = json.loads(fh.metadata()["pixparam"])
        tensors = {k: fh.get_tensor(k) for k in fh.keys()}
    return path.read_bytes(), meta, tensors


def _paths(obj, prefix=()):
    """Every (path, value) in a JSON tree."""
    yield prefix, obj
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, (*prefix, i))


JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=5),
    st.lists(st.integers(-3, 10**9), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)  # fmt: skip


@BOUNDED
@given(data=st.data())
def test_load_mutated_metadata(checkpoint_parts, tmp_path_factory, data):
    """Any one value of the metadata replaced by junk: a Fit that renders, or a CheckpointError."""
    from safetensors.torch import save_file

    _, meta, tensors = checkpoint_parts
    meta = json.loads(json.dumps(meta))
    where = data.draw(st.sampled_from([p for p, _ in _paths(meta) if p]))
    junk = data.draw(JUNK)
    node = meta
    for k in where[:-1]:
        node = node[k]
    node[where[-1]] = junk
    path = tmp_path_factory.mktemp("mm") / "m.safetensors"
    save_file(tensors, str(path), metadata={"pixparam": json.dumps(meta)})
    try:
        fit = pp.load(path, device="cpu")
    except pp.CheckpointError:
        return
    _use(fit)


def _use(fit: pp.Fit) -> None:
    """What a loaded fit is used for: render, describe, caption; only PixparamErrors may come out."""
    assert fit.render(size=(8, 8)).shape[:2] == (8, 8)
    fit.arch.describe()
    repr(fit)
    try:
        fit.caption()
    except pp.PixparamError:
        pass  # e.g. no psnr recorded


@BOUNDED
@given(
    edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=4),
    cut=st.one_of(st.none(), st.integers(0, 5000)),
)
def test_load_mutated_bytes(checkpoint_parts, tmp_path_factory, edits, cut):
    raw, _, _ = checkpoint_parts
    path = tmp_path_factory.mktemp("mb") / "m.safetensors"
    path.write_bytes(_mutate(raw, edits, cut))
    try:
        fit = pp.load(path, device="cpu")
    except pp.CheckpointError:
        return
    _use(fit)


@settings(max_examples=int(EXPLORE or 300), deadline=500, derandomize=not EXPLORE)
@given(text=st.text(max_size=30))
def test_parse_budget_random_strings(text):
    try:
        value = pp.parse_budget(text)
    except pp.BudgetError:
        return
    assert isinstance(value, int) and value >= 1


@settings(max_examples=int(EXPLORE or 200), deadline=500, derandomize=not EXPLORE)
@given(
    number=st.one_of(st.integers(0, 10**40), st.floats(0, 1e30, allow_nan=False)),
    suffix=st.sampled_from(["", "k", "K", "M", "m", "G", "Ki", "Mi", "Gi", " k", "T", "e3"]),
)
def test_parse_budget_and_plan_numbers(number, suffix):
    """Budget-like strings parse to an int or a BudgetError, and plan answers fast (a BudgetError above 1G)."""
    try:
        value = pp.parse_budget(f"{number}{suffix}")
    except pp.BudgetError:
        return
    try:
        arch = pp.plan(value, "relu")
    except pp.BudgetError:
        return
    assert arch.n_params <= value
