"""Command line: ``pixparam fit | render | info | demo | compare | curve | edit | gallery | experiment``.

Each subcommand lives in a module of this package that adds its parser and
sets ``run``. Errors print one line (``pixparam: error: ...``) and exit with
status 1; usage errors exit with status 2, as argparse does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .._version import __version__
from ..errors import PixparamError
from . import _core, _edit, _experiment, _figures, _gallery

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="pixparam",
        description="Parameters are like pixels: fit coordinate networks with exact parameter budgets "
        "and compare them with pixel counterparts.",
    )
    p.add_argument("--version", action="version", version=f"pixparam {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    _core.add_parsers(sub)
    _figures.add_parsers(sub)
    _edit.add_parser(sub)
    _gallery.add_parser(sub)
    _experiment.add_parser(sub)
    return p


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
    args = _parser().parse_args(argv)
    try:
        args.run(args)
    except KeyboardInterrupt:
        print("pixparam: interrupted", file=sys.stderr)
        return 130
    except (PixparamError, ValueError, OSError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"pixparam: error: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
