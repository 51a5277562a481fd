"""Atomic file writes: write beside the target, then rename over it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import OutputError

__all__ = [
    "FolderNotFoundError",
    "atomic_path",
    "check_distinct",
    "check_folder",
    "check_writable",
    "json_ready",
    "same_file",
    "write_bytes_atomic",
    "write_json_atomic",
]


class FolderNotFoundError(OutputError, FileNotFoundError):
    """The folder an output would be written to does not exist (also a :class:`FileNotFoundError`)."""


def check_folder(path: str | os.PathLike) -> Path:
    """The folder ``path`` would be written to; raise :class:`FolderNotFoundError` if it does not exist.

    Parameters
    ----------
    path : str or path
        The file to be written.

    Returns
    -------
    Path
        Its parent folder (``.`` for a bare file name).
    """
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise FolderNotFoundError(
            f"cannot write {str(target)!r}: folder {str(parent)!r} does not exist; create it first"
        )
    return parent


def check_writable(path: str | os.PathLike) -> Path:
    """Fail now when a file cannot be written at ``path``; return its folder.

    Raises
    ------
    OutputError
        ``path`` is a folder, or its folder does not exist
        (:class:`FolderNotFoundError`) or does not let a file be created there.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"cannot write {str(target)!r}: it is a folder; pass a file name inside it")
    parent = check_folder(target)
    try:
        with tempfile.NamedTemporaryFile(prefix=".pixparam-probe-", dir=parent):
            pass
    except OSError as exc:
        raise OutputError(
            f"cannot write {str(target)!r}: folder {str(parent)!r} does not let files be created "
            f"({exc.strerror or exc}); choose another folder"
        ) from None
    return parent


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether two paths name one file: the same inode (links included) or the same resolved path."""
    pa, pb = Path(a), Path(b)
    with contextlib.suppress(OSError):
        if pa.exists() and pb.exists():
            return os.path.samefile(pa, pb)
    return pa.resolve() == pb.resolve()


def check_distinct(outputs: dict[str, str | os.PathLike | None], inputs: dict[str, str | os.PathLike | None]) -> None:
    """Refuse, before any work, an output that is (or resolves to) an input, or two outputs that are one file.

    Parameters
    ----------
    outputs : dict
        What each output is called (``"-o"``, ``"--render"``) and its path, or ``None``.
    inputs : dict
        What each input is called (``"the image"``) and its path; entries
        that are not existing files (a sample name, ``None``) are skipped.

    Raises
    ------
    OutputError
        The message names both paths and asks for another output name.
    """
    given = [(k, v) for k, v in outputs.items() if v is not None]
    files = [(k, v) for k, v in inputs.items() if v is not None and Path(v).is_file()]
    for flag, out in given:
        for role, src in files:
            if same_file(out, src):
                raise OutputError(
                    f"{flag} {str(out)!r} is {role} {str(src)!r}; pixparam never overwrites an input: "
                    f"pass another file name"
                )
    for i, (flag, out) in enumerate(given):
        for other, path in given[i + 1 :]:
            if same_file(out, path):
                raise OutputError(f"{flag} and {other} are both {str(out)!r}; give each output its own file name")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it onto ``path`` on success.

    The temporary file lives in the target's directory (so the final
    ``os.replace`` is atomic on POSIX and Windows) and is removed if the body
    raises, so a failed write never leaves a half-written target behind.

    Raises
    ------
    FolderNotFoundError
        The target's folder does not exist (an :class:`~pixparam.OutputError`
        and a :class:`FileNotFoundError`).
    """
    target = Path(path)
    parent = check_folder(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (fsynced temp file, then rename)."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    return Path(path)


def json_ready(value: Any) -> Any:
    """``value`` as strict JSON can hold it: ``inf``/``nan`` become ``None``, tuples lists, numpy scalars Python."""
    import math

    import numpy as np

    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def write_json_atomic(path: str | os.PathLike, value: Any) -> Path:
    """Write ``value`` as strict JSON (no ``Infinity``/``NaN``; see :func:`json_ready`), atomically."""
    import json

    text = json.dumps(json_ready(value), indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    return write_bytes_atomic(path, text.encode())
