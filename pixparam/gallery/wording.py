"""Small English helpers the gallery's captions share: counted nouns, lists joined with "and", close margins."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from ..metrics import format_db

__all__ = ["close_margin", "join_and", "lead", "plural"]


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


def lead(scores: Mapping[str, float], winner: str) -> float | None:
    """How far ``winner`` is ahead of the runner-up, in dB; ``None`` without a finite runner-up.

    Parameters
    ----------
    scores : mapping of str to float
        PSNR in dB of each contender.
    winner : str
        The key with the highest PSNR.

    Returns
    -------
    float or None

    Examples
    --------
    >>> round(lead({"network": 24.734, "jpeg": 24.716, "pixels": 21.8}, "network"), 3)
    0.018
    >>> lead({"network": 30.0}, "network") is None
    True
    """
    rest = [v for k, v in scores.items() if k != winner]
    if not rest or not math.isfinite(max(rest)) or not math.isfinite(scores[winner]):
        return None
    return scores[winner] - max(rest)


def close_margin(best: float, ahead: float | None) -> str:
    """``' by 0.02 dB'`` when the winner and the runner-up print as the same PSNR, else ``''``.

    A caption that reads "24.7 dB against 24.7 dB: the network wins" hides
    how small the win is; the margin, printed finer, says it.

    Parameters
    ----------
    best : float
        The winner's PSNR in dB.
    ahead : float or None
        Its :func:`lead` over the runner-up (``None``: no runner-up).

    Returns
    -------
    str

    Examples
    --------
    >>> close_margin(24.734, 24.734 - 24.716)
    ' by 0.02 dB'
    >>> close_margin(29.5, 0.7), close_margin(30.0, None)
    ('', '')
    """
    if ahead is None or format_db(best) != format_db(best - ahead):
        return ""
    return f" by {ahead:.2f} dB"
