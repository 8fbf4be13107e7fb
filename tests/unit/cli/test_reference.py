"""The CLI reference (collector/cli/reference.py) names every command and option the parser has, and is the
page the docs site serves (docs/reference/cli.md, in mkdocs.yml's nav; its currency:
tests/unit/docs/test_generated_pages.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import get_files

from collector.cli.parser import build_parser
from collector.cli.reference import cli_reference
from collector.cli.table import COMMANDS

ROOT = Path(__file__).resolve().parents[3]


def _parser(*words: str) -> argparse.ArgumentParser:
    parser = build_parser(words[0])
    for word in words:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[word]
    return parser


def test_every_command_has_an_anchored_heading() -> None:
    text = cli_reference()
    for name in COMMANDS:
        assert f"\n## codetape {name} {{ #{name} }}\n" in text, name


def test_sub_commands_have_their_own_headings() -> None:
    text = cli_reference()
    for words in (("keys", "init"), ("config", "set"), ("dataset", "build"), ("dataset", "key", "init")):
        heading = "#" * (len(words) + 1) + f" codetape {' '.join(words)} {{ #{'-'.join(words)} }}"
        assert f"\n{heading}\n" in text, heading


@pytest.mark.parametrize("words", [("sign",), ("config", "set"), ("review",)])
def test_every_argument_and_its_help_is_listed(words: tuple[str, ...]) -> None:
    text = cli_reference()
    section = text.split(f"{{ #{'-'.join(words)} }}\n", 1)[1].split("\n#", 1)[0]
    parser = _parser(*words)
    listed = 0
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        names = action.option_strings or [str(action.metavar or action.dest)]
        item = next((line for line in section.splitlines()
                     if line.startswith("- `") and all(name in line.split("`")[1] for name in names)), None)
        assert item is not None, names
        if action.help:
            first_words = action.help.split()[0].strip("`*_[]<&")
            assert first_words in item, (names, item)
        listed += 1
    assert listed == len(parser._actions) - 1
    assert f"codetape {' '.join(words)} [-h]" in section


def test_the_site_serves_the_committed_page() -> None:
    config = load_config(str(ROOT / "mkdocs.yml"))
    files = get_files(config)
    page = files.get_file_from_path("reference/cli.md")
    assert page is not None
    assert page.abs_src_path == str(ROOT / "docs" / "reference" / "cli.md")
    assert page.content_string == cli_reference()
