"""Writing films: a list of frames, each held for its own time, as GIF, animated PNG or MP4.

GIF and APNG are written by Pillow; MP4 is H.264 (``yuv420p``, the format
every browser plays) through PyAV, a wheel with its own FFmpeg, so no
system ``ffmpeg`` is needed: ``pip install 'pixparam[video]'``. Frames are
held equally (``1 / fps`` seconds) except the last, held ``hold`` seconds,
so a film of log-spaced training steps ends on its result. Every file is
written to a temporary name and renamed, so a failed write leaves nothing.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image

from .._io import atomic_path, check_writable
from ..errors import ConfigError, OutputError

__all__ = [
    "FPS",
    "HOLD",
    "VideoUnavailableWarning",
    "check_film_path",
    "frame_durations",
    "skip_mp4_note",
    "video_available",
    "write_frames",
]

#: Frames per second of a written film: log-spaced frames, each held equally.
FPS = 4.0
#: Seconds the last frame of a film is held (the result, before the film loops).
HOLD = 1.5

_FORMATS = {".gif": "GIF", ".png": "PNG", ".apng": "PNG", ".mp4": "MP4"}
_INSTALL = "pip install 'pixparam[video]' (PyAV, which brings its own FFmpeg)"


class VideoUnavailableWarning(UserWarning):
    """An MP4 that was not explicitly asked for (the gallery's) was skipped: PyAV is not installed."""


def video_available() -> bool:
    """Whether MP4 films can be written: PyAV (``import av``) imports.

    Returns
    -------
    bool
    """
    try:
        import av  # noqa: F401
    except ImportError:
        return False
    return True


def skip_mp4_note(what: str) -> None:
    """Warn, once per call site, that an MP4 is skipped because PyAV is missing.

    Parameters
    ----------
    what : str
        The file or film skipped, named in the message.
    """
    warnings.warn(
        f"{what}: MP4 skipped because PyAV is not installed; the GIF is written. For the MP4: {_INSTALL}",
        VideoUnavailableWarning,
        stacklevel=3,
    )


def check_film_path(path: str | os.PathLike, *, fps: float = FPS, hold: float = HOLD) -> str:
    """Fail now when a film cannot be written at ``path``; return its format (``"GIF"``, ``"PNG"``, ``"MP4"``).

    Parameters
    ----------
    path : str or path
        ``.gif``, ``.png``/``.apng`` (animated PNG) or ``.mp4``.
    fps : float
        Frames per second.
    hold : float
        Seconds the last frame is held.

    Returns
    -------
    str

    Raises
    ------
    OutputError
        An unknown suffix, ``.mp4`` without PyAV, or a folder that is missing or not writable.
    ConfigError
        ``fps`` or ``hold`` is not a positive number.
    """
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise OutputError(f"cannot write a film as {str(path)!r}; use .gif, .png (APNG) or .mp4")
    for name, value in (("fps", fps), ("hold", hold)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
            unit = "frames per second" if name == "fps" else "seconds to hold the last frame"
            raise ConfigError(f"{name}={value!r}; it must be a positive number of {unit}")
    if fmt == "MP4" and not video_available():
        raise OutputError(f"writing {str(path)!r} needs PyAV: {_INSTALL}; or write a .gif or .png film instead")
    check_writable(path)
    return fmt


def frame_durations(n: int, *, fps: float = FPS, hold: float = HOLD) -> list[int]:
    """How long each of ``n`` frames is shown, in milliseconds: ``1000 / fps``, the last ``hold`` seconds.

    Parameters
    ----------
    n : int
        Number of frames.
    fps : float
        Frames per second.
    hold : float
        Seconds the last frame is shown (at least one frame's time).

    Returns
    -------
    list of int
        ``n`` durations in ms (GIF keeps them to 10 ms).

    Examples
    --------
    >>> frame_durations(3)
    [250, 250, 1500]
    """
    each = round(1000 / fps)
    return [each] * (n - 1) + [max(each, round(1000 * hold))] if n else []


def write_frames(
    images: Sequence[Image.Image], path: str | os.PathLike, *, fps: float = FPS, hold: float = HOLD
) -> Path:
    """Write RGB frames as a film, atomically; the format follows the suffix.

    Parameters
    ----------
    images : sequence of PIL.Image.Image
        The frames, all of one size (RGB).
    path : str or path
        ``.gif``, ``.png``/``.apng`` or ``.mp4`` (H.264 through PyAV; an odd
        width or height is padded with one black row or column, as
        ``yuv420p`` needs even sizes).
    fps : float
        Frames per second.
    hold : float
        Seconds the last frame is shown.

    Returns
    -------
    Path

    Raises
    ------
    OutputError
        No frames, frames of different sizes, or a path :func:`check_film_path` refuses.
    ConfigError
        ``fps`` or ``hold`` is not positive.
    """
    path = Path(path)
    fmt = check_film_path(path, fps=fps, hold=hold)
    if not images:
        raise OutputError(f"no frames to write to {str(path)!r}")
    sizes = {im.size for im in images}
    if len(sizes) > 1:
        raise OutputError(f"the frames have different sizes {sorted(sizes)}; a film needs frames of one size")
    durations = frame_durations(len(images), fps=fps, hold=hold)
    frames = [im.convert("RGB") for im in images]
    with atomic_path(path) as tmp:
        if fmt == "MP4":
            _write_mp4(frames, tmp, durations, fps)
        else:
            frames[0].save(tmp, format=fmt, save_all=True, append_images=frames[1:], duration=durations, loop=0)
    return path


def _even_frame(image: Image.Image) -> np.ndarray:
    """``image`` as an ``(H, W, 3)`` uint8 array padded with black to even ``H`` and ``W`` (for H.264)."""
    a = np.asarray(image.convert("RGB"), dtype=np.uint8)
    h, w = a.shape[:2]
    return np.pad(a, ((0, h % 2), (0, w % 2), (0, 0)))


def _write_mp4(images: Sequence[Image.Image], path: Path, durations: Sequence[int], fps: float) -> None:
    import av

    arrays = [_even_frame(im) for im in images]
    h, w = arrays[0].shape[:2]
    ms = Fraction(1, 1000)
    starts = np.concatenate([[0], np.cumsum(durations)[:-1]]).astype(int).tolist()
    hold = dict(zip(starts, durations))
    with av.open(str(path), "w", format="mp4", container_options={"movflags": "+faststart"}) as out:
        stream = out.add_stream("libx264", rate=Fraction(fps).limit_denominator(1000))
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        ctx = stream.codec_context
        ctx.time_base = ms
        ctx.max_b_frames = 0  # packets in display order, so the last one carries the last frame's hold
        ctx.options = {"crf": "18", "preset": "medium"}

        def mux(packets: list) -> None:
            for packet in packets:
                packet.duration = hold[int(packet.pts)]
                out.mux(packet)

        for a, t in zip(arrays, starts):
            frame = av.VideoFrame.from_ndarray(a, format="rgb24")
            frame.pts, frame.time_base = t, ms
            mux(stream.encode(frame))
        mux(stream.encode(None))
