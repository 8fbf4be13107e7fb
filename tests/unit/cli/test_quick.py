"""The plain command lines of `status`, `note` and `run` read without argparse (collector/cli/quick.py):
the namespace each gives is the one argparse gives, and every other command line is left to argparse."""

from __future__ import annotations

import argparse
import io
from contextlib import redirect_stderr, redirect_stdout

import pytest

from collector.cli.main import main
from collector.cli.parser import build_parser
from collector.cli.quick import parsed

QUICK = [
    ["status"], ["status", "--json"],
    ["note", "a note"], ["note", ""], ["note", "é 😀 --json"], ["note", "x -- y"],
    ["run", "--", "true"], ["run", "--"], ["run", "--", "ls", "-la", "--", "x"],
    ["run", "--", "--junit", "x"], ["run", "--", "-h"], ["run", "--", "status", "--json"],
]
LEFT_TO_ARGPARSE = [
    [], ["--help"], ["--version"], ["status", "-h"], ["status", "--help"], ["status", "--js"],
    ["status", "--json", "--json"], ["status", "x"], ["status", "--json", "x"], ["note"], ["note", "-h"],
    ["note", "-x"], ["note", "-"], ["note", "--", "-x"], ["note", "-1"], ["note", "a", "b"],
    ["note", "a", "--dir", "/tmp"], ["note", "--dir", "/tmp", "a"], ["run"], ["run", "true"],
    ["run", "--junit", "r.xml", "--", "true"],
    ["run", "-h"], ["run", "--help"], ["--json", "status"], ["stats"], ["notes", "x"], ["bridge"],
]


def argparse_namespace(argv: list[str]) -> dict[str, object]:
    return vars(build_parser(argv[0]).parse_args(argv, argparse.Namespace(env={"CODETAPE_HOME": "/h"})))


@pytest.mark.parametrize("argv", QUICK, ids=" ".join)
def test_a_plain_command_line_is_read_as_argparse_reads_it(argv: list[str]) -> None:
    quick = parsed(argv, argparse.Namespace(env={"CODETAPE_HOME": "/h"}))
    assert quick is not None
    assert vars(quick) == argparse_namespace(argv)


@pytest.mark.parametrize("argv", LEFT_TO_ARGPARSE, ids=" ".join)
def test_any_other_command_line_is_left_to_argparse(argv: list[str]) -> None:
    assert parsed(argv, argparse.Namespace()) is None


@pytest.mark.parametrize("argv", [["status", "--help"], ["note", "-h"], ["run", "--help"], ["note"],
                                  ["status", "--js", "x"], ["note", "--dir"]], ids=" ".join)
def test_help_and_usage_errors_are_argparse_s(argv: list[str]) -> None:
    """What a person reads for them is argparse's: the command's help, or one `codetape:` line (exit 2)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err), pytest.raises(SystemExit) as exited:
        main(argv, {"CODETAPE_HOME": "/nonexistent"})
    if "-h" in argv or "--help" in argv:
        assert (exited.value.code, err.getvalue()) == (0, "")
        assert out.getvalue().startswith(f"usage: codetape {argv[0]} ")
    else:
        assert (exited.value.code, out.getvalue()) == (2, "")
        assert err.getvalue().startswith("codetape: ") and err.getvalue().endswith(" --help)\n")
        assert err.getvalue().count("\n") == 1
