"""Proxy mode starts its language server before argparse loads (lsp_bridge/server.py), as
`python -m lsp_bridge` and as `codetape bridge` (collector/cli/main.py): the command it reads from a
plainly formed command line is the one argparse reads (the bridge's parser and codetape's), and anything
else is left to argparse (issue 14)."""

from __future__ import annotations

import argparse

import pytest

from collector.cli.main import build_parser
from lsp_bridge.arguments import add_arguments
from lsp_bridge.options import FLAGS, VALUED
from lsp_bridge.server import early_command


def parser() -> argparse.ArgumentParser:
    built = argparse.ArgumentParser(exit_on_error=False)
    add_arguments(built)
    return built


def parsed_command(argv: list[str], codetape: bool = False) -> list[str] | None:
    """The server command as the bridge reads it after argparse (lsp_bridge/main.py's `run`), from
    `python -m lsp_bridge ARGV` or, with `codetape`, from `codetape bridge ARGV`."""
    try:
        args = build_parser("bridge").parse_args(["bridge", *argv]) if codetape else parser().parse_args(argv)
    except (argparse.ArgumentError, SystemExit):
        return None
    command = list(args.server)
    return command[1:] if command[:1] == ["--"] else command or None


def test_the_plain_reading_knows_every_option_the_bridge_has() -> None:
    options = {(option, action.nargs == 0) for action in parser()._actions for option in action.option_strings
               if option not in ("-h", "--help")}
    assert options == {(flag, True) for flag in FLAGS} | {(valued, False) for valued in VALUED}


@pytest.mark.parametrize("argv", [
    ["--", "pylsp"],
    ["--no-autostart", "--", "pylsp", "-v", "--log", "x"],
    ["--log", "bridge.log", "-v", "--tap-messages", "9", "--", "clangd", "--", "more"],
    ["--log=bridge.log", "--spool-steps=5", "--verbose", "--", "pylsp"],
    ["--spool-steps", "0", "--", "pylsp"],  # a value the bridge refuses later: the server is stopped then
])
def test_a_plain_command_line_gives_argparses_command(argv: list[str]) -> None:
    command = early_command(argv)
    assert command is not None and command == parsed_command(argv) == parsed_command(argv, codetape=True)


@pytest.mark.parametrize("argv", [
    [], ["--"], ["-v"], ["pylsp"], ["--log", "--", "pylsp"], ["--help", "--", "pylsp"],
    ["--unknown", "--", "pylsp"], ["--log"], ["-vv", "--", "pylsp"],
])
def test_anything_else_is_left_to_argparse(argv: list[str]) -> None:
    assert early_command(argv) is None
