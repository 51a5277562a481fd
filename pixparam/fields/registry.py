"""The family registry: everything pixparam knows about a family, in one :class:`FamilySpec` each.

Planning (:func:`pixparam.plan`), building, training defaults, memory
estimates, the edits and the exporters ask the registry; nothing else
branches on a family's name. A new family is one module that defines a
:class:`~pixparam.fields.Field` and a :class:`FamilySpec`, plus one line::

    pp.fields.register(SPEC)

:data:`FAMILIES` is a live, read-only view of the registered names, in
registration order (the order figures show them).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..arch import Arch
from ..errors import BudgetError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import torch

    from .base import Field

__all__ = ["FAMILIES", "FamilyDefaults", "FamilySpec", "register", "spec_for", "unregister"]


@dataclass(frozen=True)
class FamilyDefaults:
    """Per-family optimiser settings, chosen by ``benchmarks/tune_defaults.py``.

    ``lr`` is the peak learning rate; with ``lr_width`` set it is the rate at
    that hidden width and scales as ``lr * sqrt(lr_width / width)``: Adam's
    steps have a fixed size, and SIREN's hidden weights shrink as
    ``1/sqrt(width)``, so a fixed rate grows relatively larger with width.

    Attributes
    ----------
    lr : float
        Peak learning rate (at ``lr_width``, when set).
    lr_width : int or None
        The hidden width ``lr`` was tuned at; ``None``: no width scaling.
    final_lr : float
        The cosine decay ends at this fraction of the peak.
    warmup : float
        Fraction of the steps spent in linear warm-up.
    betas : (float, float)
        Adam's betas.
    eps : float
        Adam's epsilon.
    cuda_precision : {"fp32", "tf32", "bf16"}
        What ``precision="auto"`` means on CUDA.
    """

    lr: float
    lr_width: int | None = None
    final_lr: float = 0.05  # cosine decay ends at this fraction of lr
    warmup: float = 0.02  # fraction of steps of linear warm-up
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    cuda_precision: str = "tf32"  # what precision="auto" means on CUDA

    def lr_for(self, arch: Arch) -> float:
        """The default peak learning rate for ``arch``.

        Parameters
        ----------
        arch : Arch
            The architecture to be trained (its first hidden width scales the rate).

        Returns
        -------
        float
        """
        return self.lr if self.lr_width is None else self.lr * math.sqrt(self.lr_width / arch.width)


def _no_extra(arch: Arch) -> str:
    return ""


@dataclass(frozen=True)
class FamilySpec:
    """What pixparam knows about one family.

    Attributes
    ----------
    name : str
        The family's name (``arch.family``).
    module : callable
        ``module(arch, generator) -> Field``: the network, every initial value
        drawn from ``generator`` (a CPU ``torch.Generator``).
    plan : callable
        ``plan(budget, channels, resolution, options) -> Arch`` with
        ``n_params <= budget``; raises :class:`~pixparam.BudgetError` for
        unknown options or a budget below the family's minimum.
    count : callable
        ``count(channels, widths, options) -> int``: the exact trainable count.
    defaults : FamilyDefaults
        Optimiser defaults.
    bytes_per_point : callable
        ``bytes_per_point(arch) -> int``: rough activation bytes one coordinate
        needs in a forward pass (sizes mini-batches and render chunks).
    mlp : str or None
        Attribute of the module holding its :class:`~pixparam.fields.MLP`,
        whose hidden layers are the units that align, neuron pruning and
        layer splicing act on; ``None`` for a family with no hidden units.
    tables : tuple of str
        Parameter names that are lookup tables (quantised per tensor, spliced
        by region), e.g. ``("table",)`` for the hash grid.
    odd_activation : bool
        ``act(-z) == -act(z)`` (sine): align may flip a unit's sign too.
    first_layer_bound : callable or None
        ``bound(fan_in)`` of the U(±bound) initialisation of the first hidden
        layer's weights, for inputs added to that layer (a multi-image
        field's embedding).
    describe : callable
        ``describe(arch) -> str``: the family's part of :meth:`Arch.describe`,
        starting with ``" · "`` (or empty).
    encoding, activation : str
        What an exporter evaluates: the input encoding (``"raw"``,
        ``"fourier"``, ``"hash"``, ...) and the MLP's activation
        (``"sine"``, ``"relu"``, ...).
    summary : str
        One line for people.
    init_from_image : callable or None
        ``init_from_image(module, image, generator)``: set initial values from
        the ``(H, W, C)`` float32 image being fitted, in place (a grid starts
        as the image's area average; Gaussians sit where the image has
        detail). :func:`pixparam.fit` calls it after building; a module
        built alone (:func:`pixparam.fields.build`) keeps its image-free
        initialisation.
    region_values : callable or None
        ``region_values(module, (h, w), (y0, x0, y1, x1)) -> {name: mask}``:
        for each parameter a boolean mask of its shape marking the values
        that pixel centres inside the region read (what
        ``edit.splice(region=)`` takes from the other fit). The region is
        checked before the call.
    units : callable or None
        For a family without hidden units whose parameters all have one row
        per *unit* along axis 0 (a Gaussian, say): ``units(module) -> (N,)``
        importance scores; ``edit.prune(method="neurons")`` keeps the
        highest-scoring units and makes a genuinely smaller network.
    unit_option : str or None
        The ``arch.options`` key holding the number of units (with ``units``).
    shape_option : str or None
        A planner option that takes the image's ``(H, W)``: :func:`pixparam.fit`
        passes the image's shape under this name (a grid takes the pixel
        counterpart's shape from it); ``None``: the planner needs only the
        longest side.
    """

    name: str
    module: Callable[[Arch, torch.Generator], Field]
    plan: Callable[[int, int, int, dict[str, Any]], Arch]
    count: Callable[[int, Sequence[int], Mapping[str, Any]], int]
    defaults: FamilyDefaults
    bytes_per_point: Callable[[Arch], int]
    mlp: str | None = "mlp"
    tables: tuple[str, ...] = ()
    odd_activation: bool = False
    first_layer_bound: Callable[[int], float] | None = None
    describe: Callable[[Arch], str] = field(default=_no_extra)
    encoding: str = "raw"
    activation: str = "relu"
    summary: str = ""
    init_from_image: Callable[[Field, np.ndarray, torch.Generator], None] | None = None
    region_values: Callable[[Field, tuple[int, int], tuple[int, int, int, int]], dict[str, torch.Tensor]] | None = None
    units: Callable[[Field], torch.Tensor] | None = None
    unit_option: str | None = None
    shape_option: str | None = None


_REGISTRY: dict[str, FamilySpec] = {}


def register(spec: FamilySpec, *, replace: bool = False) -> FamilySpec:
    """Add a family; it is then planned, built, trained, saved, loaded and edited like the built-in ones.

    Parameters
    ----------
    spec : FamilySpec
        The family's description.
    replace : bool
        Allow replacing a registered family of the same name.

    Returns
    -------
    FamilySpec
        ``spec``.

    Raises
    ------
    BudgetError
        The name is taken (and ``replace`` is False), or not an identifier.
    """
    if not isinstance(spec, FamilySpec):
        raise BudgetError(f"register() takes a FamilySpec, got {type(spec).__name__}")
    if not spec.name.isidentifier():
        raise BudgetError(f"family name {spec.name!r} must be an identifier (letters, digits, underscores)")
    if (spec.units is None) != (spec.unit_option is None):
        raise BudgetError(f"family {spec.name!r}: units and unit_option go together (set both or neither)")
    if spec.name in _REGISTRY and not replace:
        raise BudgetError(f"family {spec.name!r} is already registered; pass replace=True to replace it")
    _REGISTRY[spec.name] = spec
    return spec


def unregister(name: str) -> FamilySpec:
    """Remove a registered family (a test's toy family, say) and return its spec.

    Parameters
    ----------
    name : str
        A registered family.

    Returns
    -------
    FamilySpec
        The spec that was registered.

    Raises
    ------
    BudgetError
        No such family.
    """
    spec = spec_for(name)
    del _REGISTRY[name]
    return spec


def spec_for(family: str) -> FamilySpec:
    """The registered :class:`FamilySpec` of ``family``.

    Parameters
    ----------
    family : str
        A family name (:data:`FAMILIES`).

    Returns
    -------
    FamilySpec

    Raises
    ------
    BudgetError
        No such family; the message lists the registered ones.
    """
    spec = _REGISTRY.get(family) if isinstance(family, str) else None
    if spec is None:
        raise BudgetError(f"unknown family {family!r}; choose one of {', '.join(_REGISTRY)}")
    return spec


class _Families(Sequence[str]):
    """The registered family names, in registration order; a read-only view that follows :func:`register`."""

    def __getitem__(self, index: Any) -> Any:
        return tuple(_REGISTRY)[index]

    def __len__(self) -> int:
        return len(_REGISTRY)

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(_REGISTRY))

    def __contains__(self, name: object) -> bool:
        return name in _REGISTRY

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and not isinstance(other, str) and tuple(self) == tuple(other)

    def __hash__(self) -> int:  # one object for the process: hashed by identity, since its contents change
        return id(self)

    def __repr__(self) -> str:
        return repr(tuple(_REGISTRY))


#: Registered family names, in the order figures show them (a live view: ``tuple(FAMILIES)`` to freeze it).
FAMILIES: Sequence[str] = _Families()
