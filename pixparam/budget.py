"""Parameter counting and architecture planning at an exact budget.

A *budget* is a count of trainable values (weights, biases, grid tables).
:func:`plan` picks, per family, the architecture with the most parameters not
above the budget; :class:`Arch` records it with its exact count. Nothing here
needs torch: counts are arithmetic, and ``tests/test_budget.py`` checks them
against the built modules.

How each family meets a budget
------------------------------
MLP families (``siren``, ``fourier``, ``relu``) have ``depth`` hidden layers of
width ``W``; the last hidden layer may be narrowed to ``W'`` (``W/2 <= W' <= W``)
so the count lands within one row of weights of the budget. ``hashgrid`` fixes
its levels and tiny MLP from the budget and fills the rest with hash-table
entries (any table size, not only powers of two).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import BudgetError

__all__ = ["FAMILIES", "Arch", "format_count", "mlp_count", "parse_budget", "plan"]

#: Network families, in the order figures show them.
FAMILIES: tuple[str, ...] = ("siren", "fourier", "relu", "hashgrid")

#: Longest image side assumed when ``plan`` is not told the image's resolution.
DEFAULT_RESOLUTION = 256

_DEFAULT_DEPTH = {"siren": 4, "fourier": 4, "relu": 4}

#: Default Fourier-feature scale: sigma = 0.65 * sqrt(n_features) cycles per image side.
#: Random frequencies then cover the plane at a constant density whatever their number;
#: it gives Tancik et al.'s sigma = 10 at 256 features, and the best sigma measured for
#: 14-60 features (benchmarks/tune_defaults.py --sweep sigma).
FOURIER_SIGMA_PER_SQRT_FEATURE = 0.65


@dataclass(frozen=True)
class Arch:
    """A fully specified coordinate network and its exact parameter count.

    Attributes
    ----------
    family : str
        One of :data:`FAMILIES`.
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
        """Rebuild an :class:`Arch` from :meth:`to_dict` output."""
        known = {"family", "channels", "widths", "n_params", "budget", "n_fixed", "options"}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown Arch fields {sorted(unknown)}")
        return cls(**{**d, "widths": tuple(int(w) for w in d["widths"]), "options": dict(d.get("options", {}))})

    def describe(self) -> str:
        """One line for people, e.g. ``'siren · 4×32 · 3,267 params'``."""
        if len(set(self.widths)) == 1:
            mlp = f"{self.depth}×{self.width}"
        else:
            mlp = "[" + ",".join(map(str, self.widths)) + "]"
        extra = ""
        if self.family == "hashgrid":
            o = self.options
            extra = f" · {o['levels']} levels × {o['features_per_level']} · table {o['table_size']:,}"
        elif self.family == "fourier":
            extra = f" · {self.options['n_features']} features σ={self.options['sigma']:g}"
        fixed = f" (+{self.n_fixed:,} fixed)" if self.n_fixed else ""
        return f"{self.family} · {mlp}{extra} · {self.n_params:,} params{fixed}"


# --------------------------------------------------------------------------- counting


def mlp_count(d_in: int, widths: Sequence[int], d_out: int) -> int:
    """Weights and biases of an MLP ``d_in -> widths... -> d_out``."""
    dims = [d_in, *widths, d_out]
    return sum((a + 1) * b for a, b in itertools.pairwise(dims))


def count(family: str, channels: int, widths: Sequence[int], options: Mapping[str, Any]) -> int:
    """Exact trainable parameter count of a family's network."""
    if family in ("siren", "relu"):
        return mlp_count(2, widths, channels)
    if family == "fourier":
        return mlp_count(2 * options["n_features"], widths, channels)
    if family == "hashgrid":
        return _hash_table_entries(options["resolutions"], options["table_size"]) * options[
            "features_per_level"
        ] + mlp_count(options["levels"] * options["features_per_level"], widths, channels)
    raise BudgetError(f"unknown family {family!r}; choose one of {', '.join(FAMILIES)}")


def _hash_table_entries(resolutions: Sequence[int], table_size: int) -> int:
    # A level with (N+1)^2 grid vertices <= T is stored densely, one entry per vertex.
    return sum(min(table_size, (n + 1) ** 2) for n in resolutions)


