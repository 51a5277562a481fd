"""At what scale the gallery is built: profiles.

A :class:`Profile` sets the images, budgets, families and training lengths;
``quick`` runs on a 2-core CPU in minutes (the tests' scale), ``standard``
is the middle scale (256 px, budgets to 64k) and ``full`` is meant for a GPU.
What the gallery shows, section by section, is in :mod:`pixparam.gallery.story`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import InitVar, asdict, dataclass, field, replace
from typing import Any

from .._deprecate import warn_deprecated
from ..budget import parse_budget
from ..capacity import resolve_families
from ..errors import ConfigError
from .training import check_training, split_training

__all__ = ["PROFILES", "Profile", "get_profile"]


@dataclass(frozen=True)
class Profile:
    """Scale of a gallery build.

    Attributes
    ----------
    name : str
        ``"quick"``, ``"standard"``, ``"full"`` or your own.
    images : tuple of str
        Sample names (or paths) for the budget ladders and the interactive page.
    size : int
        Longest side the images are resized to.
    budgets : tuple of int
        The ladder of parameter budgets (ascending).
    families : tuple of str
        Network families fitted at every budget. ``None`` (the default)
        means every registered family, read when the profile is made and
        again by :func:`get_profile` and :meth:`with_` (so families
        registered later are included); :attr:`every_family` records it.
    steps : int
        Training steps per fit.
    lens_budget : int
        The budget at which the families are compared in "the lens matters".
    film_steps : int
        Training steps of each family's film.
    film_frames : int
        Frames per film, log-spaced from step 0 (the untrained network) to
        ``film_steps`` (:func:`pixparam.figures.frame_steps`); every family
        is filmed at the same steps.
    film_every : int, optional
        Deprecated (the old linear spacing): read as ``film_frames =
        film_steps // film_every + 1``, with a warning.
    heal_steps : int
        Fine-tuning steps after each edit on the edit curves.
    seed : int
        Seed of every fit.
    experiments : dict
        Settings for the experiment sections (empty: those sections are
        skipped); a missing or ``None`` ``"families"`` means every registered
        family (see :meth:`settings`).
    training : dict
        Training settings (:class:`pixparam.training.TrainConfig` fields but
        ``steps``, ``seed`` and ``device``, which the profile and the build
        set) for every fit of the ladders, the lens and the edits, e.g.
        ``{"compile": True}``; a family's name as a key holds settings for
        that family alone, which may also set its ``steps``, e.g.
        ``{"batch_size": 16384, "siren": {"batch_size": None}}``
        (:meth:`training_for`). Empty: the defaults.
    every_family : bool
        Set when ``families`` was ``None``.

    Raises
    ------
    ConfigError
        No images or budgets, an unknown family, or a ``lens_budget`` that
        is not one of the budgets.
    """

    name: str
    images: tuple[str, ...]
    size: int
    budgets: tuple[int, ...]
    families: Sequence[str] | None = None
    steps: int = 1000
    lens_budget: int = 4000
    film_steps: int = 1000
    film_frames: int = 40
    film_every: InitVar[int | None] = None
    heal_steps: int = 200
    seed: int = 0
    experiments: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    every_family: bool = field(default=False, init=False, repr=False, compare=False)

    def __post_init__(self, film_every: int | None) -> None:
        if film_every is not None:  # an old profile: a frame every film_every steps
            warn_deprecated(
                "Profile(film_every=...) is deprecated; use film_frames= (how many frames, log-spaced from step 0)",
                stacklevel=3,
            )
            object.__setattr__(self, "film_frames", max(2, self.film_steps // max(1, int(film_every)) + 1))
        object.__setattr__(self, "budgets", tuple(sorted({parse_budget(b) for b in self.budgets})))
        object.__setattr__(self, "lens_budget", parse_budget(self.lens_budget))
        if not self.images:
            raise ConfigError("a gallery profile needs at least one image")
        if not self.budgets:
            raise ConfigError("a gallery profile needs at least one budget")
        object.__setattr__(self, "every_family", self.families is None)
        object.__setattr__(self, "families", resolve_families(self.families))
        frames = self.film_frames
        if isinstance(frames, bool) or not isinstance(frames, int) or frames < 2:
            raise ConfigError(f"film_frames={frames!r}; a film needs a whole number of at least 2 frames")
        check_training(self.training)
        if self.lens_budget not in self.budgets:
            raise ConfigError(f"lens_budget {self.lens_budget} is not one of the budgets {list(self.budgets)}")

    def training_for(self, family: str) -> dict[str, Any]:
        """The training settings of ``family``'s fits: ``steps``, then the common settings, then the family's own.

        Parameters
        ----------
        family : str
            A registered family.

        Returns
        -------
        dict
            Keyword arguments for :func:`pixparam.fit` (``steps`` always included).
        """
        common, own = split_training(self.training)
        return {"steps": self.steps, **common, **own.get(family, {})}

    def settings(self, section: str) -> dict[str, Any]:
        """A copy of ``experiments[section]`` with ``"families"`` resolved.

        ``None`` means every registered family; for ``"crowding"``, every
        one that can hold K images in one network
        (:func:`pixparam.fields.takes_embedding`).

        Parameters
        ----------
        section : str
            An experiment section: ``"crowding"``, ``"generalisation"`` or ``"scaling"``.

        Returns
        -------
        dict

        Raises
        ------
        KeyError
            The profile has no settings for ``section``.
        """
        s = dict(self.experiments[section])
        families = s.get("families")
        s["families"] = list(resolve_families(families))
        if section == "crowding" and families is None:  # K images in one network: the families with an MLP
            from ..fields.multi import takes_embedding

            s["families"] = [f for f in s["families"] if takes_embedding(f)]
        return s

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (stored in ``results.json``), with every family list resolved."""
        d = asdict(self)
        del d["every_family"]
        d["images"], d["budgets"], d["families"] = list(self.images), list(self.budgets), list(self.families)
        d["experiments"] = {name: self.settings(name) for name in self.experiments}
        return d

    def with_(self, **changes: Any) -> Profile:
        """A copy with some fields changed; a profile of every family stays one unless ``families`` is given.

        Parameters
        ----------
        **changes
            Fields and their new values, as for :func:`dataclasses.replace`.

        Returns
        -------
        Profile
        """
        if self.every_family and "families" not in changes:
            changes["families"] = None
        return replace(self, **changes)


