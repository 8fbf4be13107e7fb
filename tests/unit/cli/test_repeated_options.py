"""An option given twice: appended when it may be given several times, else refused in one line, never
the first value dropped as argparse alone does (collector/cli/parser.py's `Once`)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from collector.cli.parser import build_parser
from collector.cli.reference import subparsers
from collector.cli.table import COMMANDS

# values tried in turn until the option's type takes one (its choices, when it has them, come first)
CANDIDATES = ("1", "x", "2026-01-01", "2026-01", "a=b", "file:///tmp/out", "ed25519", "KEY=VALUE", "1s")


def _commands() -> Iterator[tuple[list[str], argparse.ArgumentParser]]:
    """Every sub-command's words and parser, nested ones (`keys show`) included."""
    def walk(words: list[str], parser: argparse.ArgumentParser) -> Iterator[
            tuple[list[str], argparse.ArgumentParser]]:
        yield words, parser
        for name, child in subparsers(parser).items():
            yield from walk([*words, name], child)

    for name in COMMANDS:
        yield from walk([name], subparsers(build_parser(name))[name])


def _value(action: argparse.Action) -> str:
    if action.choices:
        return str(next(iter(action.choices)))
    for candidate in CANDIDATES:
        try:
            if callable(action.type):
                action.type(candidate)
        except (ValueError, TypeError, argparse.ArgumentTypeError):
            continue
        return candidate
    raise AssertionError(f"no value found for {action.option_strings}")


def _valued_options() -> list[tuple[list[str], argparse.ArgumentParser, argparse.Action]]:
    return [(words, parser, action) for words, parser in _commands() for action in parser._actions
            if action.option_strings and action.nargs != 0 and not isinstance(action, argparse._HelpAction)
            and not isinstance(action, argparse._VersionAction)]


def test_the_walk_finds_the_options_it_must() -> None:
    named = {(" ".join(words), action.option_strings[-1]) for words, _, action in _valued_options()}
    assert {("dataset build", "--trust"), ("dataset build", "--out"), ("run", "--junit")} <= named
    assert len(named) > 50


@pytest.mark.parametrize(("words", "parser", "action"), [
    pytest.param(words, parser, action, id=f"{' '.join(words)} {action.option_strings[-1]}")
    for words, parser, action in _valued_options()])
def test_every_value_taking_option_given_twice_is_appended_or_refused(
        words: list[str], parser: argparse.ArgumentParser, action: argparse.Action,
        capsys: pytest.CaptureFixture[str]) -> None:
    option, value = action.option_strings[-1], _value(action)
    if isinstance(action, (argparse._AppendAction, argparse._ExtendAction)):
        namespace = argparse.Namespace()
        extend = isinstance(action, argparse._ExtendAction)
        for given in (value, value):
            action(parser, namespace, [given] if extend else given, option)
        assert getattr(namespace, action.dest) == [*(action.default or []), value, value]
        return
    assert action.nargs in (None, "?"), "an option of several values: give it twice below"
    with pytest.raises(SystemExit) as exited:
        build_parser(words[0]).parse_args([*words, option, value, option, value])
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert err.count("\n") == 1 and err.startswith("codetape: ") and "given twice" in err, err
