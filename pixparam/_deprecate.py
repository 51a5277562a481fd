"""Deprecation helpers: old call forms keep working, with a ``DeprecationWarning`` naming the new form.

:func:`keyword_only` lets options that became keyword-only still be passed
positionally; :func:`renamed` keeps an old function name as an alias of
the new one. Both warn at the caller's line (``stacklevel=2``) and change
no result.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["keyword_only", "renamed", "warn_deprecated"]

F = TypeVar("F", bound=Callable[..., Any])


def warn_deprecated(message: str, *, stacklevel: int = 2) -> None:
    """Issue a :class:`DeprecationWarning` at the caller of the function that calls this one."""
    warnings.warn(message, DeprecationWarning, stacklevel=stacklevel + 1)


def keyword_only(*names: str) -> Callable[[F], F]:
    """Accept the keyword-only options ``names``, in their old positional order, with a warning.

    Decorate a function whose options now follow ``*``; calls that still
    pass them positionally work as before and warn, naming the keyword form.

    Parameters
    ----------
    *names : str
        The options that used to follow the positional arguments, in their
        old order; each must be a keyword-only parameter of the function.

    Returns
    -------
    callable
        A decorator; the decorated function keeps its signature and docstring.

    Examples
    --------
    >>> import warnings
    >>> @keyword_only("seed")
    ... def noise(x, scale, *, seed=0):
    ...     return x + scale * seed
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     noise(1, 2, 3)
    7
    >>> str(caught[0].message)
    'noise(x, scale, seed) with seed passed positionally is deprecated; write noise(x, scale, seed=...)'
    """

    def decorate(func: F) -> F:
        sig = inspect.signature(func)
        params = list(sig.parameters.values())
        positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        keyword = {p.name for p in params if p.kind is p.KEYWORD_ONLY}
        missing = [n for n in names if n not in keyword]
        if missing:
            raise TypeError(f"keyword_only: {func.__qualname__} has no keyword-only parameters {missing}")
        shown = [n for n in positional if n != "self"]
        name = func.__qualname__
        n_pos = len(positional)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if len(args) > n_pos:
                extra = args[n_pos:]
                if len(extra) > len(names):
                    return func(*args, **kwargs)  # let Python say how many positional arguments it takes
                moved = names[: len(extra)]
                clash = [n for n in moved if n in kwargs]
                if clash:
                    raise TypeError(f"{name}() got multiple values for argument {clash[0]!r}")
                old = ", ".join([*shown, *moved])
                new = ", ".join([*shown, *(f"{n}=..." for n in moved)])
                what = ", ".join(moved)
                verb = "passed" if len(moved) == 1 else "all passed"
                warn_deprecated(f"{name}({old}) with {what} {verb} positionally is deprecated; write {name}({new})")
                kwargs.update(zip(moved, extra))
                args = args[:n_pos]
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def renamed(func: F, old: str) -> F:
    """An alias of ``func`` under its old name ``old`` that warns on every call.

    Parameters
    ----------
    func : callable
        The function under its new name.
    old : str
        The old name, as callers wrote it (``"edit_strip"``).

    Returns
    -------
    callable
        Calls ``func`` with the same arguments and returns its result.
    """

    @functools.wraps(func)
    def alias(*args: Any, **kwargs: Any) -> Any:
        warn_deprecated(f"{old} is deprecated; use {func.__name__} (same arguments, same result)")
        return func(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old
    alias.__doc__ = f"Deprecated alias of :func:`{func.__name__}`; call that instead."
    return alias  # type: ignore[return-value]
