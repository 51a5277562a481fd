"""Training films: the reconstruction developing during training, as GIF, APNG or MP4.

A :class:`FilmRecorder` is a ``fit(..., callback=)`` callback that keeps a
frame at chosen steps: one render at the fitted resolution, copied to 8
bits, and its PSNR computed in NumPy (no matplotlib per frame). By default
the steps are log-spaced from step 0, the untrained network
(:func:`frame_steps`: 0, 1, 2, 3, 5, 8, ... the last), where a network
changes fastest; ``every=`` keeps linear spacing. Text and scaling are
added only when the film is written (:mod:`pixparam.figures.film_video`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..errors import ConfigError, ImageError, OutputError
from ..fields import Field
from ..images import ImageSource, load_image, to_uint8
from ..metrics import format_db, mse, psnr_from_mse
from ..rendering import render_field
from ..result import Fit
from .film_video import FPS, HOLD, check_film_path, write_frames

__all__ = ["FRAMES", "Film", "FilmRecorder", "frame_steps", "training_film"]

#: Frames of a film by default: log-spaced from step 0 to the last.
FRAMES = 40


def frame_steps(total: int, n: int = FRAMES) -> list[int]:
    """``n`` log-spaced training steps from 0 (the untrained network) to ``total``: 0, 1, 2, 3, 5, 8, ...

    Each step after 0 is the previous one times the ratio that reaches
    ``total`` in the picks left, and at least one more than the previous: so
    the first few are consecutive and the rest geometric. All are distinct.

    Parameters
    ----------
    total : int
        The run's last step.
    n : int
        How many steps (at least 2); a run of fewer than ``n - 1`` steps gives every step.

    Returns
    -------
    list of int
        Ascending, starting at 0 and ending at ``total``.

    Raises
    ------
    ConfigError
        ``total`` is not a positive integer or ``n`` is less than 2.

    Examples
    --------
    >>> frame_steps(40, 10)
    [0, 1, 2, 3, 5, 8, 12, 18, 27, 40]
    """
    for name, value, least in (("total", total, 1), ("n", n, 2)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
            raise ConfigError(f"{name}={value!r}; it must be a whole number of at least {least}")
    total, n = int(total), int(n)
    if n >= total + 1:
        return list(range(total + 1))
    out, cur = [0], 0
    for left in range(n - 1, 0, -1):  # picks still to make, this one included
        nxt = 1 if cur == 0 else round(cur * (total / cur) ** (1 / left))
        cur = max(cur + 1, min(nxt, total - (left - 1)))
        out.append(cur)
    return out


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

    def save(self, path: str | os.PathLike, *, fps: float = FPS, hold: float = HOLD, scale: int | None = None) -> Path:
        """Write the film atomically; the format follows the suffix.

        Parameters
        ----------
        path : str or path
            ``.gif``, ``.png``/``.apng`` (animated PNG) or ``.mp4`` (H.264;
            needs PyAV: ``pip install 'pixparam[video]'``).
        fps : float
            Frames per second (each frame held equally: with log-spaced
            steps, early training is slowed down and late training sped up).
        hold : float
            Seconds the last frame is shown.
        scale : int, optional
            Integer upscaling (nearest); default makes the longer side at
            least 256 px.

        Returns
        -------
        Path

        Raises
        ------
        OutputError
            An unknown suffix, no frames to write, ``.mp4`` without PyAV,
            or a folder that does not exist.
        ConfigError
            ``fps`` or ``hold`` is not positive.
        """
        path = Path(path)
        check_film_path(path, fps=fps, hold=hold)
        if not self.frames:
            raise OutputError("the film has no frames; record some with fit(..., callback=FilmRecorder(...))")
        images = [self._annotated(i, scale) for i in range(len(self.frames))]
        self.path = write_frames(images, path, fps=fps, hold=hold)
        return self.path

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


class FilmRecorder:
    """A ``fit(..., callback=)`` callback that keeps a frame at chosen steps: log-spaced, or every ``every``.

    Parameters
    ----------
    image : (H, W, C) ndarray
        The image being fitted (frames are rendered at its size and measured
        against it).
    every : int, optional
        Linear spacing: frames at ``every, 2·every, ...`` (and ``last_step``).
    steps : int or iterable of int, optional
        The run's length, for ``frames`` log-spaced steps from 0
        (:func:`frame_steps`); or the exact steps to keep. Give ``steps`` or
        ``every``.
    frames : int
        How many log-spaced frames, with an int ``steps``.
    last_step : int, optional
        Also keep a frame at this step (the run's last), with ``every``.

    Raises
    ------
    ConfigError
        Neither or both of ``every`` and ``steps``, or a value that is not a
        positive whole number (steps may include 0).

    Notes
    -----
    The training loop calls back after each update, from step 1. Step 0 is
    the untrained network: call ``recorder(0, model)`` before training, as
    :func:`training_film` does (for the ``grid`` family it is the pixel
    counterpart, which the grid starts as).

    Examples
    --------
    >>> import pixparam as pp
    >>> from pixparam.figures import FilmRecorder
    >>> img = pp.load_image("camera", size=16)
    >>> rec = FilmRecorder(img, every=5)
    >>> _ = pp.fit(img, "1k", steps=10, device="cpu", progress=False, callback=rec)
    >>> rec.film.steps
    [5, 10]
    >>> FilmRecorder(img, steps=10, frames=6).steps
    [0, 1, 2, 3, 5, 10]
    """

    def __init__(
        self,
        image: np.ndarray,
        every: int | None = None,
        *,
        steps: int | Iterable[int] | None = None,
        frames: int = FRAMES,
        last_step: int | None = None,
    ) -> None:
        if (every is None) == (steps is None):
            raise ConfigError(
                "FilmRecorder takes steps= (the run's length, for log-spaced frames, or the steps to keep) "
                "or every= (linear spacing); pass one of them"
            )
        self.every = None if every is None else _whole(every, "every", least=1)
        if steps is None:
            self.steps: list[int] | None = None
        elif isinstance(steps, (int, np.integer)) and not isinstance(steps, bool):
            self.steps = frame_steps(int(steps), frames)
        else:
            self.steps = sorted({_whole(s, "steps", least=0) for s in steps})  # type: ignore[union-attr]
            if not self.steps:
                raise ConfigError("steps=[]; give at least one step to keep a frame at")
        self._keep = set(self.steps or ())
        self.image = load_image(image)
        self.last_step = last_step
        self.film = Film()
        self._target = self.image.astype(np.float32)

    def __call__(self, step: int, model: Field) -> None:
        if self.every is not None:
            if step < 1 or (step % self.every and step != self.last_step):  # linear: every, 2·every, ...
                return
        elif step not in self._keep:
            return
        h, w = self.image.shape[:2]
        out = render_field(model, h, w)
        self.film.frames.append(to_uint8(out))
        self.film.steps.append(int(step))
        self.film.psnr.append(psnr_from_mse(mse(self._target, out)))


def _whole(value: Any, name: str, *, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        what = "positive" if least else "non-negative"
        raise ConfigError(f"{name}={value!r}; it must be a {what} whole number of steps")
    return int(value)


def training_film(
    source: Fit | FilmRecorder | ImageSource,
    path: str | os.PathLike | None = None,
    *,
    budget: int | str | None = None,
    family: str | None = None,
    every: int | None = None,
    frames: int = FRAMES,
    fps: float = FPS,
    hold: float = HOLD,
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
        ``.gif``, ``.png`` (animated PNG) or ``.mp4`` (H.264, with PyAV:
        ``pip install 'pixparam[video]'``). ``None`` records without writing.
    budget, family
        For an image source: the budget (required) and family.
    every : int, optional
        Linear spacing: a frame every ``every`` steps (and the last). By
        default ``frames`` log-spaced steps from step 0, the untrained
        network (:func:`frame_steps`).
    frames : int
        How many log-spaced frames (without ``every``).
    fps : float
        Frames per second of the written film.
    hold : float
        Seconds the last frame is shown.
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
        No ``budget`` for an image source, a ``callback`` or ``init_from``
        (the film records its own run from a fresh start), or a Fit that
        started from another fit's weights (it cannot be retrained identically).
    OutputError
        The film cannot be written to ``path`` (see :meth:`Film.save`);
        raised before any training.

    Examples
    --------
    >>> import pixparam as pp
    >>> img = pp.load_image("camera", size=16)
    >>> film = pp.training_film(img, budget=300, family="relu", steps=20, frames=6, device="cpu")
    >>> film.steps
    [0, 1, 2, 4, 9, 20]
    """
    from ..training import DEFAULT_STEPS, FitJob, TrainConfig, train

    if path is not None:
        check_film_path(path, fps=fps, hold=hold)
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
        for name in ("callback", "init_from"):
            if fit_kwargs.get(name) is not None:
                raise ConfigError(
                    f"training_film records its own run and takes no {name}=; pass "
                    f"pp.fit(..., {name}=..., callback=FilmRecorder(...)) and then training_film(recorder, path)"
                )
        img = load_image(img)
        steps = fit_kwargs.get("steps")
        steps = DEFAULT_STEPS if steps is None else steps
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
            raise ConfigError(f"steps={steps!r}; it must be a positive integer")
        steps = int(steps)
        settings = {k: v for k, v in fit_kwargs.items() if k not in ("callback", "init_from", "progress")}
        settings["steps"] = steps
        settings.setdefault("device", "auto")
        if every is not None:
            rec = FilmRecorder(img, every, last_step=steps)
        else:
            rec = FilmRecorder(img, steps=steps, frames=frames)
        # fit()'s own pipeline, with the untrained network filmed first (step 0) when the steps are log-spaced
        job = FitJob.plan(img, target, family, **settings)
        rec(0, job.model)  # kept only when 0 is one of the recorder's steps (not with every=)
        progress = bool(fit_kwargs.get("progress", False))
        (trained,) = train([job.model], job.points, [job.cfg], progress=progress, callback=rec, desc=job.desc)
        film = rec.film
        film.fit = job.finish(trained)
    if path is not None:
        film.save(path, fps=fps, hold=hold, scale=scale)
    return film
