"""Build the gallery: fit (or reuse) every network, draw every section, write results, README and page."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .._io import json_ready, write_json_atomic
from .._version import __version__
from ..cache import FitCache
from ..devices import resolve_device
from ..errors import ConfigError, OutputError
from ..images import load_image
from ..pixels import Pixels, pixelate
from ..progress import progress_bar
from ..result import Fit
from .live import interactive_panels, write_live_viewer
from .page import write_index, write_readme
from .sections import BUILDERS
from .spec import Profile, get_profile
from .story import SECTIONS

__all__ = ["Context", "build_gallery"]

RESULTS = "results.json"


class Context:
    """What a section builder gets: the profile, images, cached fits, and ways to save figures.

    Every fit goes through one :class:`~pixparam.FitCache`, so a fit that two
    sections need is trained once, and a rerun loads what an earlier
    (possibly interrupted) build finished.

    Parameters
    ----------
    out : Path
        The gallery folder.
    profile : Profile
        Images, size, budgets, families and steps.
    cache : FitCache
        Where fits are kept (in ``out/.cache`` unless told otherwise).
    device : str
        Where to train.
    bar : tqdm
        The progress bar, advanced once per fit and per figure.
    """

    def __init__(self, out: Path, profile: Profile, cache: FitCache, device: str, bar: Any) -> None:
        self.out = out
        self.profile = profile
        self.cache = cache
        self.device = device
        self.bar = bar
        self.fits: dict[str, dict[str, Any]] = {}
        self._images: dict[str, np.ndarray] = {}
        self._ladder: dict[str, Fit] = {}
        self.memo: dict[str, Any] = {}  # what one section computes and a later one reuses (by key)

    def image(self, name: str) -> np.ndarray:
        """A profile image, loaded and resized once.

        Parameters
        ----------
        name : str
            One of the profile's images (a sample name or a path).

        Returns
        -------
        (H, W, C) ndarray of float32
        """
        if name not in self._images:
            self._images[name] = load_image(name, size=self.profile.size)
        return self._images[name]

    def image_at(self, name: str, size: int) -> np.ndarray:
        """Image ``name`` resized to ``size`` (for experiments that run smaller than the profile).

        Parameters
        ----------
        name : str
            A sample name or a path.
        size : int
            The longest side.

        Returns
        -------
        (H, W, C) ndarray of float32
        """
        key = f"{name}@{size}"
        if key not in self._images:
            self._images[key] = load_image(name, size=size)
        return self._images[key]

    def fit(self, image: np.ndarray, budget: Any, family: str | None = None, **kwargs: Any) -> Fit:
        """A fit through the cache, with the profile's steps, seed, training settings and device unless given.

        Parameters
        ----------
        image : (H, W, C) ndarray of float32
            The image to fit.
        budget, family, **kwargs
            As for :func:`pixparam.fit`.

        Returns
        -------
        Fit
        """
        fam = family or getattr(budget, "family", "siren")  # pp.fit's default family
        kwargs = {"seed": self.profile.seed, **self.profile.training_for(fam), **kwargs}
        what = f"{fam} {budget if isinstance(budget, int) else ''}".strip()
        self.bar.set_postfix_str(f"{what} · {self._tally()}")
        result = self.cache.fit(image, budget, family, device=self.device, progress=False, **kwargs)
        self.bar.set_postfix_str(f"{what} · {self._tally()}")
        self.bar.update(1)
        return result

    def _tally(self) -> str:
        """What the cache has done so far, for the progress line: ``'3 fits trained, 5 reused'``."""
        return f"{self.cache.misses} fits trained, {self.cache.hits} reused"

    def ladder_fit(self, name: str, family: str, budget: int) -> Fit:
        """The fit of ``family`` at ``budget`` on profile image ``name``; recorded in ``results.json``.

        Parameters
        ----------
        name : str
            One of the profile's images.
        family : str
            A registered family.
        budget : int
            One of the profile's budgets.

        Returns
        -------
        Fit
        """
        fid = f"{name}/{family}/{budget}"
        if fid in self._ladder:
            return self._ladder[fid]
        result = self._ladder[fid] = self.fit(self.image(name), budget, family)
        if fid not in self.fits:
            h, w, c = result.image_shape
            self.fits[fid] = {
                "id": fid,
                "image": name,
                "shape": [h, w, c],
                "family": family,
                "budget": budget,
                "n_params": result.n_params,
                "arch": result.arch.describe(),
                "steps": result.config["steps"],
                "seed": result.config["seed"],
                "seconds": round(result.seconds, 3),
                "device": result.config["device"],
                "psnr": result.psnr,
                "ssim": result.ssim,
                "pixparam": __version__,
            }
        return result

    def pixels(self, name: str, budget: int) -> Pixels:
        """The pixel counterpart (equal values) of ``budget`` on profile image ``name``.

        Parameters
        ----------
        name : str
            One of the profile's images.
        budget : int
            The number of values.

        Returns
        -------
        Pixels
        """
        return pixelate(self.image(name), budget)

    def save(self, fig: Any, stem: str, *, alt: str, svg: bool = False) -> dict[str, str]:
        """Write ``fig`` as ``<stem>.png`` (and ``.svg``) in the gallery; returns the entry for results.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The figure.
        stem : str
            File name without suffix.
        alt : str
            Alternative text for the page and the README.
        svg : bool
            Also write an SVG.

        Returns
        -------
        dict of str to str
            ``png``, ``alt`` (and ``svg``), as ``results.json`` lists figures.
        """
        from ..figures import save_figure

        entry = {"png": f"{stem}.png", "alt": alt}
        save_figure(fig, self.out / entry["png"], dpi=130)
        _optimise_png(self.out / entry["png"])
        if svg:
            entry["svg"] = f"{stem}.svg"
            save_figure(fig, self.out / entry["svg"])
        self.bar.update(1)
        return entry

    def film(self, name: str, family: str, budget: int) -> Any:
        """The film of ``family`` at ``budget``, trained or read back (:func:`pixparam.gallery.films.stored_film`).

        Parameters
        ----------
        name : str
            One of the profile's images.
        family : str
            A registered family.
        budget : int
            The film's budget.

        Returns
        -------
        Film
        """
        from .films import stored_film

        return stored_film(self, name, family, budget)


def _optimise_png(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as im:
        im.load()
        pil = im.copy()
    from .._io import atomic_path

    with atomic_path(path) as tmp:
        pil.save(tmp, format="PNG", optimize=True)


def _units(profile: Profile, names: list[str]) -> int:
    """How many fits and figures the build will go through (for the progress bar's ETA)."""
    p = profile
    n_ladder = len(p.images) * len(p.families) * len(p.budgets)
    per = {
        "pixels": n_ladder + len(p.images),
        "lens": len(p.families) + 1,
        "hero": len(p.budgets) + 1,
        "capacity": len(p.families) * len(p.budgets) + 1,
        "edits": 1 + 2 + 3,
        "films": len(p.families) + 2,  # a film per family, the synced film and the PSNR plot
        "crowding": 2,
        "generalisation": 2,
        "scaling": 2,
    }
    return sum(per.get(n, 1) for n in names)


def build_gallery(
    out: str | os.PathLike = "gallery",
    profile: str | Profile | None = None,
    *,
    only: str | list[str] | None = None,
    missing: bool = False,
    cache: str | os.PathLike | None = None,
    device: str = "auto",
    progress: bool = True,
) -> dict[str, Any]:
    """Regenerate the gallery: figures, ``results.json``, ``README.md`` and ``index.html``.

    Parameters
    ----------
    out : str or path
        The gallery folder (created if missing).
    profile : {"quick", "standard", "full"} or Profile, optional
        Scale of the build; default ``full`` on a CUDA machine, else ``quick``.
    only : str or list of str, optional
        Build only these sections (names in :data:`pixparam.gallery.SECTIONS`);
        the others keep their entries from an earlier ``results.json`` (of
        the same profile and pixparam version). The interactive comparison
        and the live viewer, which draw the ladder's fits, are redrawn when
        a section that draws them is built (``Section.ladder``); a build of
        other sections alone (the edits, the films, the experiments) keeps
        them and trains no ladder, so a long build can be split into runs.
        Each section records the run that built it and its seconds
        (``"build"``). ``results.json`` is written as each section finishes,
        so an interrupted build keeps the sections it finished.
    missing : bool
        Build only the sections (of ``only``, or all) that the earlier
        ``results.json`` does not have yet, of this profile and version: run
        the same command again to finish a build that was cut short, even
        on another machine with an empty cache.
    cache : str or path, optional
        Folder of cached fits; default ``<out>/.cache``. Fits are keyed by
        image, architecture, training settings, seed and pixparam version, and
        saved as each finishes, so an interrupted build resumes.
    device : str
        ``"auto"``, ``"cpu"``, ``"cuda"``...
    progress : bool
        A progress bar over all fits and figures, with an ETA.

    Returns
    -------
    dict
        What was written to ``results.json``.

    Raises
    ------
    ConfigError
        An unknown profile or section name.
    OutputError
        ``out`` or ``cache`` is a file.
    """
    p = get_profile(profile)
    names = [s.name for s in SECTIONS]
    wanted = names if only is None else ([only] if isinstance(only, str) else list(only))
    unknown = [n for n in wanted if n not in names]
    if unknown:
        raise ConfigError(f"unknown gallery section {', '.join(unknown)}; choose from {', '.join(names)}")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"gallery folder {str(out)!r} is a file; pass a folder (--out) for the gallery")
    if cache is not None and Path(cache).exists() and not Path(cache).is_dir():
        raise OutputError(f"cache {str(cache)!r} is a file, not a folder; pass a folder for the cached fits")
    out.mkdir(parents=True, exist_ok=True)
    dev = resolve_device(device)
    fit_cache = FitCache(Path(cache) if cache is not None else out / ".cache")
    previous = _read_results(out)
    same = (
        previous.get("profile") == json_ready(p.to_dict()) and previous.get("meta", {}).get("pixparam") == __version__
    )
    sections = {s["name"]: s for s in previous.get("sections", [])} if same else {}  # a changed profile starts over
    if missing:
        wanted = [n for n in wanted if n not in sections]
    fits = {f["id"]: f for f in previous.get("fits", [])} if sections else {}
    kept = previous if sections else {}
    viewer = {"interactive": kept.get("interactive"), "live": kept.get("live")}
    t0 = time.perf_counter()
    run = dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")

    def results() -> dict[str, Any]:
        meta = {
            "pixparam": __version__,
            "torch": torch.__version__,
            "device": str(dev) if dev.type != "cuda" else torch.cuda.get_device_name(dev),
            "date": dt.date.today().isoformat(),
            "seconds": round(time.perf_counter() - t0, 1),
            "fits_trained": fit_cache.misses,
            "fits_reused": fit_cache.hits,
            "command": f"pixparam gallery --profile {p.name}",
        }
        return json_ready({
            "meta": meta,
            "profile": p.to_dict(),
            "sections": [sections[s.name] for s in SECTIONS if s.name in sections],
            "fits": sorted({**fits, **ctx.fits}.values(), key=lambda f: f["id"]),
            **viewer,
        })  # fmt: skip

    todo = [s for s in SECTIONS if s.name in wanted and not (s.experiment and s.name not in p.experiments)]
    # the comparison and the live viewer draw the ladder's fits: redrawn right after the last section that draws
    # them, kept from the earlier results.json by a build of others alone (which then trains no ladder)
    last_ladder = next((s.name for s in reversed(todo) if s.ladder), None)
    with progress_bar(_units(p, wanted) + 1, "gallery", "step", progress=progress) as bar:
        ctx = Context(out, p, fit_cache, str(dev), bar)
        for s in todo:
            bar.set_description(f"gallery: {s.name}")
            t = time.perf_counter()
            built = BUILDERS[s.name](ctx)
            sections[s.name] = {"name": s.name, "title": s.title, **built, "build": _stamp(run, t)}
            if s.name == last_ladder:
                viewer = {"interactive": interactive_panels(ctx), "live": write_live_viewer(ctx)}
            write_json_atomic(out / RESULTS, results())  # a build cut short keeps what it finished
        bar.update(1)
    final = results()
    write_json_atomic(out / RESULTS, final)
    write_readme(out, final)
    write_index(out, final)
    return final


def _stamp(run: str, since: float) -> dict[str, Any]:
    """Which build made a section (its start, UTC) and the seconds the section took in it."""
    return {"run": run, "seconds": round(time.perf_counter() - since, 1)}


def _read_results(out: Path) -> dict[str, Any]:
    path = out / RESULTS
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
