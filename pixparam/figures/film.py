"""Training films: the reconstruction developing during training, as GIF, APNG or MP4.

A :class:`FilmRecorder` is a ``fit(..., callback=)`` callback that keeps a
frame every ``every`` steps: one render at the fitted resolution, copied to
8 bits, and its PSNR computed in NumPy (no matplotlib per frame). Text and
scaling are added only when the film is written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from PIL import Image, ImageDraw, ImageFont

from .._deprecate import keyword_only
from .._io import atomic_path, check_writable
from ..budget import format_count
from ..errors import ConfigError, ImageError, OutputError
from ..fields import Field
from ..images import ImageSource, load_image, to_uint8
from ..metrics import format_db, mse, psnr_from_mse
from ..rendering import render_field
from ..result import Fit
from .panels import draw_image
from .style import MAX_WIDTH, clamp_width, color_for, style

__all__ = ["Film", "FilmRecorder", "plot_film", "training_film"]

_FORMATS = {".gif": "GIF", ".png": "PNG", ".apng": "PNG", ".mp4": "MP4"}


@dataclass
class Film:
    """Frames recorded during training.

    Attributes
    ----------
    frames : list of (H, W, C) uint8 ndarray
        Renders at the fitted resolution.
    steps : list of int
        The training step of each frame.
    psnr : list of float
        PSNR (dB) of each frame against the image.
    fit : Fit or None
        The finished fit, when the film trained it.
    path : Path or None
        Where the film was written.
    """

    frames: list[np.ndarray] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)
    psnr: list[float] = field(default_factory=list)
    fit: Fit | None = None
    path: Path | None = None

    def __len__(self) -> int:
        return len(self.frames)

    def save(self, path: str | os.PathLike, *, fps: float = 10.0, scale: int | None = None) -> Path:
        """Write the film atomically; the format follows the suffix.

        Parameters
        ----------
        path : str or path
            ``.gif``, ``.png``/``.apng`` (animated PNG) or ``.mp4`` (needs
            ``ffmpeg`` on the PATH).
        fps : float
            Frames per second.
        scale : int, optional
            Integer upscaling (nearest); default makes the longer side at
            least 256 px.

        Returns
        -------
        Path

        Raises
        ------
        OutputError
            An unknown suffix, no frames to write, ``.mp4`` without ffmpeg,
            ffmpeg failing, or a folder that does not exist.
        ConfigError
            ``fps`` is not positive.
        """
        path = Path(path)
        fmt = check_film_path(path, fps=fps)
        if not self.frames:
            raise OutputError("the film has no frames; record some with fit(..., callback=FilmRecorder(...))")
        images = [self._annotated(i, scale) for i in range(len(self.frames))]
        with atomic_path(path) as tmp:
            if fmt == "MP4":
                _write_mp4(images, tmp, fps)
            else:
                duration = round(1000 / fps)
                images[0].save(tmp, format=fmt, save_all=True, append_images=images[1:], duration=duration, loop=0)
        self.path = path
        return path

    def _annotated(self, i: int, scale: int | None) -> Image.Image:
        frame = self.frames[i]
        h, w = frame.shape[:2]
        k = scale if scale is not None else max(1, -(-256 // max(h, w)))
        pil = Image.fromarray(frame[..., 0] if frame.shape[2] == 1 else frame).convert("RGB")
        pil = pil.resize((w * k, h * k), Image.Resampling.NEAREST)
        band = max(14, (w * k) // 14)
        canvas = Image.new("RGB", (w * k, h * k + band), "black")
        canvas.paste(pil, (0, 0))
        try:
            font = ImageFont.load_default(size=int(band * 0.7))
        except TypeError:  # Pillow < 10.1 has one bitmap size
            font = ImageFont.load_default()
        text = f"step {self.steps[i]} · {format_db(self.psnr[i])}"
        ImageDraw.Draw(canvas).text((4, h * k + band // 2), text, fill="white", font=font, anchor="lm")
        return canvas


def _write_mp4(images: Sequence[Image.Image], path: Path, fps: float) -> None:
    w, h = images[0].size
    cmd = [
        "ffmpeg",
        "-y",
        "-loglevel",
        "error",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{w}x{h}",
        "-r",
        f"{fps:g}",
        "-i",
        "-",
        "-vf",
        "pad=ceil(iw/2)*2:ceil(ih/2)*2",
        "-pix_fmt",
        "yuv420p",
        "-f",
        "mp4",
        str(path),
    ]
    data = b"".join(np.asarray(im, dtype=np.uint8).tobytes() for im in images)
    res = subprocess.run(cmd, input=data, capture_output=True, check=False)
    if res.returncode != 0:
        raise OutputError(f"ffmpeg failed ({res.stderr.decode(errors='replace').strip()[:200]}); write a .gif instead")


class FilmRecorder:
    """A ``fit(..., callback=)`` callback that keeps a frame every ``every`` steps.

    Parameters
    ----------
    image : (H, W, C) ndarray
        The image being fitted (frames are rendered at its size and measured
        against it).
    every : int
        Steps between frames (frames at ``every, 2·every, ...``).
    last_step : int, optional
        Also keep a frame at this step (the run's last) if it falls between.

    Examples
    --------
    >>> import pixparam as pp
    >>> from pixparam.figures import FilmRecorder
    >>> img = pp.load_image("camera", size=16)
    >>> rec = FilmRecorder(img, every=5)
    >>> _ = pp.fit(img, "1k", steps=10, device="cpu", progress=False, callback=rec)
    >>> rec.film.steps
    [5, 10]
    """

    def __init__(self, image: np.ndarray, every: int, *, last_step: int | None = None) -> None:
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ConfigError(f"every={every!r}; it must be a positive whole number of steps")
        self.image = load_image(image)
        self.every = every
        self.last_step = last_step
        self.film = Film()
        self._target = self.image.astype(np.float32)

    def __call__(self, step: int, model: Field) -> None:
        if step % self.every and step != self.last_step:
            return
        h, w = self.image.shape[:2]
        out = render_field(model, h, w)
        self.film.frames.append(to_uint8(out))
        self.film.steps.append(int(step))
        self.film.psnr.append(psnr_from_mse(mse(self._target, out)))


def check_film_path(path: str | os.PathLike, *, fps: float = 10.0) -> str:
    """Fail now when a film cannot be written at ``path``: suffix, ffmpeg for ``.mp4``, ``fps``, folder; the format.

    Raises
    ------
    OutputError
        An unknown suffix, ``.mp4`` without ffmpeg, or a folder that is missing or not writable.
    ConfigError
        ``fps`` is not a positive number.
    """
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise OutputError(f"cannot write a film as {str(path)!r}; use .gif, .png (APNG) or .mp4")
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not 0 < fps < float("inf"):
        raise ConfigError(f"fps={fps!r}; it must be a positive number of frames per second")
    if fmt == "MP4" and shutil.which("ffmpeg") is None:
        raise OutputError(f"writing {str(path)!r} needs ffmpeg on the PATH; write a .gif or .png film instead")
    check_writable(path)
    return fmt


def training_film(
    source: Fit | FilmRecorder | ImageSource,
    path: str | os.PathLike | None = None,
    *,
    budget: int | str | None = None,
    family: str | None = None,
    every: int | None = None,
    fps: float = 10.0,
    scale: int | None = None,
    image: np.ndarray | None = None,
    **fit_kwargs: Any,
) -> Film:
    """Film a network learning an image, and write it as GIF, APNG or MP4.

    Parameters
    ----------
    source : Fit, FilmRecorder or image
        A :class:`FilmRecorder` already passed to :func:`pixparam.fit`: its
        frames are written. A :class:`Fit`: trained again from the same
        architecture, seed and settings while recording (on a CPU the
        result is bit-identical). An image (path, sample name, array): a
        new fit of ``budget`` and ``family`` is trained and recorded.
    path : str or path, optional
        ``.gif``, ``.png`` (animated PNG) or ``.mp4`` (with ffmpeg). ``None``
        records without writing.
    budget, family
        For an image source: the budget (required) and family.
    every : int, optional
        Steps between frames; default about 40 frames per run.
    fps : float
        Frames per second of the written film.
    scale : int, optional
        Integer upscaling of frames; default: longer side at least 256 px.
    image : (H, W, C) ndarray, optional
        For a loaded Fit (which holds no image): the image it was fitted to.
    **fit_kwargs
        Passed to :func:`pixparam.fit` (``steps``, ``seed``, ``device``...).

    Returns
    -------
    Film
        Frames, their steps and PSNR, the fit and the written path.

    Raises
    ------
    ImageError
        A loaded Fit without ``image=``.
    ConfigError
        No ``budget`` for an image source, or a Fit that started from another
        fit's weights (it cannot be retrained identically).
    OutputError
        The film cannot be written to ``path`` (see :meth:`Film.save`).
    """
    from ..training import DEFAULT_STEPS, TrainConfig, fit

    if path is not None:
        check_film_path(path, fps=fps)
    if isinstance(source, FilmRecorder):
        film = source.film
    else:
        if isinstance(source, Fit):
            img = image if image is not None else source.image
            if img is None:
                raise ImageError("this Fit holds no image (it was loaded); pass the image it was fitted to: image=")
            cfg = source.config
            if "init_from" in cfg:
                raise ConfigError(
                    "this Fit started from another fit's weights (init_from=), which its config does not hold, "
                    "so it cannot be retrained identically; film it by passing a FilmRecorder as "
                    "pp.fit(..., init_from=..., callback=recorder) and then training_film(recorder, path)"
                )
            # every recorded training setting (TrainConfig's fields), so the film retrains the same run
            fit_kwargs = {**{k: cfg[k] for k in TrainConfig.setting_names() if k in cfg}, **fit_kwargs}
            target: Any = source.arch
        else:
            if budget is None:
                raise ConfigError("training_film needs budget= (e.g. '4k') to fit an image")
            img, target = source, budget
        img = load_image(img)
        steps = fit_kwargs.get("steps")
        steps = DEFAULT_STEPS if steps is None else steps
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
            raise ConfigError(f"steps={steps!r}; it must be a positive integer")
        steps = int(steps)
        fit_kwargs["steps"] = steps
        fit_kwargs.setdefault("progress", False)
        rec = FilmRecorder(img, every or max(1, steps // 40), last_step=steps)
        result = fit(img, target, family, callback=rec, **fit_kwargs)
        film = rec.film
        film.fit = result
    if path is not None:
        film.save(path, fps=fps, scale=scale)
    return film


@keyword_only("n")
def plot_film(film: Film, *, n: int = 6, width: float = MAX_WIDTH) -> Figure:
    """A contact sheet: ``n`` frames evenly spaced in training, and PSNR against step.

    Parameters
    ----------
    film : Film
        Recorded frames (from :func:`training_film` or a :class:`FilmRecorder`).
    n : int
        Frames to show (at most the film's length).
    width : float
        Figure width in inches, at most 7.2 (wider is clamped).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ConfigError
        The film has no frames, ``n`` is not a positive integer, or ``width``
        is not a positive number.
    """
    if not film.frames:
        raise ConfigError("the film has no frames to show")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ConfigError(f"n={n!r}; it is a positive number of frames to show")
    width = clamp_width(width)
    picks = sorted({round(i) for i in np.linspace(0, len(film) - 1, min(n, len(film)))})
    h, w = film.frames[0].shape[:2]
    pw = width / len(picks)
    with style():
        fig = Figure(figsize=(width, pw * h / w + 0.45 + 1.9), layout="constrained")
        top, bottom = fig.subfigures(2, 1, height_ratios=[pw * h / w + 0.45, 1.9])
        axes = top.subplots(1, len(picks), squeeze=False)[0]
        for ax, i in zip(axes, picks):
            draw_image(
                ax,
                film.frames[i].astype(np.float32) / 255.0,
                caption=f"step {film.steps[i]}\n{format_db(film.psnr[i])}",
            )
        ax = bottom.subplots()
        name = film.fit.family if film.fit is not None else "network"
        ax.plot(film.steps, film.psnr, color=color_for(name), marker="o", ms=2.5, lw=1.2)
        ax.plot(
            [film.steps[i] for i in picks],
            [film.psnr[i] for i in picks],
            ls="none",
            marker="o",
            mfc="white",
            color=color_for(name),
            ms=5,
        )
        ax.set_xlabel("training step")
        ax.set_ylabel("PSNR (dB)")
        ax.grid(True)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        k = film.steps[1] - film.steps[0] if len(film) > 1 else film.steps[0]
        if film.fit is not None:
            ax.set_title(
                f"{name} · {format_count(film.fit.n_params)} params: a frame every {k} step{'s' * (k != 1)}",
                loc="left",
            )
    return fig
