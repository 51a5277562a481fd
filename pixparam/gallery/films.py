"""The gallery's films section: every family learning one image in one synced film, and PSNR against step.

Each family of the profile is trained at the lens budget and filmed at the
same ``film_frames`` log-spaced steps from step 0 (:func:`stored_film`); the section writes them as one film
(the original first, then the families in registry order) as ``film.gif``
and, when PyAV is installed, ``film.mp4``, draws every family's PSNR against
step on one log axis with the pixel counterpart as a line, and says from the
measured numbers who is ahead early, who wins at the end, and which
networks lose to the pixel counterpart.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..cache import fit_key
from ..figures.film import Film, training_film
from ..figures.film_sync import in_registry_order, write_synced_film
from ..figures.film_video import FPS, skip_mp4_note, video_available
from ..figures.style import format_budget
from ..metrics import format_db
from ..store import Store

if TYPE_CHECKING:
    from .context import Context

__all__ = ["GIF_PANEL", "build_films", "early_step", "stored_film"]

#: Longest side of each panel of the GIF (px): the GIF is the README's and old browsers' copy, kept small
#: (larger images shrunk to it, smaller ones enlarged by the largest whole factor that stays within it);
#: the MP4 shows every panel at the image's own size or larger.
GIF_PANEL = 128


def stored_film(ctx: Context, name: str, family: str, budget: int) -> Film:
    """The training film of ``family`` at ``budget``: ``film_frames`` log-spaced steps from 0, kept in the store.

    Every family's film of a profile is recorded at the same steps
    (:func:`pixparam.figures.frame_steps` of ``film_steps`` and
    ``film_frames``), so the films play in sync. Nothing is written to
    the gallery folder here (:func:`pixparam.gallery.films.build_films` does).

    Parameters
    ----------
    ctx : Context
        The build: its profile, cache, device and progress bar.
    name : str
        One of the profile's images.
    family : str
        A registered family.
    budget : int
        The film's budget.

    Returns
    -------
    Film
        Frames, steps, PSNR per frame and the finished fit.
    """
    p = ctx.profile
    img = ctx.image(name)
    key = fit_key(img, budget, family, steps=p.film_steps, seed=p.seed) + f"-log{p.film_frames}"
    films = Store(ctx.cache.root)  # the same folder; its own counters, so films are not counted as fits
    found = films.get_records("film", key)
    fit = films.get_fit(key, name="film", device=ctx.device) if found is not None else None
    if found is not None and fit is not None and "frames" in found[1]:
        fit.image = img
        (row,) = found[0]
        ctx.reused(fit.seconds)  # its training counts towards the section's cost from an empty cache
        film = Film(frames=list(found[1]["frames"]), steps=list(row["steps"]), psnr=list(row["psnr"]), fit=fit)
    else:
        ctx.bar.set_postfix_str(f"film {family}")
        film = training_film(
            img,
            budget=budget,
            family=family,
            steps=p.film_steps,
            frames=p.film_frames,
            seed=p.seed,
            device=ctx.device,
        )
        films.put_fit(key, film.fit, name="film")  # first: the records vouch for a complete entry
        row = {"steps": [int(s) for s in film.steps], "psnr": [float(v) for v in film.psnr]}
        films.put_records("film", key, [row], {"frames": np.stack(film.frames)})
    ctx.bar.update(1)
    return film


def early_step(steps: list[int]) -> int:
    """The "early" step a caption compares families at: the first frame at or after 2 % of the run.

    Parameters
    ----------
    steps : list of int
        A film's steps, ascending (from 0).

    Returns
    -------
    int

    Examples
    --------
    >>> early_step([0, 1, 2, 3, 5, 8, 12, 18, 27, 40])
    1
    >>> early_step([0, 1, 2, 3, 5, 8, 12, 21, 35, 58, 97, 163, 275, 463, 600])
    12
    """
    target = max(1, steps[-1] // 50)
    return next(s for s in steps if s >= target)


def _ranking(scores: dict[str, float]) -> list[str]:
    return sorted(scores, key=lambda f: -scores[f])


def _listing(names: list[str], scores: dict[str, float]) -> str:
    return ", ".join(f"{f} {format_db(scores[f])}" for f in names)


def _write_films(ctx: Context, img: Any, films: dict[str, Any], title: str) -> dict[str, Any]:
    """Write ``film.gif`` (small panels) and ``film.mp4`` (full size, when PyAV is there); the figure entry."""
    out: Path = ctx.out
    side = max(img.shape[:2])
    panel = GIF_PANEL if side >= GIF_PANEL else side * (GIF_PANEL // side)  # shrunk, or enlarged a whole factor
    gif = write_synced_film(img, films, out / "film.gif", title=title, panel=panel)
    entry: dict[str, Any] = {"gif": gif.name}
    mp4 = out / "film.mp4"
    if video_available():
        write_synced_film(img, films, mp4, title=title)
        import av

        with av.open(str(mp4)) as video:
            stream = video.streams.video[0]
            entry.update(mp4=mp4.name, width=stream.width, height=stream.height)
    else:
        skip_mp4_note(f"{out / 'film.mp4'}")
        mp4.unlink(missing_ok=True)  # not a stale film of another profile
    ctx.bar.update(1)
    return entry


def build_films(ctx: Context) -> dict[str, Any]:
    """Every family of the profile and the original in one synced film (GIF, MP4), and PSNR against step.

    Parameters
    ----------
    ctx : Context
        The build's context (profile, images, store).

    Returns
    -------
    dict
        ``caption``, ``figures`` (the film: ``gif``, and ``mp4`` with its
        ``width`` and ``height`` when PyAV is installed; the PSNR plot) and
        ``numbers`` (every number the caption shows).
    """
    from ..figures import plot_film_psnr

    p = ctx.profile
    name, b = p.images[0], p.lens_budget
    img = ctx.image(name)
    families = in_registry_order(list(p.families))
    films = {fam: ctx.film(name, fam, b) for fam in families}
    pix = ctx.pixels(name, b)
    steps = films[families[0]].steps
    early, last = early_step(steps), steps[-1]
    at = steps.index(early)
    title = f"{name} · {format_budget(b)} parameters"
    video = _write_films(ctx, img, films, title)
    start = {f: films[f].psnr[0] for f in families}
    mid = {f: films[f].psnr[at] for f in families}
    end = {f: films[f].psnr[-1] for f in families}
    beat = [f for f in _ranking(end) if end[f] > pix.psnr]
    lose = [f for f in _ranking(end) if end[f] <= pix.psnr]
    lead, win = _ranking(mid)[0], _ranking(end)[0]
    video["alt"] = (
        f"Every family learning {name} at {format_budget(b)} parameters: {lead} is ahead at step {early:,}, "
        f"{win} ends highest ({format_db(end[win])})"
    )
    plot = plot_film_psnr(films, pixels=pix.psnr, pixels_label=f"pixels {pix.shape[0]}×{pix.shape[1]}", title=title)
    alt = f"PSNR against step: {win} ends highest ({format_db(end[win])}); " + (
        f"{', '.join(lose)} end{'s' if len(lose) == 1 else ''} below the pixel counterpart ({format_db(pix.psnr)})"
        if lose
        else f"every family ends above the pixel counterpart ({format_db(pix.psnr)})"
    )
    figures = [video, ctx.save(plot, "film-psnr", alt=alt)]
    numbers: dict[str, Any] = {
        "image": name,
        "budget": b,
        "steps": steps,
        "early_step": early,
        "families": {
            f: {
                "n_params": films[f].fit.n_params,
                "frames": len(films[f]),
                "psnr": films[f].psnr,
                "start": start[f],
                "early": mid[f],
                "final": end[f],
                "best": films[f].fit.psnr,  # the fit keeps the best weights seen; a frame shows that step's
            }
            for f in families
        },
        "pixels": {"psnr": pix.psnr, "shape": list(pix.shape)},
        "early_leader": _ranking(mid)[0],
        "final_leader": _ranking(end)[0],
        "beat_pixels": beat,
        "lose_to_pixels": lose,
    }
    ranked_mid, ranked_end = _ranking(mid), _ranking(end)
    grid = f"; the grid starts as the pixel counterpart, {format_db(start['grid'])}" if "grid" in families else ""
    if not beat:
        verdict = "every network falls short of it"
    elif not lose:
        verdict = "every network beats it"
    else:
        verdict = (
            f"{len(beat)} of the {len(families)} networks beat it ({', '.join(beat)}) and {', '.join(lose)} "
            f"fall{'s' * (len(lose) == 1)} short"
        )
    has = "is" if pix.psnr == float("inf") else "has"  # 'is lossless' or 'has 27.3 dB'
    sizes = "The MP4 shows each panel at the image's size or larger; the" if "mp4" in video else "The"
    caption = (
        f"{format_budget(b)}-parameter networks of {len(families)} families learning the {p.size}-px {name}, beside "
        f"the original, filmed at the same {len(steps)} steps, log-spaced from step 0 (the untrained network"
        f"{grid}) to {last} and each shown for {1000 / FPS:.0f} ms, so early training is slowed down and late "
        f"training sped up. After {early} step{'s' * (early != 1)} {ranked_mid[0]} is ahead "
        f"({_listing(ranked_mid[:3], mid)}). At step {last} {ranked_end[0]} wins: {_listing(ranked_end, end)} "
        "(each frame's PSNR is of the weights at that step, not the best seen). "
        f"The pixel counterpart ({pix.shape[0]}×{pix.shape[1]} px, bicubic) {has} {format_db(pix.psnr)}: {verdict}. "
        f"{sizes} plot has step + 1 on a log axis."
    )
    return {"caption": caption, "figures": figures, "numbers": numbers}
