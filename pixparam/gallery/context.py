"""What a gallery section builder gets: the profile, its images, fits through one cache, and figure saving."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..cache import FitCache
from ..images import load_image
from ..pixels import Pixels, pixelate
from ..result import Fit
from .spec import Profile

__all__ = ["Context"]


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

    Attributes
    ----------
    reused_seconds : float
        The training seconds of the fits :meth:`fit` loaded from the cache
        (each fit keeps its own), and of the films' fits and the packing
        (:meth:`reused`), so a section built on fits an earlier sitting
        trained can still say what it costs from an empty cache.
    n_reused : int
        How many such fits were loaded: the cache's hits and the films'.
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
        self.reused_seconds = 0.0
        self._other_reused = 0
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
        hits = self.cache.hits
        result = self.cache.fit(image, budget, family, device=self.device, progress=False, **kwargs)
        if self.cache.hits > hits:
            self.reused_seconds += result.seconds
        self.bar.set_postfix_str(f"{what} · {self._tally()}")
        self.bar.update(1)
        return result

    @property
    def n_reused(self) -> int:
        """Fits loaded instead of trained in this build: the fit cache's hits and those :meth:`reused` counts."""
        return self.cache.hits + self._other_reused

    def reused(self, seconds: float, fits: int = 1) -> None:
        """Count work loaded from a store of its own (a film's fit, the packed files) and what it took to make.

        Parameters
        ----------
        seconds : float
            Its training seconds, added to :attr:`reused_seconds`.
        fits : int
            How many fits it counts as in :attr:`n_reused` (the packing: none).
        """
        self._other_reused += fits
        self.reused_seconds += seconds

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
