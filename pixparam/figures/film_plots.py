"""The film figures: a contact sheet of one film, and every family's PSNR against step on one log axis."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator

from .._deprecate import keyword_only
from ..budget import format_count
from ..errors import ConfigError
from ..metrics import format_db
from .film import Film
from .panels import draw_image
from .style import MAX_WIDTH, clamp_width, color_for, style

__all__ = ["plot_film", "plot_film_psnr"]


@keyword_only("n")
def plot_film(film: Film, *, n: int = 6, width: float = MAX_WIDTH) -> Figure:
    """A contact sheet: ``n`` of the film's frames, evenly spaced among them, and PSNR against step.

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
        gaps = set(np.diff(film.steps).tolist()[:-1]) if len(film) > 2 else set()
        linear = film.steps[0] > 0 and len(gaps) <= 1  # a frame every k steps (and the last)
        x = np.asarray(film.steps) + (0 if linear else 1)  # log-spaced from step 0: x = step + 1, log axis
        ax.plot(x, film.psnr, color=color_for(name), marker="o", ms=2.5, lw=1.2)
        marks = dict(ls="none", marker="o", mfc="white", color=color_for(name), ms=5)
        ax.plot(x[picks], [film.psnr[i] for i in picks], **marks)
        ax.set_ylabel("PSNR (dB)")
        ax.grid(True)
        if linear:
            ax.set_xlabel("training step")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            k = film.steps[1] - film.steps[0] if len(film) > 1 else film.steps[0]
            spacing = f"a frame every {k} step{'s' * (k != 1)}"
        else:
            ax.set_xscale("log")
            ax.xaxis.set_major_locator(LogLocator(base=10))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.set_xlabel("training step + 1 (log scale; 1 is the untrained network)")
            spacing = f"{len(film)} frames, log-spaced from step {film.steps[0]}"
        if film.fit is not None:
            ax.set_title(f"{name} · {format_count(film.fit.n_params)} params: {spacing}", loc="left")
    return fig


def plot_film_psnr(
    films: Mapping[str, Film],
    *,
    pixels: float | None = None,
    pixels_label: str = "pixel counterpart",
    title: str | None = None,
    width: float = MAX_WIDTH,
) -> Figure:
    """PSNR against training step for every family on one log axis, with the pixel counterpart as a line.

    The x axis is ``step + 1`` on a log scale, so step 0 (the untrained
    network) sits at 1, the axis' left edge.

    Parameters
    ----------
    films : mapping of str to Film
        Per family (from :func:`~pixparam.figures.film_sync.family_films`);
        drawn in registry order, each in its colour
        (:func:`~pixparam.figures.style.color_for`).
    pixels : float, optional
        The pixel counterpart's PSNR (dB), drawn as a dashed horizontal line.
    pixels_label : str
        Its legend entry (the PSNR is appended).
    title : str, optional
        Axes title.
    width : float
        Figure width in inches, at most 7.2 (wider is clamped).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ConfigError
        No films, a film with no frames, or a bad ``width``.
    """
    from .film_sync import in_registry_order

    if not films:
        raise ConfigError("no films to plot; pass {family: Film} (see family_films)")
    empty = [name for name, film in films.items() if not film.frames]
    if empty:
        raise ConfigError(f"the {', '.join(empty)} film has no frames to plot")
    width = clamp_width(width)
    with style():
        fig = Figure(figsize=(width, 0.46 * width), layout="constrained")
        ax = fig.subplots()
        for name in in_registry_order(list(films)):
            film = films[name]
            x = np.asarray(film.steps, dtype=float) + 1
            label = f"{name} · {format_db(film.psnr[-1])}"
            ax.plot(x, film.psnr, color=color_for(name), lw=1.4, marker="o", ms=2.2, label=label)
        if pixels is not None:
            label = f"{pixels_label} · {format_db(pixels)}"
            ax.axhline(pixels, color=color_for("pixels"), ls="--", lw=1.1, label=label)
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.set_xlim(left=1)
        ax.set_xlabel("training step + 1 (log scale; 1 is step 0, the untrained network)")
        ax.set_ylabel("PSNR (dB)")
        ax.grid(True, which="major")
        if title:
            ax.set_title(title, loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, title="at the last step")
    return fig