# --------------------------------------------------------------------------- planning


def plan(
    budget: int | str,
    family: str = "siren",
    channels: int = 3,
    *,
    resolution: int | None = None,
    **options: Any,
) -> Arch:
    """Choose the architecture of ``family`` with the most parameters ``<= budget``.

    Parameters
    ----------
    budget : int or str
        Trainable parameters allowed (``4096``, ``"4k"``, ``"1.5M"``).
    family : {"siren", "fourier", "relu", "hashgrid"}
        Network family.
    channels : int
        Output channels of the image (1, 3 or 4).
    resolution : int, optional
        Longest side of the image to be fitted; sizes the hash grid's finest
        level. :func:`pixparam.fit` passes it; default 256.
    **options
        ``depth`` (hidden layers; MLP families), ``omega0`` (siren, 30),
        ``n_features`` and ``sigma`` (fourier; features default to the hidden
        width, σ in cycles per image side to 0.65·√n_features, which is
        Tancik et al.'s σ = 10 at 256 features),
        ``levels``, ``features_per_level``, ``width``, ``base_resolution``
        (hashgrid).

    Returns
    -------
    Arch
        ``n_params <= budget``, and ``>= 0.97 * budget`` whenever the family
        can reach it.

    Raises
    ------
    BudgetError
        The budget is below the family's minimum (the message says it), or an
        option is invalid.

    Examples
    --------
    >>> import pixparam as pp
    >>> arch = pp.plan(4096, "siren", channels=3)
    >>> arch.n_params <= 4096, arch.n_params >= 0.97 * 4096
    (True, True)
    """
    budget = parse_budget(budget)
    if channels not in (1, 3, 4):
        raise BudgetError(f"channels={channels!r}; images have 1, 3 or 4 channels")
    planner = _PLANNERS.get(family)
    if planner is None:
        raise BudgetError(f"unknown family {family!r}; choose one of {', '.join(FAMILIES)}")
    res = DEFAULT_RESOLUTION if resolution is None else int(resolution)
    if res < 2:
        raise BudgetError(f"resolution={resolution!r}; it is the image's longest side, at least 2")
    return planner(budget, channels, res, dict(options))


