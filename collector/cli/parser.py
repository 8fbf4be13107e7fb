"""The `codetape` command line as argparse reads it: the parser for one named command (only its module is
imported), or the list of every command from the static table (collector/cli/table.py) when none is
named. Loaded by collector/cli/main.py once it knows argparse is needed, so that what starts before
parsing (proxy mode's language server) does not wait for argparse to load.

argparse keeps the last of an option given twice; here an option that stores one value refuses a second
(`Once`), so that nothing given is dropped without a word: an option meant to be given several times says
`action="append"` (`--trust`, `--junit`)."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence
from typing import Any, NoReturn

from collector import __version__
from collector.cli.table import COMMANDS, module_of
from collector.safe_urls import safe_text
from collector.text.oneline import one_line


class Once(argparse._StoreAction):
    """An option's one value: given a second time, a usage error rather than the first one dropped."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[Any] | None, option_string: str | None = None) -> None:
        given = getattr(parser, "given", None)
        if self.option_strings and isinstance(given, set):
            if self.dest in given:
                raise argparse.ArgumentError(self, "given twice: give it once")
            given.add(self.dest)
        super().__call__(parser, namespace, values, option_string)


class Parser(argparse.ArgumentParser):
    """argparse, with its usage errors as one `codetape:` line (exit 2) instead of usage and an error, and
    an option that stores one value refused when given twice (`Once`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("action", None, Once)
        self.register("action", "store", Once)
        self.given: set[str] = set()  # the one-value options given in the current parse

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None) -> tuple[argparse.Namespace, list[str]]:
        self.given = set()
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"codetape: {one_line(self.prog.removeprefix('codetape').strip() or 'usage')}: "
                     f"{one_line(safe_text(message))} (see: {self.prog} --help)\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser for `command` (only its module is imported), or the list of every command from the
    static table when none is named (enough for --help, --version and a usage error). `args.env`, the
    environment a command reads, is this process's unless the namespace parsed into holds another."""
    parser = Parser(prog="codetape", description="Consent-first recording of coding sessions.")
    parser.set_defaults(env=None)
    parser.add_argument("--version", action="version", version=f"codetape {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    if command in COMMANDS:
        importlib.import_module(module_of(command)).register(sub)
    else:
        for name, summary in COMMANDS.items():
            sub.add_parser(name, help=summary)
    return parser