#: The built-in profiles: ``"quick"`` (a 2-core CPU, minutes), ``"standard"`` (256 px, budgets to 64k: a GPU's
#: minutes or a CPU's hours) and ``"full"`` (a GPU).
PROFILES: dict[str, Profile] = {
    # A 2-core CPU builds this in minutes: 64-px images, budgets up to about 2/3 of the pixel values.
    "quick": Profile(
        name="quick",
        images=("astronaut", "camera", "coffee"),
        size=64,
        budgets=(1000, 2000, 4000, 8000),
        steps=1000,
        lens_budget=2000,
        film_steps=600,
        film_frames=24,
        heal_steps=150,
        experiments={
            "crowding": {
                # K different images, none a tuning image (astronaut, camera)
                "images": ["chelsea", "coffee", "rocket", "moon", "coins", "brick", "retina", "hubble_deep_field"],
                "size": 24,
                "budget": 2000,
                "families": ["siren", "hashgrid"],
                "ks": [1, 2, 4, 8],
                "steps": 500,
            },
            "generalisation": {
                "image": "camera",
                "size": 32,
                "budgets": [100, 300, 1000, 3000],
                "families": ["siren", "hashgrid"],
                "train_fraction": 0.5,
                "noise": 0.1,
                "steps": 1000,
                "seeds": 3,
            },
            "scaling": {
                "size": 48,
                "budgets": [300, 600, 1200, 2400, 4800, 9600],
                "families": ["siren", "hashgrid"],
                "steps": [100, 300, 1000],
            },
        },
    ),
    # The middle scale: 256-px images, budgets 1k to 64k, every family, and the edits, films and experiments
    # between quick's and full's. Its images are the held-out ones of benchmarks/core_table.py (coffee,
    # chelsea, rocket) and its generalisation image is the gray moon: none is a tuning image (astronaut, camera).
    "standard": Profile(
        name="standard",
        images=("coffee", "chelsea", "rocket"),
        size=256,
        budgets=(1000, 4000, 16000, 64000),
        steps=2000,
        lens_budget=16000,
        film_steps=1500,
        film_frames=40,
        heal_steps=500,
        # The levers that paid in benchmarks/time_to_quality.py (astronaut, a tuning image, 256 px, 16k:
        # within 0.3 dB of 2000 full-batch steps in at most 0.9 of the time). Hashgrid and SIREN keep the
        # defaults' steps and points: no cheaper setting paid for hashgrid; SIREN's (batches of 2^15) is 3/4 of
        # these images' pixels and measured slower than full batch (benchmarks/results/siren_batch_estimate_cpu.json,
        # by standard_estimate.py). torch.compile (the same fits to rounding) where it paid over the whole ladder
        # in standard_estimate.py --compile; it did not for the grid, the Gaussians, fourier and ReLU.
        training={
            "grid": {"steps": 1000, "batch_size": 2**14},
            "gaussians": {"steps": 1000, "batch_size": 2**14},
            "hashgrid": {"compile": True},
            "fourier": {"batch_size": 2**14},
            "siren": {"compile": True},
            "finer": {"batch_size": 2**14, "compile": True},
            "wire": {"batch_size": 2**14, "compile": True},
            "relu": {"batch_size": 2**14},
        },
        experiments={
            "crowding": {
                "images": ["chelsea", "coffee", "rocket", "moon", "coins", "brick", "retina", "hubble_deep_field"],
                "size": 48,
                "budget": 4000,
                "families": None,  # every registered family
                "ks": [1, 2, 4, 8],
                "steps": 2000,
            },
            "generalisation": {
                "image": "moon",
                "size": 48,
                "budgets": [200, 350, 600, 1000, 2000, 4000, 8000, 16000],
                "families": None,  # every registered family
                "train_fraction": 0.5,
                "noise": 0.1,
                "steps": 2000,
                "seeds": 5,
            },
            "scaling": {
                "size": 96,
                "budgets": [300, 1000, 3000, 10000, 30000, 60000, 120000],
                "families": None,  # every registered family
                "steps": [300, 1000, 2000],
            },
        },
    ),
    # Meant for a GPU: standard's held-out images at 512 px and budgets from 1k to 1M. Its training is
    # standard's levers at the same fraction of the pixels (2^16 points of 512^2, as 2^14 of 256^2), without
    # torch.compile: each rung is a new shape to compile, and that has not yet been measured to pay on a GPU
    # (the ladder step of benchmarks/gpu_suite.py times compiled ladders beside plain ones).
    "full": Profile(
        name="full",
        images=("coffee", "chelsea", "rocket"),
        size=512,
        budgets=(1000, 4000, 16000, 64000, 256000, 1000000),
        steps=2000,
        training={
            "grid": {"steps": 1000, "batch_size": 2**16},
            "gaussians": {"steps": 1000, "batch_size": 2**16},
            "fourier": {"batch_size": 2**16},
            "finer": {"batch_size": 2**16},
            "wire": {"batch_size": 2**16},
            "relu": {"batch_size": 2**16},
        },
        lens_budget=64000,
        film_steps=2000,
        film_frames=48,
        heal_steps=1000,
        experiments={
            "crowding": {
                # twelve different images (every K divides 12), none a tuning image
                "images": [
                    "chelsea",
                    "coffee",
                    "rocket",
                    "moon",
                    "coins",
                    "brick",
                    "retina",
                    "hubble_deep_field",
                    "grass",
                    "gravel",
                    "page",
                    "immunohistochemistry",
                ],
                "size": 64,
                "budget": 16000,
                "families": None,  # every registered family
                "ks": [1, 2, 3, 4, 6, 12],
                "steps": 2000,
            },
            "generalisation": {
                "image": "moon",
                "size": 64,
                "budgets": [200, 500, 1000, 2000, 4000, 8000, 16000, 32000, 64000],
                "families": None,  # every registered family
                "train_fraction": 0.5,
                "noise": 0.1,
                "steps": 2000,
                "seeds": 5,
            },
            "scaling": {
                "size": 128,
                "budgets": [300, 1000, 3000, 10000, 30000, 100000, 300000],
                "families": None,  # every registered family
                "steps": [300, 1000, 3000],
            },
        },
    ),
}


def get_profile(profile: str | Profile | None = None) -> Profile:
    """A profile by name; ``None`` is ``full`` on a CUDA machine, ``quick`` elsewhere.

    A profile of every family (``families=None``) is returned with the
    families registered now.

    Parameters
    ----------
    profile : str, Profile or None
        A name from :data:`PROFILES`, a profile of your own, or ``None``.

    Returns
    -------
    Profile

    Raises
    ------
    ConfigError
        An unknown profile name.
    """
    if not isinstance(profile, Profile):
        if profile is None:
            import torch

            profile = "full" if torch.cuda.is_available() else "quick"
        if profile not in PROFILES:
            raise ConfigError(f"unknown gallery profile {profile!r}; choose one of {', '.join(PROFILES)}")
        profile = PROFILES[profile]
    return profile.with_() if profile.every_family else profile
