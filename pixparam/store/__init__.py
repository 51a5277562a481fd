"""Storage: checkpoints (:func:`save`, :func:`load`), packed files (:func:`pack`, :func:`unpack`), :class:`Store`."""

from __future__ import annotations

from .checkpoint import FORMAT_VERSION, load, save
from .content import Store, digest, finite, fit_key, from_json, state_digest
from .packed import pack, unpack

__all__ = [
    "FORMAT_VERSION",
    "Store",
    "digest",
    "finite",
    "fit_key",
    "from_json",
    "load",
    "pack",
    "save",
    "state_digest",
    "unpack",
]