def _check_options(family: str, options: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = set(options) - allowed
    if unknown:
        raise BudgetError(
            f"{family} has no option {', '.join(sorted(unknown))}; its options are {', '.join(sorted(allowed))}"
        )


def _int_option(options: Mapping[str, Any], name: str, default: int, low: int) -> int:
    value = options.get(name, default)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise BudgetError(f"{name}={value!r}; it must be an integer >= {low}")
    return value


def _float_option(options: Mapping[str, Any], name: str, default: float) -> float:
    value = options.get(name, default)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise BudgetError(f"{name}={value!r}; it must be a positive number")
    return float(value)


def _fill_mlp(budget: int, depth: int, min_width: int, count_fn: Callable[[list[int]], int], family: str) -> list[int]:
    """Widths ``[W]*(depth-1) + [W']`` with the largest count <= budget.

    ``W'`` ranges over ``[ceil(W/2), W]``, so the reachable counts are spaced
    by one row of weights (``W + 1 + outputs``) rather than by a whole width.
    """

    def widths(w: int, w_last: int) -> list[int]:
        return [w] * (depth - 1) + [w_last]

    def largest(lo: int, hi: int, fn: Callable[[int], int]) -> int:
        # largest x in [lo, hi] with fn(x) <= budget, given fn(lo) <= budget and fn increasing
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if fn(mid) <= budget else (lo, mid - 1)
        return lo

    def narrowest(w: int) -> int:
        return 1 if depth == 1 else max(1, math.ceil(w / 2))

    smallest = count_fn(widths(min_width, narrowest(min_width)))
    if smallest > budget:
        raise BudgetError(
            f"budget {budget:,} is below the minimum of {smallest:,} params for {family} with depth "
            f"{depth}; raise the budget or lower depth"
        )
    if depth == 1:  # one hidden layer: its width is the only knob
        return [largest(narrowest(min_width), budget, lambda w: count_fn([w]))]
    best: tuple[int, int, list[int]] = (0, 0, [])
    w = min_width
    while count_fn(widths(w, narrowest(w))) <= budget:
        w_last = largest(narrowest(w), w, lambda x, w=w: count_fn(widths(w, x)))
        ws = widths(w, w_last)
        key = (count_fn(ws), w_last)
        if key > best[:2]:
            best = (*key, ws)
        w += 1
    return best[2]


def _plan_mlp(family: str, budget: int, channels: int, res: int, options: dict[str, Any]) -> Arch:
    allowed = {"depth"} | ({"omega0"} if family == "siren" else set())
    allowed |= {"n_features", "sigma"} if family == "fourier" else set()
    _check_options(family, options, allowed)
    depth = _int_option(options, "depth", _DEFAULT_DEPTH[family], 1)
    opts: dict[str, Any] = {}
    if family == "siren":
        opts["omega0"] = _float_option(options, "omega0", 30.0)
    fixed_m = sigma = None
    if family == "fourier":
        if options.get("sigma") is not None:
            sigma = _float_option(options, "sigma", 1.0)
        if options.get("n_features") is not None:
            fixed_m = _int_option(options, "n_features", 1, 1)

    def n_features(ws: list[int]) -> int:
        return fixed_m if fixed_m is not None else max(1, ws[0])

    def count_fn(ws: list[int]) -> int:
        o = {**opts, "n_features": n_features(ws)} if family == "fourier" else opts
        return count(family, channels, ws, o)

    widths = _fill_mlp(budget, depth, 2, count_fn, family)
    n_fixed = 0
    if family == "fourier":
        m = opts["n_features"] = n_features(widths)
        opts["sigma"] = sigma if sigma is not None else round(FOURIER_SIGMA_PER_SQRT_FEATURE * math.sqrt(m), 2)
        n_fixed = 2 * m
    return Arch(family, channels, tuple(widths), count_fn(widths), budget, n_fixed, opts)


def _hashgrid_levels(budget: int) -> int:
    # More levels as the budget grows: 1k -> 6, 4k -> 8, 16k -> 10, 64k -> 12, 256k+ -> 14..16.
    return max(4, min(16, 2 * round(math.log2(budget) / 2) - 4))


def _hashgrid_width(budget: int, n_inputs: int, channels: int) -> int:
    # The tiny MLP (two hidden layers, 64 wide in instant-ngp) takes at most a quarter of the budget.
    for w in (64, 32, 16):
        if mlp_count(n_inputs, [w, w], channels) <= budget / 4:
            return w
    return 8


def _hashgrid_base(budget: int) -> int:
    # Coarsest level: 4 cells at 1k params, 8 at 4k, 16 (instant-ngp's) from 16k, so the
    # coarse levels of small tables are stored densely rather than hashed.
    return max(4, min(16, 2 ** round(math.log2(math.sqrt(budget) / 8))))


def _level_resolutions(levels: int, base: int, finest: int) -> list[int]:
    base = min(base, finest)
    if levels == 1:
        return [finest]
    growth = math.exp((math.log(finest) - math.log(base)) / (levels - 1))
    return [min(finest, math.floor(base * growth**level + 1e-6)) for level in range(levels)]


def _plan_hashgrid(family: str, budget: int, channels: int, res: int, options: dict[str, Any]) -> Arch:
    _check_options(family, options, {"levels", "features_per_level", "width", "base_resolution", "max_resolution"})
    levels = _int_option(options, "levels", _hashgrid_levels(budget), 1)
    width = _int_option(options, "width", _hashgrid_width(budget, 2 * levels, channels), 1)
    base = _int_option(options, "base_resolution", _hashgrid_base(budget), 1)
    finest = _int_option(options, "max_resolution", res, 1)
    resolutions = _level_resolutions(levels, base, finest)
    dense = max((n + 1) ** 2 for n in resolutions)
    fixed_f = options.get("features_per_level")
    candidates = [_int_option(options, "features_per_level", 2, 1)] if fixed_f is not None else [2, 4, 8, 16, 32]

    def arch_for(f: int) -> Arch | None:
        def n(table: int) -> int:
            opts = {"levels": levels, "features_per_level": f, "table_size": table, "resolutions": resolutions}
            return count(family, channels, [width, width], opts)

        if n(1) > budget:
            return None
        a, b = 1, dense  # entries per level stop growing once every level is dense
        while a < b:
            mid = (a + b + 1) // 2
            if n(mid) <= budget:
                a = mid
            else:
                b = mid - 1
        opts = {
            "levels": levels,
            "features_per_level": f,
            "table_size": a,
            "resolutions": resolutions,
            "base_resolution": min(base, finest),
            "max_resolution": finest,
        }
        return Arch(family, channels, (width, width), n(a), budget, 0, opts)

    found = [a for a in map(arch_for, candidates) if a is not None]
    if not found:
        need = count(
            family,
            channels,
            [width, width],
            {"levels": levels, "features_per_level": candidates[0], "table_size": 1, "resolutions": resolutions},
        )
        raise BudgetError(
            f"budget {budget:,} is below the minimum of {need:,} params for hashgrid with {levels} levels "
            f"and MLP width {width}; raise the budget or pass smaller levels=/width="
        )
    # The fewest features per level that fill the budget; more only when the grid saturates.
    for arch in found:
        if arch.n_params >= 0.97 * budget:
            return arch
    most = max(found, key=lambda a: a.n_params)
    if most.options["table_size"] < dense:
        return most  # tiny budgets: the count steps are coarser than 3 %
    raise BudgetError(
        f"budget {budget:,} is more than a hash grid for a {finest}-px image can hold: with every "
        f"level dense and {most.options['features_per_level']} features per level it has "
        f"{most.n_params:,} params; pass a larger resolution= (or max_resolution=, features_per_level=) "
        f"or a smaller budget"
    )


_PLANNERS: dict[str, Callable[[int, int, int, dict[str, Any]], Arch]] = {
    "siren": lambda b, c, r, o: _plan_mlp("siren", b, c, r, o),
    "fourier": lambda b, c, r, o: _plan_mlp("fourier", b, c, r, o),
    "relu": lambda b, c, r, o: _plan_mlp("relu", b, c, r, o),
    "hashgrid": lambda b, c, r, o: _plan_hashgrid("hashgrid", b, c, r, o),
}


# --------------------------------------------------------------------------- budget strings

_BUDGET_RE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([kKmMgG]i?)?\s*$")
_SUFFIX = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "ki": 2**10, "mi": 2**20, "gi": 2**30}


