"""A folder of fitted networks keyed by everything that decides a fit, so nothing is trained twice.

The key hashes the image's bytes and shape, the planned architecture, the
training settings that change the result (steps, learning rate, seed,
precision, batch size, ...) and the pixparam version. A fit is saved with
:meth:`Fit.save` (atomically) as soon as it finishes, so an interrupted run
loses only the fit in progress and a rerun resumes.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from ._version import __version__
from .budget import Arch, plan
from .images import ImageSource, load_image
from .result import Fit

__all__ = ["FitCache", "fit_key"]

#: ``fit`` keywords that do not change what is learned, so they are left out of the key.
_NOT_IN_KEY = frozenset({"progress", "device", "callback", "compile"})
#: ``fit``'s training settings and their defaults; any other keyword is an architecture option for ``plan``.
_FIT_DEFAULTS: dict[str, Any] = {
    "steps": None,
    "lr": None,
    "seed": 0,
    "batch_size": None,
    "precision": "auto",
    "log_every": None,
    "init_from": None,
}


def fit_key(image: np.ndarray, budget: int | str | Arch, family: str | None = None, **fit_kwargs: Any) -> str:
    """A 20-hex-digit key for ``pp.fit(image, budget, family, **fit_kwargs)``.

    Parameters
    ----------
    image : (H, W, C) ndarray of float32
        The image as it will be fitted.
    budget, family, **fit_kwargs
        As for :func:`pixparam.fit`; architecture options go into the
        planned :class:`~pixparam.Arch`; ``fit``'s defaults are filled in,
        so passing a default (``lr=None``, ``seed=0``) keys the same as
        leaving it out. ``progress``, ``callback`` and ``compile`` (which
        changes only rounding) are ignored, and so is
        ``device``: a fit made on a GPU (TF32 matmuls there, and possibly
        mini-batches) is reused on the CPU and the other way round. An
        ``init_from`` fit is keyed by its weights.
    """
    from .train import DEFAULT_STEPS

    given = {k: v for k, v in fit_kwargs.items() if k not in _NOT_IN_KEY}
    arch_options = {k: given.pop(k) for k in list(given) if k not in _FIT_DEFAULTS}
    settings = {**_FIT_DEFAULTS, **given}
    if settings["steps"] is None:
        settings["steps"] = DEFAULT_STEPS
    init_from = settings.pop("init_from")
    if init_from is not None:  # the starting weights decide the result: key them by their bytes
        digest = hashlib.sha256()
        for name, t in sorted(init_from.model.state_dict().items()):
            digest.update(name.encode())
            digest.update(t.detach().cpu().contiguous().numpy().tobytes())
        settings["init_from"] = digest.hexdigest()
    # a default passed explicitly (lr=None, seed=0) keys the same as one left out
    settings = {k: v for k, v in settings.items() if v is not None}
    if isinstance(budget, Arch):
        arch = budget
    else:
        arch = plan(budget, family or "siren", image.shape[2], resolution=max(image.shape[:2]), **arch_options)
    spec = {
        "image": hashlib.sha256(np.ascontiguousarray(image).tobytes()).hexdigest(),
        "shape": list(image.shape),
        "arch": arch.to_dict(),
        "settings": {k: settings[k] for k in sorted(settings)},
        "pixparam": __version__,
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()[:20]


class FitCache:
    """Fits saved in a folder, reused when the same fit is asked for again.

    Parameters
    ----------
    root : str or path, optional
        The folder (created when needed). ``None`` caches nothing: every
        call trains.

    Attributes
    ----------
    hits, misses : int
        Fits loaded from the folder, and fits trained, by this object.

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
        self.root = None if root is None else Path(root)
        self.hits = 0
        self.misses = 0

    def path(self, image: np.ndarray, budget: int | str | Arch, family: str | None = None, **fit_kwargs: Any) -> Path:
        """Where the fit with these arguments is (or would be) saved."""
        if self.root is None:
            raise ValueError("this FitCache has no folder (root=None)")
        name = budget.family if isinstance(budget, Arch) else (family or "siren")
        return self.root / f"{name}-{fit_key(image, budget, family, **fit_kwargs)}.safetensors"

    def fit(self, image: ImageSource, budget: int | str | Arch, family: str | None = None, **fit_kwargs: Any) -> Fit:
        """``pp.fit(image, budget, family, **fit_kwargs)``, loaded from the folder when already there.

        A loaded fit gets the image back (``fit.image``), so its metrics and
        figures work as for a fresh one. A new fit is saved before it is
        returned.
        """
        from .store import load
        from .train import fit

        img = load_image(image)
        if self.root is None:
            self.misses += 1
            return fit(img, budget, family, **fit_kwargs)
        path = self.path(img, budget, family, **fit_kwargs)
        if path.exists():
            result = load(path, device=fit_kwargs.get("device", "auto"))
            result.image = img
            self.hits += 1
            return result
        result = fit(img, budget, family, **fit_kwargs)
        self.root.mkdir(parents=True, exist_ok=True)
        result.save(path)
        self.misses += 1
        return result

    def has(self, image: ImageSource, budget: int | str | Arch, family: str | None = None, **fit_kwargs: Any) -> bool:
        """Whether :meth:`fit` with these arguments would load rather than train."""
        return self.root is not None and self.path(load_image(image), budget, family, **fit_kwargs).exists()
