"""Shared pieces of the coordinate networks: the field base class and the MLP."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import torch
from torch import nn

from ..arch import Arch
from .registry import spec_for

#: What :meth:`Field.prepare` returns: one tensor, or a tuple of tensors, with one row per point.
Prepared = torch.Tensor | tuple[torch.Tensor, ...]


class Field(nn.Module):
    """A coordinate network: ``(N, 2)`` coordinates ``(x, y)`` in ``[-1, 1]`` -> ``(N, C)`` colours.

    The forward pass is split in two. :meth:`prepare` is the part that has
    no trainable parameters (an encoding's lookup indices or fixed
    features; by default the coordinates themselves), so training on a fixed
    pixel grid computes it once instead of every step. Subclasses implement
    :meth:`raw_prepared`, whose output is ``2 * colour - 1`` (as in SIREN, a
    zero output is mid-grey); :meth:`forward` maps it to colour space.
    Colours are not clipped here: rendering clips, the loss does not.

    Parameters
    ----------
    arch : Arch
        The architecture the subclass builds (kept as ``self.arch``).
    """

    def __init__(self, arch: Arch) -> None:
        super().__init__()
        self.arch = arch

    def prepare(self, coords: torch.Tensor) -> Prepared:
        """The parameter-free part of the forward pass, one row per point (no gradient flows through it).

        Parameters
        ----------
        coords : (N, 2) torch.Tensor
            ``(x, y)`` in ``[-1, 1]``.

        Returns
        -------
        Prepared
            One tensor or a tuple of tensors with ``N`` rows; by default ``coords``.
        """
        return coords

    def raw_prepared(self, prepared: Prepared) -> torch.Tensor:  # pragma: no cover - abstract
        """The network's output in ``[-1, 1]`` units from :meth:`prepare`'s output (each family implements it).

        Parameters
        ----------
        prepared : Prepared
            What :meth:`prepare` returned for ``N`` points.

        Returns
        -------
        (N, C) torch.Tensor
            ``2 * colour - 1``, unclipped.
        """
        raise NotImplementedError

    def mlp_input(self, prepared: Prepared) -> torch.Tensor:
        """What the field's MLP (``FamilySpec.mlp``) takes for :meth:`prepare`'s output; by default that output.

        Parameters
        ----------
        prepared : Prepared
            What :meth:`prepare` returned for ``N`` points.

        Returns
        -------
        (N, d_in) torch.Tensor
        """
        return prepared  # type: ignore[return-value]

    def raw(self, coords: torch.Tensor) -> torch.Tensor:
        """Output in ``[-1, 1]`` units (``2 * colour - 1``), unclipped.

        Parameters
        ----------
        coords : (N, 2) torch.Tensor
            ``(x, y)`` in ``[-1, 1]``.

        Returns
        -------
        (N, C) torch.Tensor
        """
        return self.raw_prepared(self.prepare(coords))

    def forward_prepared(self, prepared: Prepared) -> torch.Tensor:
        """Colours from :meth:`prepare`'s output; ``forward(x) == forward_prepared(prepare(x))`` exactly.

        Parameters
        ----------
        prepared : Prepared
            What :meth:`prepare` returned for ``N`` points.

        Returns
        -------
        (N, C) torch.Tensor
            Colours, ``0.5 + 0.5 * raw``, unclipped.
        """
        return 0.5 + 0.5 * self.raw_prepared(prepared)

    def forward(self, coords: torch.Tensor) -> torch.Tensor:
        """Colours at the coordinates (call the module: ``field(coords)``).

        Parameters
        ----------
        coords : (N, 2) torch.Tensor
            ``(x, y)`` in ``[-1, 1]``, x along the width, y along the height.

        Returns
        -------
        (N, C) torch.Tensor
            Colours, about ``[0, 1]``, unclipped.
        """
        return self.forward_prepared(self.prepare(coords))

    def extra_repr(self) -> str:
        """The architecture, in the module's repr."""
        return self.arch.describe()


