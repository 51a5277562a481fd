"""Checks every command runs on its outputs before any work: suffix, folder, and never an input."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from .._io import check_distinct, check_writable
from ..errors import OutputError

CHECKPOINT_SUFFIX = ".safetensors"


def note(message: str) -> None:
    """One line to stderr that is neither an error nor a warning: ``pixparam: note: ...``."""
    print(f"pixparam: note: {message}", file=sys.stderr)


def existing_file(value: Any) -> Path | None:
    """``value`` as a path when it names an existing file (an image file, not a sample name), else ``None``."""
    if value is None:
        return None
    path = Path(value)
    return path if path.is_file() else None


#: The suffix of a packed file (:func:`pixparam.pack`).
PACKED_SUFFIX = ".ppk"


def checkpoint_output(path: Path | None, flag: str = "-o", *, packed: bool = False) -> Path | None:
    """A checkpoint path that can be written: ``.safetensors`` (added, and said so, when there is no suffix).

    With ``packed``, a ``.ppk`` path is taken too (the caller packs the result there).
    """
    if path is None:
        return None
    if packed and path.suffix.lower() == PACKED_SUFFIX and not path.is_dir():
        check_writable(path)
        return path
    if path.is_dir():
        example = str(path / f"fit{CHECKPOINT_SUFFIX}")
        raise OutputError(f"{flag} {str(path)!r} is a folder; pass a file name inside it, e.g. {example!r}")
    if path.suffix == "" and path.name not in ("", ".", ".."):
        fixed = path.with_name(path.name + CHECKPOINT_SUFFIX)
        note(f"{flag} {str(path)!r} has no suffix: writing the checkpoint to {str(fixed)!r}")
        path = fixed
    elif path.suffix.lower() != CHECKPOINT_SUFFIX:
        raise OutputError(
            f"{flag} {str(path)!r}: a checkpoint is a {CHECKPOINT_SUFFIX} file; pass e.g. "
            f"{str(path.with_suffix(CHECKPOINT_SUFFIX))!r} (and --render for an image)"
        )
    check_writable(path)
    return path


def image_output(path: Path | None, channels: int) -> Path | None:
    """An image path whose format holds ``channels`` channels, in a writable folder (or ``None``)."""
    if path is None:
        return None
    from ..images import check_image_output

    check_image_output(path, channels)
    return path


def figure_output(path: Path | None) -> Path | None:
    """A figure path matplotlib writes, in a writable folder (or ``None``)."""
    if path is None:
        return None
    from ..figures import check_figure_path

    check_figure_path(path)
    return path


def file_output(path: Path | None) -> Path | None:
    """A data file (JSON, CSV) in a writable folder (or ``None``)."""
    if path is not None:
        check_writable(path)
    return path


def cache_folder(path: Path | None, flag: str = "--cache") -> Path | None:
    """A cache folder: it may not exist yet, but may not be a file."""
    if path is not None and path.exists() and not path.is_dir():
        raise OutputError(f"{flag} {str(path)!r} is a file, not a folder; pass a folder (it is created if missing)")
    return path


def no_overwrite(outputs: dict[str, Path | None], inputs: dict[str, Any]) -> None:
    """Refuse an output that is an input (or another output) before any work."""
    check_distinct(outputs, {role: existing_file(v) for role, v in inputs.items()})


def unsaved_hint(output: Path | None, what: str) -> None:
    """Say that nothing is kept when no ``-o`` was given."""
    if output is None:
        note(f"no -o given: the {what} will not be saved (add -o NAME{CHECKPOINT_SUFFIX} to keep it)")
