"""Storage: checkpoints (:func:`save`, :func:`load`) and the one content-addressed :class:`Store`."""

from __future__ import annotations

from .checkpoint import FORMAT_VERSION, load, save
from .content import Store, digest, finite, fit_key, from_json, state_digest

__all__ = ["FORMAT_VERSION", "Store", "digest", "finite", "fit_key", "from_json", "load", "save", "state_digest"]
