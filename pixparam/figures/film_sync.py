"""One synced film of several families learning one image, beside the original.

:func:`family_films` trains each family at one budget, recording the same
log-spaced steps (:func:`~pixparam.figures.film.frame_steps`, from step 0);
:func:`synced_frames` lays each step out as one frame: the original first,
then the families in registry order (:data:`pixparam.FAMILIES`), each panel
titled with its family and that frame's PSNR, the step above all of them;
:func:`write_synced_film` writes those frames as GIF, APNG or MP4.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..errors import ConfigError
from ..fields.registry import FAMILIES
from ..images import ImageSource, load_image, to_uint8
from ..metrics import format_db
from .film import FRAMES, Film, training_film
from .film_video import FPS, HOLD, check_film_path, write_frames
from .style import color_for

__all__ = ["family_films", "in_registry_order", "synced_frames", "write_synced_film"]

#: Panels are upscaled (nearest, by a whole factor) until their longer side is at least this many pixels.
MIN_PANEL = 160
#: The aspect ratio the panel grid is laid out towards (a video's).
_ASPECT = 16 / 9


def in_registry_order(names: Sequence[str]) -> list[str]:
    """``names`` in the order of :data:`pixparam.FAMILIES`; names not registered follow, in their order.

    Parameters
    ----------
    names : sequence of str
        Family names.

    Returns
    -------
    list of str

    Examples
    --------
    >>> in_registry_order(["siren", "mine", "grid"])
    ['grid', 'siren', 'mine']
    """
    order = {f: i for i, f in enumerate(FAMILIES)}  # read now: families registered later are included
    names = list(dict.fromkeys(names))
    return sorted(names, key=lambda n: (order.get(n, len(order)), names.index(n)))


def family_films(
    image: ImageSource,
    budget: int | str,
    families: Sequence[str] | None = None,
    *,
    steps: int | None = None,
    frames: int = FRAMES,
    **fit_kwargs: Any,
) -> dict[str, Film]:
    """Train each family at ``budget`` on ``image``, all recorded at the same log-spaced steps from 0.

    Parameters
    ----------
    image : path, sample name, PIL image or ndarray
        The image to fit.
    budget : int or str
        Trainable parameters of every network.
    families : sequence of str, optional
        Registered families; default every one (:data:`pixparam.FAMILIES`).
    steps : int, optional
        Training steps of each run (default :data:`~pixparam.training.DEFAULT_STEPS`).
    frames : int
        Log-spaced frames per film, from step 0 to ``steps``.
    **fit_kwargs
        Passed to :func:`pixparam.fit` (``seed``, ``device``, ``lr``...).

    Returns
    -------
    dict of str to Film
        Per family, in registry order, each with its finished ``fit``.

    Raises
    ------
    ConfigError
        An unknown family, or bad ``steps`` or ``frames``.
    """
    from ..capacity import resolve_families
    from ..training import DEFAULT_STEPS

    img = load_image(image)
    names = in_registry_order(resolve_families(families))
    steps = DEFAULT_STEPS if steps is None else steps
    return {f: training_film(img, budget=budget, family=f, steps=steps, frames=frames, **fit_kwargs) for f in names}


def _check_synced(films: Mapping[str, Film]) -> list[str]:
    if not films:
        raise ConfigError("no films to show; pass {family: Film} (see family_films)")
    names = in_registry_order(list(films))
    steps = films[names[0]].steps
    if not steps:
        raise ConfigError(f"the {names[0]} film has no frames")
    for name in names[1:]:
        if films[name].steps != steps:
            raise ConfigError(
                f"the {name} film was recorded at other steps than the {names[0]} film; a synced film needs "
                "every family recorded at the same steps (record them with family_films)"
            )
    return names


def _layout(n: int, h: int, w: int) -> tuple[int, int]:
    """Columns and rows for ``n`` panels of ``h × w``: near a video's aspect, few empty cells."""

    def cost(cols: int) -> float:
        rows = math.ceil(n / cols)
        return abs(math.log(cols * w / (rows * h) / _ASPECT)) + (cols * rows - n) / n

    cols = min(range(1, n + 1), key=cost)
    return cols, math.ceil(n / cols)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has one bitmap size
        return ImageFont.load_default()


