"""Progress over long jobs: a tqdm bar on a terminal, a line every few seconds to stderr elsewhere.

tqdm hides its bar when stderr is not a terminal (a log file, CI, a pipe),
so a long ``gallery``, ``compare``, ``curve`` or experiment would print
nothing for minutes. :func:`progress_bar` keeps the bar on a terminal (and
tqdm's widget in a notebook) and otherwise prints one line (``pixparam: gallery 3/37 steps · 12 s · ...``) at
the start, at most every :data:`EVERY` seconds, and at the end.
``progress=False`` (the CLI's ``-q``) silences both.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Any, TextIO

from tqdm.auto import tqdm

__all__ = ["EVERY", "LineProgress", "progress_bar"]

#: Seconds between two progress lines when stderr is not a terminal.
EVERY = 5.0


class LineProgress:
    """The part of tqdm's interface pixparam uses (``update``, ``set_description``, ``set_postfix_str``, ``close``,
    ``with``), printed as lines.

    Parameters
    ----------
    total : int or None
        Units of work, when known.
    desc, unit : str
        What is counted (``"gallery"``, ``"step"``).
    every : float, optional
        Seconds between lines (the first and last are always printed);
        default :data:`EVERY`, read when the progress starts.
    file : text stream, optional
        Default ``sys.stderr``.
    """

    def __init__(
        self,
        total: int | None,
        desc: str,
        unit: str = "it",
        *,
        every: float | None = None,
        file: TextIO | None = None,
    ) -> None:
        self.total = total
        self.desc = desc
        self.unit = unit
        self.every = EVERY if every is None else every
        self.file = file
        self.n = 0
        self.postfix = ""
        self.start = time.monotonic()
        self.last = -float("inf")
        self.closed = False
        self._print()

    def _line(self) -> str:
        elapsed = time.monotonic() - self.start
        count = f"{self.n}/{self.total}" if self.total else f"{self.n}"
        parts = [f"pixparam: {self.desc} {count} {self.unit}s", f"{elapsed:.0f} s"]
        if self.total and 0 < self.n < self.total:
            parts.append(f"about {elapsed / self.n * (self.total - self.n):.0f} s left")
        if self.postfix:
            parts.append(self.postfix)
        return " · ".join(parts)

    def _print(self) -> None:
        print(self._line(), file=self.file or sys.stderr, flush=True)
        self.last = time.monotonic()

    def update(self, n: int = 1) -> None:
        """Count ``n`` more units; print a line when :attr:`every` seconds have passed since the last.

        Parameters
        ----------
        n : int
            Units of work just done.
        """
        self.n += n
        if time.monotonic() - self.last >= self.every:
            self._print()

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        """What the next line ends with (tqdm's postfix).

        Parameters
        ----------
        s : str
            Text shown after the count.
        refresh : bool
            Accepted for tqdm compatibility (lines print on their own schedule).
        """
        self.postfix = str(s)

    def set_description(self, desc: str | None = None, refresh: bool = True) -> None:
        """What the next line starts with (tqdm's description).

        Parameters
        ----------
        desc : str, optional
            The label.
        refresh : bool
            Accepted for tqdm compatibility.
        """
        self.desc = str(desc or "")

    def close(self) -> None:
        """Print the last line (once)."""
        if not self.closed:
            self.closed = True
            self._print()

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def progress_bar(
    total: int | None, desc: str, unit: str = "it", *, progress: bool = True, leave: bool = True, **kwargs: Any
) -> Any:
    """A tqdm bar on a terminal, a :class:`LineProgress` elsewhere, nothing with ``progress=False``.

    Parameters
    ----------
    total : int or None
        Units of work.
    desc, unit : str
        Label and unit.
    progress : bool
        ``False`` silences it (a disabled tqdm).
    leave : bool
        Keep the terminal bar when done.
    **kwargs
        Passed to tqdm (terminal only).

    Returns
    -------
    tqdm or LineProgress
        Either has ``update``, ``set_postfix_str`` and ``close`` and is a context manager.
    """
    if not progress:
        return tqdm(total=total, desc=desc, unit=unit, disable=True)
    if getattr(sys.stderr, "isatty", lambda: False)() or "ipykernel" in sys.modules:  # a terminal, a notebook
        return tqdm(total=total, desc=desc, unit=unit, leave=leave, **kwargs)
    return LineProgress(total, desc, unit)
