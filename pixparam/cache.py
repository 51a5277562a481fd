"""Fits kept in the one store, keyed by everything that decides them, so nothing is trained twice.

The key (:func:`fit_key`) hashes the image's points (coordinates and
colours), the planned architecture, the resolved training settings that
change the result (:meth:`~pixparam.training.TrainConfig.key`: steps, learning
rate and schedule, seed, precision, batch size...), the initial weights when
``init_from`` is given, and the pixparam version. A fit is saved atomically as
soon as it finishes, so an interrupted run loses only the fit in progress and
a rerun resumes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from .arch import Arch
from .images import ImageSource, load_image
from .result import Fit
from .store import Store, state_digest
from .store import fit_key as content_key
from .training import FitJob, Points, fit

__all__ = ["FitCache", "fit_key"]

#: ``fit`` keywords that do not decide the result beyond the resolved settings.
_NOT_SETTINGS = frozenset({"progress", "callback", "init_from"})


def fit_key(image: np.ndarray, budget: int | str | Arch, family: str | None = None, **fit_kwargs: Any) -> str:
    """A 20-hex-digit key for ``pp.fit(image, budget, family, **fit_kwargs)``.

    Parameters
    ----------
    image : (H, W, C) ndarray of float32
        The image as it will be fitted.
    budget, family, **fit_kwargs
        As for :func:`pixparam.fit`. The key holds the resolved settings, so
        passing a default (``lr=None``, ``seed=0``, the family's rate) keys the
        same as leaving it out; ``progress``, ``callback`` and the speed-only
        settings (``device``, ``compile``, ``prepare``, ``fused_adam``,
        ``memory_cap``) are not in it. What a device decides is: a CUDA fit's
        TF32 precision, or mini-batches where memory is short, key apart from
        a CPU fit. An ``init_from`` fit is keyed by its weights.
    """
    settings = {k: v for k, v in fit_kwargs.items() if k not in _NOT_SETTINGS}
    arch, cfg = FitJob.configure(image, budget, family, **settings)
    init_from = fit_kwargs.get("init_from")
    init = None if init_from is None else state_digest(init_from.model)
    return content_key(Points.from_image(image).digest(), arch, cfg.key(), init)


def _family_of(budget: int | str | Arch, family: str | None) -> str:
    """The family a fit with these arguments has (names its file in the store)."""
    return budget.family if isinstance(budget, Arch) else (family or "siren")


class FitCache:
    """Fits kept in a :class:`~pixparam.store.Store`, reused when the same fit is asked for again.

    Parameters
    ----------
    root : str or path, optional
        The store's folder (created when needed). ``None`` caches nothing:
        every call trains.

    Attributes
    ----------
    store : Store
        Where the fits are.
    hits, misses : int
        Fits loaded from the store, and fits trained, by this object.

    Examples
    --------
    >>> import tempfile, pixparam as pp
    >>> cache = pp.FitCache(tempfile.mkdtemp())
    >>> img = pp.load_image("camera", size=16)
    >>> a = cache.fit(img, 300, "relu", steps=3, progress=False)
    >>> b = cache.fit(img, 300, "relu", steps=3, progress=False)
    >>> cache.misses, cache.hits, a.psnr == b.psnr
    (1, 1, True)
    """

    def __init__(self, root: str | os.PathLike | None) -> None:
        self.store = Store(root)

    @property
    def root(self) -> Path | None:
        """The store's folder (``None``: nothing is kept)."""
        return self.store.root

    @property
    def hits(self) -> int:
        """Fits loaded from the store so far."""
        return self.store.hits

    @property
    def misses(self) -> int:
        """Fits trained so far (not found in the store)."""
        return self.store.misses

    def path(self, image: np.ndarray, budget: int | str | Arch, family: str | None = None, **fit_kwargs: Any) -> Path:
        """Where the fit with these arguments is (or would be) saved.

        Parameters
        ----------
        image : (H, W, C) ndarray of float32
            The image, already loaded.
        budget, family, **fit_kwargs
            As for :func:`pixparam.fit`.

        Returns
        -------
        pathlib.Path
        """
        name = _family_of(budget, family)
        return self.store.path("fit", f"{name}-{fit_key(image, budget, family, **fit_kwargs)}", ".safetensors")

    def fit(self, image: ImageSource, budget: int | str | Arch, family: str | None = None, **fit_kwargs: Any) -> Fit:
        """``pp.fit(image, budget, family, **fit_kwargs)``, loaded from the store when already there.

        A loaded fit gets the image back (``fit.image``), so its metrics and
        figures work as for a fresh one. A new fit is saved before it is
        returned.

        Parameters
        ----------
        image, budget, family, **fit_kwargs
            As for :func:`pixparam.fit`.

        Returns
        -------
        Fit
        """
        img = load_image(image)
        if self.store.root is None:
            self.store.misses += 1
            return fit(img, budget, family, **fit_kwargs)
        name = _family_of(budget, family)
        key = fit_key(img, budget, family, **fit_kwargs)
        found = self.store.get_fit(key, name=name, device=fit_kwargs.get("device", "auto"))
        if found is not None:
            found.image = img
            return found
        result = fit(img, budget, family, **fit_kwargs)
        self.store.put_fit(key, result, name=name)
        return result

    def has(self, image: ImageSource, budget: int | str | Arch, family: str | None = None, **fit_kwargs: Any) -> bool:
        """Whether :meth:`fit` with these arguments would load rather than train.

        Parameters
        ----------
        image, budget, family, **fit_kwargs
            As for :func:`pixparam.fit`.

        Returns
        -------
        bool
        """
        name = _family_of(budget, family)
        return self.store.has_fit(fit_key(load_image(image), budget, family, **fit_kwargs), name=name)
