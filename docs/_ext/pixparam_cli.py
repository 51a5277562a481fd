"""``.. pixparam-cli::``: the command-line reference, generated from the argparse parsers.

The directive builds the parser ``pixparam`` itself runs (``pixparam.cli._parser``)
and writes one section per subcommand (and per ``pixparam edit`` operator): the
help line, the description, the usage, and a table of the arguments with their
choices and defaults. Nothing is typed by hand, so the page cannot drift from
``pixparam COMMAND --help``.
"""

from __future__ import annotations

import argparse
import functools
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

_UNDERLINES = "=-~^\"'"


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, str, argparse.ArgumentParser]]:
    """``(name, help, parser)`` of each subcommand, in the order they were added."""
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                out.append((name, helps.get(name, ""), sub))
    return out


def _literal(text: str) -> str:
    return "``" + text.replace("`", "'") + "``" if text else ""


def _escape(text: str) -> str:
    """Plain help text as reStructuredText: no markup is intended in argparse help."""
    for char in ("\\", "*", "`", "|", "_"):
        text = text.replace(char, "\\" + char)
    return text


def _help(action: argparse.Action, parser: argparse.ArgumentParser) -> str:
    if not action.help or action.help == argparse.SUPPRESS:
        return ""
    formatter = parser._get_formatter()
    return formatter._expand_help(action)


def _default(action: argparse.Action) -> str:
    if action.required or action.option_strings == [] or isinstance(action, argparse._StoreConstAction):
        return ""
    if isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction, argparse._VersionAction)):
        return ""
    default = action.default
    if default is None or default == argparse.SUPPRESS or default == []:
        return ""
    if isinstance(default, (list, tuple)):
        default = ",".join(str(v) for v in default)
    return _literal(str(default))


def _names(action: argparse.Action) -> str:
    if not action.option_strings:
        return _literal(action.metavar or action.dest.upper())
    if action.nargs == 0:
        return ", ".join(_literal(s) for s in action.option_strings)
    metavar = action.metavar or (
        "{" + ",".join(map(str, action.choices)) + "}" if action.choices else action.dest.upper()
    )
    return ", ".join(_literal(f"{s} {metavar}") for s in action.option_strings)


def _arguments_table(parser: argparse.ArgumentParser) -> list[str]:
    rows = []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        text = _escape(_help(action, parser))
        if action.choices and (action.metavar is not None or not action.option_strings):  # choices not shown
            text = (text + "; " if text else "") + "one of " + ", ".join(_literal(str(c)) for c in action.choices)
        if action.required and action.option_strings:
            text = (text + " " if text else "") + "(required)"
        if isinstance(action, argparse._AppendAction) and "repeatable" not in text:
            text = (text + " " if text else "") + "(repeatable)"
        rows.append((_names(action), text or " ", _default(action) or " "))
    if not rows:
        return []
    lines = [".. list-table::", "   :header-rows: 1", "   :widths: 30 55 15", "   :class: pixparam-cli-args", ""]
    lines += ["   * - argument", "     - meaning", "     - default"]
    for names, text, default in rows:
        lines += [f"   * - {names}", f"     - {text}", f"     - {default}"]
    return [*lines, ""]


def _usage(parser: argparse.ArgumentParser) -> str:
    """The usage line, wrapped at 88 columns whatever the terminal."""
    parser.formatter_class = functools.partial(argparse.HelpFormatter, width=88)
    return parser.format_usage().strip().removeprefix("usage:").strip()


def _section(title: str, level: int, anchor: str) -> list[str]:
    return [f".. _{anchor}:", "", title, _UNDERLINES[level] * len(title), ""]


def _describe(parser: argparse.ArgumentParser, title: str, help_line: str, level: int, anchor: str) -> list[str]:
    lines = _section(title, level, anchor)
    if help_line:
        lines += [f"*{_escape(help_line)}*", ""]
    if parser.description and parser.description != help_line:
        lines += [_escape(parser.description), ""]
    usage = _usage(parser)
    lines += [".. code-block:: text", ""]
    lines += ["   " + line for line in usage.splitlines()]
    lines += [""]
    lines += _arguments_table(parser)
    for name, sub_help, sub in _subcommands(parser):
        lines += _describe(sub, f"{title} {name}", sub_help, level + 1, f"{anchor}-{name}")
    return lines


class PixparamCli(SphinxDirective):
    """Write the whole command-line reference (sections start one level below the page title)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from pixparam.cli import _parser

        parser = _parser()
        lines: list[str] = []
        for name, help_line, sub in _subcommands(parser):
            lines += _describe(sub, f"pixparam {name}", help_line, 1, f"cli-{name}")
        node = nodes.section()
        node.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source="pixparam.cli"), node)
        return node.children


class PixparamCliUsage(SphinxDirective):
    """The top-level ``pixparam --help`` usage and the list of subcommands, as a table."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from pixparam.cli import _parser

        parser = _parser()
        lines = [".. code-block:: text", ""]
        lines += ["   " + line for line in _usage(parser).splitlines()]
        lines += ["", ".. list-table::", "   :header-rows: 1", "   :widths: 25 75", "", "   * - command", "     - does"]
        for name, help_line, _sub in _subcommands(parser):
            lines += [f"   * - :ref:`pixparam {name} <cli-{name}>`", f"     - {_escape(help_line)}"]
        node = nodes.section()
        node.document = self.state.document
        self.state.nested_parse(StringList(lines, source="pixparam.cli"), 0, node)
        return node.children


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("pixparam-cli", PixparamCli)
    app.add_directive("pixparam-cli-usage", PixparamCliUsage)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
