"""One coordinate network for K images: a learned image embedding enters the first layer.

:class:`MultiField` wraps any family with an MLP. Its input is ``(N, 3)``:
``(x, y, k)`` with ``k`` the image index. Image ``k``'s embedding ``e_k``
(``embed_dim`` learned values) is concatenated to the first hidden layer's
input, i.e. that layer computes ``W [f(x, y); e_k] + b`` with ``f`` the
family's encoding (raw coordinates for siren/relu, Fourier features,
hash-grid features). The extra weights ``W_e`` (``embed_dim × width``) and
the ``K × embed_dim`` table are trainable and counted: :func:`plan_multi`
plans the family's network to what remains of the budget. With
``embed_dim=0`` (what one image uses) the index is ignored and the module is
exactly the family's network.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ..arch import Arch
from ..errors import BudgetError, ConfigError
from .base import Field, Prepared, build, uniform_
from .registry import spec_for

__all__ = ["MultiArch", "MultiField", "plan_multi", "takes_embedding", "with_index"]


@dataclass(frozen=True)
class MultiArch:
    """A K-image network: the family's :class:`Arch` plus the embedding.

    ``n_params = base.n_params + n_images * embed_dim + embed_dim * base.width``.

    Attributes
    ----------
    base : Arch
        The family's architecture for one image.
    n_images : int
        ``K``, the images the network holds.
    embed_dim : int
        Width of each image's learned embedding (0: no embedding).
    budget : int
        The budget it was planned for.
    """

    base: Arch
    n_images: int
    embed_dim: int
    budget: int

    @property
    def n_embedding(self) -> int:
        """Parameters the image index costs: the table and its first-layer weights."""
        return self.n_images * self.embed_dim + (self.embed_dim * self.base.width if self.embed_dim else 0)

    @property
    def n_params(self) -> int:
        """Exact trainable parameters."""
        return self.base.n_params + self.n_embedding

    def describe(self) -> str:
        """One line for people."""
        return f"{self.base.describe()} + {self.n_images}×{self.embed_dim} embedding ({self.n_embedding:,} params)"


def takes_embedding(family: str) -> bool:
    """Whether ``family`` can hold several images through a learned image embedding (:func:`plan_multi`, K > 1).

    A family takes one when its spec names a hidden MLP and the bound of its
    first layer (``FamilySpec.mlp`` and ``FamilySpec.first_layer_bound``).

    Parameters
    ----------
    family : str
        A registered family.

    Returns
    -------
    bool

    Examples
    --------
    >>> takes_embedding("siren"), takes_embedding("grid")
    (True, False)
    """
    spec = spec_for(family)
    return spec.mlp is not None and spec.first_layer_bound is not None


def plan_multi(
    budget: int | str, family: str, n_images: int, channels: int, *, embed_dim: int | None = None, resolution: int = 256
) -> MultiArch:
    """Plan a ``family`` network for ``n_images`` images with at most ``budget`` parameters in all.

    Parameters
    ----------
    budget : int or str
        Trainable parameters for everything, embedding included.
    family : str
        Network family (one with an MLP: ``FamilySpec.mlp``).
    n_images : int
        K, the number of images.
    channels : int
        Colour channels.
    embed_dim : int, optional
        Values per image embedding; default 0 for one image (the index carries
        nothing), else 4.
    resolution : int
        Longest image side (sizes the hash grid).

    Returns
    -------
    MultiArch
        ``n_params <= budget``.

    Raises
    ------
    BudgetError
        The embedding alone, or with the family's smallest network, exceeds the
        budget, or the family has no MLP to take the embedding.

    Examples
    --------
    >>> m = plan_multi(3000, "siren", n_images=4, channels=3)
    >>> m.n_params <= 3000, m.n_embedding == 4 * 4 + 4 * m.base.width
    (True, True)
    """
    from ..budget import parse_budget, plan

    budget = parse_budget(budget)
    if isinstance(n_images, bool) or not isinstance(n_images, int) or n_images < 1:
        raise ConfigError(f"n_images={n_images!r}; it must be a positive integer")
    d = (0 if n_images == 1 else 4) if embed_dim is None else embed_dim
    if isinstance(d, bool) or not isinstance(d, int) or d < 0:
        raise ConfigError(f"embed_dim={embed_dim!r}; it must be a non-negative integer")
    if d and not takes_embedding(family):
        raise BudgetError(f"{family} has no MLP to take an image embedding; use embed_dim=0 or a family with an MLP")
    rest = budget - n_images * d
    for _ in range(64):  # the first layer's width sets the embedding's cost; iterate to a fixed point
        if rest < 1:
            raise BudgetError(
                f"budget {budget:,} cannot hold a {n_images}×{d} image embedding and a {family} network; "
                f"raise the budget or lower embed_dim"
            )
        base = plan(rest, family, channels, resolution=resolution)
        over = base.n_params + (n_images * d + d * base.width if d else 0) - budget
        if over <= 0:
            return MultiArch(base, n_images, d, budget)
        rest -= over
    raise BudgetError(f"cannot fit {family} and a {n_images}×{d} embedding in {budget:,} params")  # pragma: no cover


class MultiField(Field):
    """A family's field plus a learned per-image embedding; input ``(N, 3)`` as ``(x, y, k)``.

    It is a :class:`Field` whose :meth:`prepare` is the family's (applied to
    ``(x, y)``) plus the image index, so training computes the encoding once;
    its forward pass is the family's MLP with the embedding's projection added
    to the first pre-activation. ``arch`` is the family's architecture (what
    memory estimates read); ``march`` the whole.

    Parameters
    ----------
    march : MultiArch
        From :func:`plan_multi`.
    seed : int
        Seeds the family's field (as a single-image build) and, offset, the embedding.

    Attributes
    ----------
    field : Field
        The family's network, built by :func:`pixparam.build` from the same
        seed a single-image fit uses (so its initial weights are identical).
    embedding : Parameter or None
        ``(K, embed_dim)`` table, U(-1, 1) like the coordinates.
    project : Linear or None
        ``embed_dim -> width`` weights (no bias; the first layer has one),
        initialised as the family initialises its first layer.
    """

    def __init__(self, march: MultiArch, seed: int = 0) -> None:
        super().__init__(march.base)
        self.march = march
        self.field: Field = build(march.base, seed=seed)
        self.embedding: nn.Parameter | None = None
        self.project: nn.Linear | None = None
        self._one_tensor = isinstance(self.field.prepare(torch.zeros(1, 2)), torch.Tensor)
        if march.embed_dim:
            spec = spec_for(march.base.family)
            gen = torch.Generator().manual_seed(int(seed) + 0x5EED)
            first = getattr(self.field, spec.mlp).layers[0]  # type: ignore[arg-type]
            bound = spec.first_layer_bound(first.in_features + march.embed_dim)  # type: ignore[misc]
            self.embedding = nn.Parameter(torch.empty(march.n_images, march.embed_dim))
            uniform_(self.embedding, 1.0, gen)
            self.project = nn.utils.skip_init(nn.Linear, march.embed_dim, first.out_features, bias=False)
            uniform_(self.project.weight, bound, gen)

    def prepare(self, coords: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """The family's prepared ``(x, y)``, then the image index column (zeros for ``(N, 2)`` input)."""
        inner = self.field.prepare(coords[:, :2].contiguous())
        parts = (inner,) if isinstance(inner, torch.Tensor) else tuple(inner)
        index = coords[:, 2] if coords.shape[1] > 2 else torch.zeros_like(coords[:, 0])
        return (*parts, index)

    def raw_prepared(self, prepared: Prepared) -> torch.Tensor:
        """The family's MLP, with the image's embedding projected into its first pre-activation."""
        *parts, k = prepared
        inner = parts[0] if self._one_tensor else tuple(parts)
        if self.embedding is None or self.project is None:
            return self.field.raw_prepared(inner)
        mlp = getattr(self.field, spec_for(self.arch.family).mlp)  # type: ignore[arg-type]
        extra = self.project(self.embedding[k.round().long()])
        return mlp(self.field.mlp_input(inner), first_extra=extra)


def with_index(coords: torch.Tensor, k: int) -> torch.Tensor:
    """``(N, 2)`` coordinates with a third column holding image index ``k``.

    Parameters
    ----------
    coords : (N, 2) torch.Tensor
        ``(x, y)`` in ``[-1, 1]``.
    k : int
        The image index, ``0 <= k < n_images``.

    Returns
    -------
    (N, 3) torch.Tensor
        What a :class:`MultiField` takes.
    """
    return torch.cat([coords, torch.full_like(coords[:, :1], float(k))], dim=1)
