"""The `codetape` command: one module per command under collector/cli/commands/, errors caught here only.

Every error is one line on stderr starting `codetape:`: CodetapeError with its exit code, a usage error
(argparse's) with 2, and an OSError nothing below expected (a full disk, a name too long) with 1.

Start-up is part of every command a developer runs: only the named command's module is imported, and the
top-level help (or a mistyped command) comes from the static table in table.py, importing none.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from collector import __version__
from collector.cli.table import COMMANDS
from collector.errors import CodetapeError


class Parser(argparse.ArgumentParser):
    """argparse, with its usage errors as one `codetape:` line (exit 2) instead of usage and an error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"codetape: {one_line(self.prog.removeprefix('codetape').strip() or 'usage')}: "
                     f"{one_line(message)} (see: {self.prog} --help)\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser for `command` (only its module is imported), or the list of every command from the
    static table when none is named (enough for --help, --version and a usage error)."""
    parser = Parser(prog="codetape", description="Consent-first recording of coding sessions.")
    parser.add_argument("--version", action="version", version=f"codetape {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    if command in COMMANDS:
        importlib.import_module(f"collector.cli.commands.{command}").register(sub)
    else:
        for name, summary in COMMANDS.items():
            sub.add_parser(name, help=summary)
    return parser


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
        return fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except OSError as exc:  # nothing below expected it: still one line a person can act on
        where = f": {exc.filename}" if exc.filename is not None else ""
        return fail(f"{exc.strerror or exc}{where}", 1)
    return int(code or 0)


def fail(message: str, code: int) -> int:
    """Say `message` as the one error line, prefixed once, and return the exit code."""
    print(f"codetape: {one_line(message.removeprefix('codetape: '))}", file=sys.stderr)
    return code


def one_line(message: str) -> str:
    """`message` as one printable line: control characters (newlines, escapes) are shown escaped."""
    if message.isprintable():
        return message
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in message)


if __name__ == "__main__":
    sys.exit(main())
