"""Command line: ``pixparam fit | render | demo | compare | curve | edit | pack | export | sweep | gallery | ...``.

Each subcommand lives in a module of this package that adds its parser and
sets ``run``. Options work before or after positionals. Errors print one line
(``pixparam: error: ...``) and exit with status 1; usage errors print the
subcommand's usage and exit with status 2, as argparse does. Warnings print
one line each (``pixparam: warning: ...``). Every output is checked before any
work starts, and no output may be (or resolve to) an input.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from typing import Any

from .._version import __version__
from ..errors import PixparamError
from . import _core, _edit, _experiment, _figures, _gallery, _pack, _sweep, _web

__all__ = ["main", "run"]


class _Subcommands:
    """``add_subparsers()``'s action, whose parsers remember themselves, so usage errors show the right usage."""

    def __init__(self, action: Any) -> None:
        self.action = action

    def add_parser(self, *args: Any, **kwargs: Any) -> argparse.ArgumentParser:
        parser = self.action.add_parser(*args, **kwargs)
        parser.set_defaults(parser=parser)
        return parser


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="pixparam",
        description="Parameters are like pixels: fit coordinate networks with exact parameter budgets "
        "and compare them with pixel counterparts.",
    )
    p.add_argument("--version", action="version", version=f"pixparam {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    subcommands = _Subcommands(sub)
    _core.add_parsers(subcommands)
    _figures.add_parsers(subcommands)
    _edit.add_parser(subcommands)
    _pack.add_parsers(subcommands)
    _web.add_parser(subcommands)
    _gallery.add_parser(subcommands)
    _experiment.add_parser(subcommands)
    _sweep.add_parser(subcommands)
    return p


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse a command line; a usage error prints the (sub)command's usage and raises ``SystemExit(2)``."""
    top = _parser()
    args, extra = top.parse_known_args(argv)
    if extra:
        getattr(args, "parser", top).error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def run(argv: Sequence[str] | None = None) -> None:
    """Parse and run a command line, letting its errors propagate (for scripts and tests; :func:`main` prints them).

    Raises
    ------
    PixparamError
        What the command refused, with its one-line message.
    SystemExit
        A usage error (status 2), after printing the usage.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after ``pixparam`` (default: ``sys.argv[1:]``).
    """
    args = parse(argv)
    args.run(args)


def _one_line(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    text = " ".join(str(message).split())
    print(f"pixparam: warning: {text}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after ``pixparam`` (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 1 after an error (printed as one line), 130 when
        interrupted. Usage errors exit with status 2, as argparse does.
    """
    args = parse(argv)
    with warnings.catch_warnings():
        warnings.showwarning = _one_line
        try:
            args.run(args)
        except KeyboardInterrupt:
            print("pixparam: interrupted", file=sys.stderr)
            return 130
        except (PixparamError, ValueError, OSError) as exc:
            message = " ".join(str(exc).split()) or type(exc).__name__
            print(f"pixparam: error: {message}", file=sys.stderr)
            return 1
        except MemoryError:
            print(
                "pixparam: error: out of memory; pass a smaller --size or --budget "
                "(or set PIXPARAM_MEMORY_LIMIT to what this machine can spare)",
                file=sys.stderr,
            )
            return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
