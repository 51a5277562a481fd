"""The architecture of a coordinate network: :class:`Arch`, its exact parameter count, and MLP counting.

Nothing here imports torch or knows a family: an :class:`Arch` is data that
the family registry (:mod:`pixparam.fields.registry`) plans and builds.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import BudgetError, ConfigError

__all__ = ["Arch", "mlp_count"]


@dataclass(frozen=True)
class Arch:
    """A fully specified coordinate network and its exact parameter count.

    Attributes
    ----------
    family : str
        A registered family (:data:`pixparam.FAMILIES`).
    channels : int
        Output channels (1, 3 or 4).
    widths : tuple of int
        Hidden layer widths of the MLP part, input side first.
    n_params : int
        Exact number of trainable parameters of the built module.
    budget : int or None
        The budget it was planned for.
    n_fixed : int
        Fixed (non-trainable, seed-derived) values, e.g. Fourier frequencies.
    options : dict
        Family-specific settings (``omega0``; ``n_features``, ``sigma``;
        ``levels``, ``features_per_level``, ``table_size``, ``resolutions``).
    """

    family: str
    channels: int
    widths: tuple[int, ...]
    n_params: int
    budget: int | None = None
    n_fixed: int = 0
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def width(self) -> int:
        """Width of the first hidden layer."""
        return self.widths[0]

    @property
    def depth(self) -> int:
        """Number of hidden layers."""
        return len(self.widths)

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; :meth:`from_dict` inverts it."""
        d = asdict(self)
        d["widths"] = list(self.widths)
        d["options"] = dict(self.options)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Arch:
        """Rebuild an :class:`Arch` from :meth:`to_dict` output.

        Parameters
        ----------
        d : mapping
            What :meth:`to_dict` returned (or the same read back from JSON).

        Returns
        -------
        Arch

        Raises
        ------
        ConfigError
            ``d`` holds a field an ``Arch`` does not have.
        """
        known = {"family", "channels", "widths", "n_params", "budget", "n_fixed", "options"}
        unknown = set(d) - known
        if unknown:
            raise ConfigError(f"unknown Arch fields {sorted(unknown)}")
        return cls(**{**d, "widths": tuple(int(w) for w in d["widths"]), "options": dict(d.get("options", {}))})

    def describe(self) -> str:
        """One line for people, e.g. ``'siren · 4×32 · 3,267 params'``."""
        from .fields.registry import spec_for

        if not self.widths:  # a family without an MLP (a grid of values, say)
            mlp = ""
        elif len(set(self.widths)) == 1:
            mlp = f" · {self.depth}×{self.width}"
        else:
            mlp = " · [" + ",".join(map(str, self.widths)) + "]"
        try:
            extra = spec_for(self.family).describe(self)
        except BudgetError:  # a family this session has not registered: describe what the Arch says
            extra = ""
        fixed = f" (+{self.n_fixed:,} fixed)" if self.n_fixed else ""
        return f"{self.family}{mlp}{extra} · {self.n_params:,} params{fixed}"


def mlp_count(d_in: int, widths: Sequence[int], d_out: int) -> int:
    """Weights and biases of an MLP from ``d_in`` inputs through ``widths`` to ``d_out`` outputs.

    Parameters
    ----------
    d_in : int
        Inputs of the first layer.
    widths : sequence of int
        Hidden layer widths, input side first.
    d_out : int
        Outputs of the last layer.

    Returns
    -------
    int
        ``sum((a + 1) * b)`` over consecutive layer sizes ``a -> b``.

    Examples
    --------
    >>> mlp_count(2, [16, 16], 3)
    371
    """
    dims = [d_in, *widths, d_out]
    return sum((a + 1) * b for a, b in itertools.pairwise(dims))
