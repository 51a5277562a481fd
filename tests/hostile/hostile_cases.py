"""Careless and hostile inputs (issue #13): each case, the files it runs on, how to run it, and how to judge it.

Used by ``test_hostile.py`` (which asserts every case's good answer) and by
``benchmarks/hostile_table.py`` (which runs each case in a subprocess against
any checkout and tabulates the answers, for the before/after table). So this
module relies only on what every pixparam version since the issue has:
``pp.load_image``, ``pp.fit``, ``pp.load``, ``pixparam.cli.main`` and the
training counter; ``pixparam.cli.run`` is used when present.

A case is a command line (``argv``, with ``{d}`` for the folder it runs in)
or an API call (``api(d)``). It either must fail (``error``: the expected
class, a message matching every pattern of ``says``, a non-zero exit, no
traceback, nothing trained, nothing written, every input unchanged, within
:data:`FAST_S`) or must succeed (``error=None``), perhaps with a warning or
note matching ``warns`` and a ``check`` of what it made.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import signal
import struct
import time
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

#: Seconds a case that must fail before training may take (the issue: "within a second or two").
FAST_S = 2.0
#: Seconds after which a case counts as hanging.
HANG_S = 30.0
#: What the memory-limit cases set ``PIXPARAM_MEMORY_LIMIT`` to (so they answer alike on every machine).
LIMIT = "2G"

# The sections, in its order.
SECTIONS = {
    "data loss": "Data loss",
    "after training": "Checked after training",
    "memory": "Hangs and memory",
    "silent": "Wrong data, silently",
    "wording": "Types and wording",
    "readme": "The README's commands",
    "quiet": "Quiet failures of use",
}


@dataclass
class Case:
    """One careless or hostile input and its good answer."""

    id: str
    section: str
    argv: list[str] | None = None
    api: Callable[[Path], Any] | None = None
    error: str | None = "PixparamError"
    says: tuple[str, ...] = ()
    warns: str | None = None
    check: Callable[[Path, Outcome], None] | None = None
    env: dict[str, str] = field(default_factory=dict)
    named: bool = False  # named in the text
    new: bool = False  # found while fixing it, not among the cases
    skip: Callable[[], str | None] | None = None

    @property
    def kind(self) -> str:
        return "cli" if self.argv is not None else "api"


@dataclass
class Outcome:
    """What running a case did."""

    rc: int | None = None  # CLI exit status
    out: str = ""
    err: str = ""
    exc: BaseException | None = None  # the exception the API (or pixparam.cli.run) raised
    escaped: BaseException | None = None  # an exception that escaped main(): a traceback
    value: Any = None  # what the API call returned
    seconds: float = 0.0
    trained: int = 0
    hung: bool = False
    new_files: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return str(self.exc) if self.exc is not None else self.err


# --------------------------------------------------------------------------- input files


def png_bytes(arr: np.ndarray, *, bits: int = 16) -> bytes:
    """A PNG *encoder* for test files Pillow cannot write (16-bit colour), and headers that lie about their size."""
    h, w, c = arr.shape
    ctype = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    dtype = ">u2" if bits == 16 else "u1"
    raw = b"".join(b"\x00" + arr[y].astype(dtype).tobytes() for y in range(h))
    return png_chunks(w, h, bits, ctype, zlib.compress(raw))


def png_chunks(w: int, h: int, bits: int, ctype: int, idat: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, bits, ctype, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


#: The dark 16-bit RGB image: every value below 256, so 8 bits would make it all zeros.
DARK16 = (np.arange(8 * 10 * 3).reshape(8, 10, 3) * 3 + 7).astype(np.uint16)


def edit_checkpoint(src: Path, dst: Path, change: Callable[[dict, dict], None]) -> None:
    """Copy a checkpoint with its metadata (and tensors) changed by ``change(meta, tensors)``."""
    import json

    from safetensors import safe_open
    from safetensors.torch import save_file

    with safe_open(str(src), framework="pt") as fh:
        header = fh.metadata()
        tensors = {k: fh.get_tensor(k) for k in fh.keys()}
    meta = json.loads(header["pixparam"])
    change(meta, tensors)
    save_file(tensors, str(dst), metadata={"pixparam": json.dumps(meta)})


def make_inputs(d: Path) -> None:
    """Write every input file the cases use into ``d`` (a few seconds: two tiny fits)."""
    from PIL import Image

    import pixparam as pp
    from pixparam.arch import mlp_count

    d.mkdir(parents=True, exist_ok=True)
    rgb = pp.load_image("astronaut", size=(21, 32))
    u8 = np.round(rgb * 255).astype(np.uint8)
    Image.fromarray(u8).save(d / "photo.jpg", quality=90)
    Image.fromarray(u8).save(d / "photo.png")
    rgba = np.round(pp.load_image("logo", size=16) * 255).astype(np.uint8)
    Image.fromarray(rgba).save(d / "rgba.png")
    (d / "bomb.png").write_bytes(png_chunks(100_000, 100_000, 8, 2, zlib.compress(b"\x00" * 64)))
    (d / "big.png").write_bytes(png_chunks(8_000, 8_000, 8, 2, zlib.compress(b"\x00" * 64)))
    (d / "deep16.png").write_bytes(png_bytes(DARK16))
    alpha = np.full((8, 10, 1), 40000, np.uint16)
    (d / "deep16a.png").write_bytes(png_bytes(np.concatenate([DARK16, alpha], axis=-1)))
    (d / "deep16la.png").write_bytes(png_bytes(np.concatenate([DARK16[..., :1], alpha], axis=-1)))
    frames = [Image.new("RGB", (12, 10), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    frames[0].save(d / "anim.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    (d / "notes.txt").write_text("not an image\n")
    (d / "folder").mkdir()
    img = pp.load_image(d / "photo.png", size=16)
    m = pp.fit(img, 300, "relu", steps=2, progress=False, device="cpu")
    m.save(d / "m.safetensors")
    pp.fit(img, m.arch, steps=2, seed=1, progress=False, device="cpu").save(d / "other.safetensors")
    pp.fit(pp.load_image(d / "rgba.png"), 300, "relu", steps=2, progress=False, device="cpu").save(
        d / "rgba.safetensors"
    )
    ck = d / "m.safetensors"

    def widths(meta: dict, tensors: dict) -> None:
        meta["arch"]["widths"] = [10**9] * len(meta["arch"]["widths"])

    def widths_counted(meta: dict, tensors: dict) -> None:
        w = meta["arch"]["widths"] = [10**9, 10**9, 10**9, 10**9]
        meta["arch"]["n_params"] = mlp_count(2, w, meta["arch"]["channels"])

    def nan(meta: dict, tensors: dict) -> None:
        first = next(k for k in tensors if not k.startswith("edit."))
        tensors[first] = tensors[first].clone()
        tensors[first].view(-1)[0] = float("nan")

    def shape(value: Any) -> Callable[[dict, dict], None]:
        return lambda meta, tensors: meta.__setitem__("image_shape", value)

    def key(name: str, value: Any) -> Callable[[dict, dict], None]:
        return lambda meta, tensors: meta.__setitem__(name, value)

    def arch_key(name: str, value: Any) -> Callable[[dict, dict], None]:
        return lambda meta, tensors: meta["arch"].__setitem__(name, value)

    crafted = {
        "wide.safetensors": widths,
        "wide2.safetensors": widths_counted,
        "hugeshape.safetensors": shape([100_000, 100_000, 3]),
        "shortshape.safetensors": shape([16]),
        "nan.safetensors": nan,
        "cfglist.safetensors": key("config", []),
        "nolr.safetensors": key("config", {}),
        "metricstr.safetensors": key("metrics", {"psnr": "high"}),
        "editstr.safetensors": key("edits", "abc"),
        "channels7.safetensors": arch_key("channels", 7),
        "bits99.safetensors": key("grids", {"mlp.layers.0.weight": 99}),
    }
    for fname, change in crafted.items():
        edit_checkpoint(ck, d / fname, change)
    os.symlink("photo.jpg", d / "link.jpg")
    os.link(d / "photo.jpg", d / "hard.jpg")


def unwritable(d: Path) -> Path:
    """A folder where no file can be created: a read-only folder, or ``/proc`` for root (who may write anywhere)."""
    if os.geteuid() == 0:
        return Path("/proc")
    ro = d / "readonly"
    ro.mkdir(exist_ok=True)
    ro.chmod(0o555)
    return ro


def no_proc() -> str | None:
    return "needs /proc (root ignores folder permissions)" if os.geteuid() == 0 and not Path("/proc").is_dir() else None


# --------------------------------------------------------------------------- running


class _Hang(Exception):
    pass


def _files(d: Path) -> dict[str, str]:
    out = {}
    for p in sorted(d.rglob("*")):
        if p.is_file() and not p.is_symlink() and "__pycache__" not in p.parts:
            out[str(p.relative_to(d))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def run_case(case: Case, d: Path, *, hang_s: float = HANG_S) -> Outcome:
    """Run ``case`` in folder ``d`` (holding :func:`make_inputs`' files) and record what it did."""
    import pixparam as pp
    from pixparam import cli

    before = _files(d)
    o = Outcome()
    old_env = {k: os.environ.get(k) for k in case.env}
    os.environ.update(case.env)
    old_alarm = signal.signal(signal.SIGALRM, _raise_hang)
    signal.setitimer(signal.ITIMER_REAL, hang_s)
    start_count = pp.training.networks_trained()
    t0 = time.perf_counter()
    out, err = io.StringIO(), io.StringIO()
    try:
        with warnings.catch_warnings(record=True) as caught, _chdir(d):
            warnings.simplefilter("always")
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                if case.argv is not None:
                    argv = [a.format(d=d, ro=unwritable(d)) for a in case.argv]
                    try:
                        o.rc = cli.main(argv)
                    except SystemExit as exc:
                        o.rc = exc.code if isinstance(exc.code, int) else 1
                    except _Hang:
                        raise
                    except BaseException as exc:  # escaped main: a traceback for the user
                        o.escaped, o.rc = exc, 1
                    if case.error is not None and o.rc not in (0, None) and o.escaped is None and hasattr(cli, "run"):
                        with contextlib.suppress(SystemExit):
                            try:
                                cli.run(argv)
                            except _Hang:
                                raise
                            except Exception as exc:
                                o.exc = exc
                else:
                    try:
                        o.value = case.api(d)
                    except _Hang:
                        raise
                    except Exception as exc:
                        o.exc = exc
        o.warnings = [str(w.message) for w in caught]
    except _Hang:
        o.hung = True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_alarm)
        for k, v in old_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    o.seconds = time.perf_counter() - t0
    o.trained = pp.training.networks_trained() - start_count
    o.out, o.err = out.getvalue(), err.getvalue()
    after = _files(d)
    o.changed = sorted(k for k, h in before.items() if after.get(k) != h)
    o.new_files = sorted(set(after) - set(before))
    return o