def parse_budget(budget: int | str) -> int:
    """Parse a budget: ``4096``, ``"4096"``, ``"4k"`` (4,000), ``"1.5M"``, ``"4Ki"`` (4,096).

    ``k``/``M``/``G`` are decimal (10^3, 10^6, 10^9); ``Ki``/``Mi``/``Gi`` binary.

    Raises
    ------
    BudgetError
        Not a positive whole number of parameters.
    """
    if isinstance(budget, bool):
        raise BudgetError(f"budget={budget!r} is not a number of parameters")
    if isinstance(budget, int) or (hasattr(budget, "__index__") and not isinstance(budget, str)):
        value = int(budget)
    elif isinstance(budget, float) and budget.is_integer():
        value = int(budget)
    elif isinstance(budget, str):
        m = _BUDGET_RE.match(budget.replace("_", "").replace(",", ""))
        if not m:
            raise BudgetError(f"budget {budget!r} is not a number of parameters; write e.g. 4096, 4k, 1.5M or 4Ki")
        scaled = float(m.group(1)) * _SUFFIX[(m.group(2) or "").lower()]
        if abs(scaled - round(scaled)) > 1e-6 * max(1.0, scaled):
            raise BudgetError(f"budget {budget!r} is {scaled:g} parameters, not a whole number")
        value = round(scaled)
    else:
        raise BudgetError(f"budget={budget!r} is not a number of parameters; write e.g. 4096 or '4k'")
    if value < 1:
        raise BudgetError(f"budget {budget!r} must be at least 1 parameter")
    return value


def format_count(n: float) -> str:
    """A count for people: ``950``, ``4.1k``, ``65k``, ``1.5M``."""
    n = float(n)
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(n) >= scale:
            v = n / scale
            return f"{v:.1f}{unit}" if v < 10 else f"{v:.0f}{unit}"
    return f"{n:.0f}"
