"""The `codetape` command: one module per command under collector/commands/, errors caught here only."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from collector import __version__
from collector.cli import commands
from collector.errors import CodetapeError


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser for every command, or only for `command` (the others are not even imported)."""
    parser = argparse.ArgumentParser(
        prog="codetape", description="Consent-first recording of coding sessions."
    )
    parser.add_argument("--version", action="version", version=f"codetape {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS if command not in COMMANDS else [command]:
        importlib.import_module(f"collector.cli.commands.{name}").register(sub)
    return parser


COMMANDS = sorted(info.name for info in pkgutil.iter_modules(commands.__path__))


def _command_in(argv: Sequence[str]) -> str | None:
    """The command named in argv, when it is the first argument that is not an option."""
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    return first if first in COMMANDS else None


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(_command_in(argv)).parse_args(argv)
    try:
        code = args.func(args)
    except CodetapeError as exc:
        print(f"codetape: {one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("codetape: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    return int(code or 0)


def one_line(message: str) -> str:
    """`message` as one printable line: control characters (newlines, escapes) are shown escaped."""
    if message.isprintable():
        return message
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in message)


if __name__ == "__main__":
    sys.exit(main())
