"""The CLI reference page (docs: reference/cli.md) as Markdown, read from the argparse parsers themselves so
that it cannot drift from `--help`: every command of collector/cli/table.py, its description, usage and
arguments, and its sub-commands in turn. A pure function: collector/cli/docs_pages.py writes its text to
docs/reference/cli.md (committed, checked for currency), and tests/unit/cli/test_reference.py checks it."""

from __future__ import annotations

import argparse
import re

from collector.cli.parser import build_parser
from collector.cli.table import COMMANDS

WIDTH = 100  # the usage lines' width, fixed so that the page does not depend on the terminal it is built in

_CODE_SPAN = re.compile(r"(`[^`]*`)")
_BLOCK_START = re.compile(r"^(#|[-+*>] |\d+[.)] )")

INTRO = """# CLI reference

Every `codetape` command, as `codetape COMMAND --help` prints it. This page is generated from the command
line's parser (`collector/cli/reference.py`, written by `python -m collector.cli.docs_pages`; a test fails
when the committed page differs), so it says what `codetape` accepts.

```text
codetape [--version] COMMAND ...
```
"""


def cli_reference() -> str:
    """The whole page: an introduction, then one `##` section per command, in the table's order."""
    sections = [INTRO]
    for name in COMMANDS:
        sections.append(_section(_command_parser(name), [name], 2))
    return "\n".join(sections)


def _command_parser(name: str) -> argparse.ArgumentParser:
    """The sub-parser `codetape NAME` parses with (only its module is imported)."""
    return subparsers(build_parser(name))[name]


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The parser's sub-commands by name, aliases left out, in the order they were added."""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                found[choice.dest] = action.choices[choice.dest]
    return found


def _section(parser: argparse.ArgumentParser, path: list[str], level: int) -> str:
    """One command's heading (anchored by its words joined with `-`), description, usage and arguments,
    then its sub-commands one heading level down."""
    lines = [f"{'#' * min(level, 6)} codetape {' '.join(path)} {{ #{'-'.join(path)} }}", ""]
    if parser.description:
        lines += [_description(parser.description), ""]
    lines += ["```text", _usage(parser), "```", ""]
    arguments = _arguments(parser)
    if arguments:
        lines += [*arguments, ""]
    subcommands = subparsers(parser)
    if subcommands:
        lines += ["Sub-commands: " + ", ".join(f"[`{name}`](#{'-'.join([*path, name])})"
                                                for name in subcommands) + ".", ""]
    text = "\n".join(lines)
    for name, child in subcommands.items():
        text += "\n" + _section(child, [*path, name], level + 1)
    return text


def _formatter(parser: argparse.ArgumentParser) -> argparse.HelpFormatter:
    return argparse.HelpFormatter(prog=parser.prog, width=WIDTH)


def _usage(parser: argparse.ArgumentParser) -> str:
    formatter = _formatter(parser)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups, prefix="")
    return formatter.format_help().strip()


def _arguments(parser: argparse.ArgumentParser) -> list[str]:
    """One list item per argument and option (-h and sub-command lists left out): how it is written,
    then its help as --help expands it."""
    formatter = _formatter(parser)
    items = []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)) or \
                action.help == argparse.SUPPRESS:
            continue
        invocation = formatter._format_action_invocation(action)
        item = f"- `{invocation}`"
        if action.help:
            item += ": " + _prose(formatter._expand_help(action))
        items.append(item)
    return items


def _description(text: str) -> str:
    """A description as Markdown: its prose paragraphs joined into lines and escaped, its indented
    paragraphs (examples, tables) kept as they are in a text block."""
    out = []
    for paragraph in re.split(r"\n\s*\n", text.strip("\n")):
        lines = paragraph.splitlines()
        if all(line.startswith((" ", "\t")) for line in lines if line.strip()):
            width = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
            out.append("\n".join(["```text"] + [line[width:].rstrip() for line in lines] + ["```"]))
        else:
            out.append(_prose(" ".join(line.strip() for line in lines)))
    return "\n\n".join(out)


def _prose(text: str) -> str:
    """Text shown as written: Markdown's emphasis, link, HTML and block characters escaped outside the
    `code spans` the help already marks."""
    parts = _CODE_SPAN.split(text)
    for index in range(0, len(parts), 2):
        part = parts[index].replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;")
        parts[index] = re.sub(r"([*_\[\]])", r"\\\1", part)
    escaped = "".join(parts)
    return "\\" + escaped if _BLOCK_START.match(escaped) else escaped