class MLP(nn.Module):
    """Linear layers from ``d_in`` through ``widths`` to ``d_out``, with ``activation`` between them.

    The layers are created uninitialised; each family initialises them from
    its generator.

    Parameters
    ----------
    d_in : int
        Inputs of the first layer.
    widths : sequence of int
        Hidden layer widths, input side first.
    d_out : int
        Outputs of the last (linear) layer.
    activation : callable
        Applied after every layer but the last, e.g. ``torch.sin`` of a scaled input.
    """

    def __init__(
        self, d_in: int, widths: Sequence[int], d_out: int, activation: Callable[[torch.Tensor], torch.Tensor]
    ) -> None:
        super().__init__()
        dims = [d_in, *widths, d_out]
        # skip_init: no default initialisation, so building never draws from the global RNG
        self.layers = nn.ModuleList(nn.utils.skip_init(nn.Linear, a, b) for a, b in itertools.pairwise(dims))
        self.activation = activation

    def forward(self, x: torch.Tensor, first_extra: torch.Tensor | None = None) -> torch.Tensor:
        """``(N, d_in) -> (N, d_out)``; ``first_extra`` is added to the first pre-activation.

        Parameters
        ----------
        x : (N, d_in) torch.Tensor
            The inputs.
        first_extra : (N, widths[0]) torch.Tensor, optional
            Added before the first activation (a K-image field's embedding).

        Returns
        -------
        (N, d_out) torch.Tensor
        """
        *hidden, last = self.layers
        for i, layer in enumerate(hidden):
            z = layer(x)
            x = self.activation(z if i or first_extra is None else z + first_extra)
        return last(x)


def uniform_(t: torch.Tensor, bound: float, generator: torch.Generator) -> None:
    """Fill ``t`` with U(-bound, bound) drawn from ``generator``."""
    with torch.no_grad():
        t.uniform_(-bound, bound, generator=generator)


def init_relu_mlp(mlp: MLP, generator: torch.Generator) -> None:
    """He-uniform weights for ReLU layers, LeCun-uniform for the linear output; biases U(±1/√fan_in)."""
    for i, layer in enumerate(mlp.layers):
        fan_in = layer.in_features
        gain = 6.0 if i < len(mlp.layers) - 1 else 3.0
        uniform_(layer.weight, (gain / fan_in) ** 0.5, generator)
        uniform_(layer.bias, fan_in**-0.5, generator)


def relu_first_layer_bound(fan_in: int) -> float:
    """He-uniform bound ``sqrt(6 / fan_in)`` of a ReLU MLP's first layer."""
    return math.sqrt(6.0 / fan_in)


def relu(x: torch.Tensor) -> torch.Tensor:
    return torch.relu(x)


def build(arch: Arch, seed: int = 0, device: str | torch.device | None = None) -> Field:
    """Build the network an :class:`Arch` describes, initialised from ``seed``.

    Parameters
    ----------
    arch : Arch
        From :func:`pixparam.plan`.
    seed : int
        Seeds a private CPU generator for every initial value (and Fourier
        frequencies), so building never touches torch's global RNG and gives
        the same module on every device.
    device : str or torch.device, optional
        Where to put the module (default CPU).

    Returns
    -------
    Field
        ``module(coords)`` maps ``(N, 2)`` coordinates to ``(N, C)`` colours;
        its trainable parameter count equals ``arch.n_params``.
    """
    spec = spec_for(arch.family)
    generator = torch.Generator().manual_seed(int(seed))
    module = spec.module(arch, generator)
    if device is not None:
        module = module.to(device)
    return module


def hidden_layers(model: nn.Module) -> list[nn.Linear]:
    """The linear layers of a field's MLP, input side first (``[]`` for a family without one).

    The registry's ``FamilySpec.mlp`` names the attribute; the hidden units
    are the outputs of every layer but the last.

    Parameters
    ----------
    model : torch.nn.Module
        A field, or a module with the ``arch`` of one.

    Returns
    -------
    list of torch.nn.Linear
    """
    arch = getattr(model, "arch", None)
    name = spec_for(arch.family).mlp if isinstance(arch, Arch) else None
    mlp = getattr(model, name, None) if name else None
    return [] if mlp is None else list(mlp.layers)


def bytes_per_point(model: nn.Module | Arch) -> int:
    """Rough activation bytes one coordinate needs in a forward pass (``FamilySpec.bytes_per_point``).

    ``model`` is an Arch, a Field, or any module with the ``arch`` of the field
    it runs (a wrapper that constrains one); render chunks and mini-batches are
    sized by it.

    Parameters
    ----------
    model : Arch or torch.nn.Module
        The architecture, or a module with an ``arch``.

    Returns
    -------
    int
    """
    arch = model if isinstance(model, Arch) else model.arch  # type: ignore[union-attr]
    return int(spec_for(arch.family).bytes_per_point(arch))