def _raise_hang(signum: int, frame: Any) -> None:
    raise _Hang()


@contextlib.contextmanager
def _chdir(d: Path) -> Any:
    old = os.getcwd()
    os.chdir(d)
    try:
        yield
    finally:
        os.chdir(old)


def copy_inputs(master: Path, d: Path) -> Path:
    """A fresh copy of the input files (links kept as links)."""
    shutil.copytree(master, d, symlinks=True)
    os.unlink(d / "hard.jpg")
    os.link(d / "photo.jpg", d / "hard.jpg")
    return d


def verdict(case: Case, o: Outcome, d: Path) -> str:
    """How the case was answered: ``"ok"`` or what went wrong (the before/after table's words)."""
    import pixparam as pp

    if o.hung:
        return "hangs"
    if o.changed:
        return "loses data"
    if o.escaped is not None:
        return "traceback"
    if case.error is None:
        if case.kind == "cli" and o.rc == 2:
            return "usage error"
        if o.exc is not None or o.rc not in (0, None):
            return "rejected"
        if case.warns is not None and not _said(case.warns, o):
            return "silent"
        if case.check is not None:
            try:
                case.check(d, o)
            except AssertionError:
                return "wrong result"
        if case.warns is None and case.kind == "cli" and "Traceback" in o.err:
            return "traceback"
        return "ok"
    failed = o.exc is not None if case.kind == "api" else o.rc not in (0, None)
    if not failed:
        return "accepted silently"
    if o.trained:
        return "checked after training"
    if case.error == "usage":
        if o.rc != 2 or not all(_search(p, o.err) for p in case.says):
            return "unclear"
        return "leaves files" if o.new_files else "ok"
    if case.kind == "cli" and o.rc == 2:
        return "usage error"
    if case.kind == "api" and not isinstance(o.exc, getattr(pp, case.error)):
        return "raw or wrong-typed error"
    if case.kind == "cli" and o.exc is not None and not isinstance(o.exc, getattr(pp, case.error)):
        return "raw or wrong-typed error"
    message = o.message
    if case.kind == "cli":
        errors = [ln for ln in o.err.splitlines() if ln.startswith("pixparam: error:")]
        if o.rc != 1 or len(errors) != 1:
            return "unclear"
        message = errors[0]
    if not all(_search(p, message) for p in case.says):
        return "unclear"
    if o.new_files:
        return "leaves files"
    if o.seconds > FAST_S:
        return "slow"
    return "ok"


def _search(pattern: str, text: str) -> bool:
    import re

    return re.search(pattern, text, re.IGNORECASE) is not None


def _said(pattern: str, o: Outcome) -> bool:
    return _search(pattern, o.err) or any(_search(pattern, w) for w in o.warnings)
