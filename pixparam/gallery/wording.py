"""Small English helpers the gallery's captions share: counted nouns and lists joined with "and"."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["join_and", "plural"]


def plural(n: int, noun: str) -> str:
    """``'1 rate'``, ``'34 rates'``: the count and the noun, with an ``s`` unless the count is one.

    Parameters
    ----------
    n : int
        The count.
    noun : str
        The singular noun.

    Returns
    -------
    str

    Examples
    --------
    >>> plural(1, "rate"), plural(34, "capped point")
    ('1 rate', '34 capped points')
    """
    return f"{n} {noun}" + ("" if n == 1 else "s")


def join_and(names: Sequence[str]) -> str:
    """``'a'``, ``'a and b'``, ``'a, b and c'``.

    Parameters
    ----------
    names : sequence of str
        At least one name.

    Returns
    -------
    str

    Examples
    --------
    >>> join_and(["siren"]), join_and(["grid", "siren", "wire"])
    ('siren', 'grid, siren and wire')
    """
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
