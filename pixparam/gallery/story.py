"""What the gallery shows: the story's sections, in order.

The sections (:data:`SECTIONS`) tell the story one point at a time; each is
built by a function in :mod:`pixparam.gallery.sections`, at the scale a
:class:`~pixparam.gallery.Profile` sets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["SECTIONS", "Section", "empty_cache_seconds"]


@dataclass(frozen=True)
class Section:
    """One point of the story: a title, and the function that makes its figures and caption.

    Attributes
    ----------
    name : str
        The section's key (its builder in ``gallery.sections.BUILDERS``).
    title : str
        The heading in the README and the page.
    experiment : bool
        Built only when the profile has settings for it in ``experiments``.
    ladder : bool
        Draws the budget ladder's fits (every family at every budget, or a
        rung of it); a build that includes such a section also redraws the
        interactive comparison and the live viewer, which draw them too.
    """

    name: str
    title: str
    experiment: bool = False  # built only when the profile has settings for it in ``experiments``
    ladder: bool = False  # draws the ladder's fits


#: The story, in order.
SECTIONS: tuple[Section, ...] = (
    Section("hero", "The same bytes, three ways", ladder=True),
    Section("pixels", "Parameters as pixels", ladder=True),
    Section("lens", "The lens matters", ladder=True),
    Section("zoom", "Zooming in: a network drawn finer than its image", ladder=True),
    Section("capacity", "Equal bytes: packed networks, codecs and pixels", ladder=True),
    Section("edits", "Editing networks like images"),
    Section("films", "Watching a network learn"),
    Section("crowding", "Crowding: many images, one budget", experiment=True),
    Section("generalisation", "Memorisation or generalisation?", experiment=True),
    Section("scaling", "Scaling laws and the exchange rate", experiment=True),
)


def empty_cache_seconds(entry: dict[str, Any]) -> float:
    """What a built section costs from an empty cache: its seconds in its run plus its reused fits' training.

    A section built on fits an earlier sitting trained (a cache kept between
    sittings) takes only its own seconds in its run; each reused fit keeps the
    seconds it took to train, and they are added back.

    Parameters
    ----------
    entry : dict
        A section of ``results.json``, with ``build`` (``seconds``, and
        ``reused_fit_seconds`` from builds that record it).

    Returns
    -------
    float

    Examples
    --------
    >>> empty_cache_seconds({"build": {"seconds": 60.0, "reused_fit_seconds": 540.0}})
    600.0
    >>> empty_cache_seconds({"build": {"seconds": 60.0}})  # recorded before reuse was counted
    60.0
    """
    b = entry["build"]
    return float(b["seconds"]) + float(b.get("reused_fit_seconds", 0.0))