def synced_frames(
    image: ImageSource,
    films: Mapping[str, Film],
    *,
    panel: int | None = None,
    title: str | None = None,
) -> list[Image.Image]:
    """One RGB frame per recorded step: the original, then every family at that step, and the step.

    Parameters
    ----------
    image : path, sample name, PIL image or ndarray
        The image the films were fitted to (the first panel).
    films : mapping of str to Film
        Per family, recorded at the same steps (:func:`family_films`).
    panel : int, optional
        Each panel's longer side in pixels (enlarged nearest-neighbour,
        shrunk with Lanczos); default the image's size, enlarged by a whole
        factor to at least :data:`MIN_PANEL` px.
    title : str, optional
        Text before the step in the header (e.g. ``"4k parameters"``).

    Returns
    -------
    list of PIL.Image.Image
        One per step, all of one size; width and height are even.

    Raises
    ------
    ConfigError
        No films, films recorded at different steps, or a ``panel`` that is
        not a positive whole number.
    """
    names = _check_synced(films)
    img = load_image(image)
    h, w = img.shape[:2]
    if panel is None:
        k = max(1, math.ceil(MIN_PANEL / max(h, w)))
        ph, pw = h * k, w * k
    else:
        if isinstance(panel, bool) or not isinstance(panel, (int, np.integer)) or panel < 8:
            raise ConfigError(f"panel={panel!r}; it is each panel's longer side, a whole number of pixels >= 8")
        s = panel / max(h, w)
        ph, pw = max(1, round(h * s)), max(1, round(w * s))
    band = max(14, pw // 11)  # a panel's title band
    head = band + 4
    gap = 4
    cols, rows = _layout(1 + len(names), ph, pw)
    width = cols * pw + (cols + 1) * gap
    height = head + rows * (band + ph) + (rows + 1) * gap
    width, height = width + width % 2, height + height % 2  # H.264 (yuv420p) needs even sizes
    font, big = _font(max(9, round(band * 0.62))), _font(max(10, round(head * 0.62)))

    def cell(i: int) -> tuple[int, int]:
        r, c = divmod(i, cols)
        return gap + c * (pw + gap), head + gap + r * (band + ph + gap)

    def pil(frame: np.ndarray) -> Image.Image:
        im = Image.fromarray(frame[..., 0] if frame.shape[2] == 1 else frame[..., :3]).convert("RGB")
        up = pw >= im.width  # blocks when enlarged (pixels as pixels), Lanczos when shrunk
        return im.resize((pw, ph), Image.Resampling.NEAREST if up else Image.Resampling.LANCZOS)

    base = Image.new("RGB", (width, height), (24, 24, 24))
    draw = ImageDraw.Draw(base)
    x, y = cell(0)
    base.paste(pil(to_uint8(img)), (x, y + band))
    draw.text((x + 2, y + band // 2), "original", fill="white", font=font, anchor="lm")
    for i, name in enumerate(names, start=1):
        x, y = cell(i)
        draw.rectangle((x, y + band - 3, x + pw - 1, y + band - 1), fill=color_for(name))  # the plot's colour
    steps = films[names[0]].steps
    total = steps[-1]
    out = []
    for t, step in enumerate(steps):
        frame = base.copy()
        draw = ImageDraw.Draw(frame)
        header = f"{title} · " if title else ""
        draw.text((gap + 2, head // 2 + 1), f"{header}step {step} of {total}", fill="white", font=big, anchor="lm")
        for i, name in enumerate(names, start=1):
            x, y = cell(i)
            film = films[name]
            frame.paste(pil(film.frames[t]), (x, y + band))
            text = f"{name} · {format_db(film.psnr[t])}"
            draw.text((x + 2, y + (band - 3) // 2), text, fill="white", font=font, anchor="lm")
        out.append(frame)
    return out


def write_synced_film(
    image: ImageSource,
    films: Mapping[str, Film],
    path: str | os.PathLike,
    *,
    fps: float = FPS,
    hold: float = HOLD,
    panel: int | None = None,
    title: str | None = None,
) -> Path:
    """Write :func:`synced_frames` as a film (GIF, APNG or MP4 by the suffix), atomically.

    Parameters
    ----------
    image : path, sample name, PIL image or ndarray
        The image the films were fitted to.
    films : mapping of str to Film
        Per family, recorded at the same steps.
    path : str or path
        ``.gif``, ``.png``/``.apng`` or ``.mp4`` (H.264 through PyAV:
        ``pip install 'pixparam[video]'``).
    fps : float
        Frames per second: each recorded step is held ``1 / fps`` s.
    hold : float
        Seconds the last frame is held.
    panel : int, optional
        Each panel's longer side in pixels (see :func:`synced_frames`).
    title : str, optional
        Text before the step in the header.

    Returns
    -------
    Path

    Raises
    ------
    OutputError
        An unknown suffix, ``.mp4`` without PyAV, or a folder that is
        missing; raised before any frame is drawn.
    ConfigError
        Films recorded at different steps, or a bad ``fps``, ``hold`` or ``panel``.
    """
    check_film_path(path, fps=fps, hold=hold)
    frames = synced_frames(image, films, panel=panel, title=title)
    return write_frames(frames, path, fps=fps, hold=hold)
