"""Every test the annex names behind a claim (collector/annex/claims.py BACKING) exists in this repository:
its file, and a test function of that name defined at its top level; and every channel and step kind has
the words the annex describes it with."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from collector.annex.claims import BACKING, CHANNEL_WORDS, KIND_WORDS
from schemas.settings import ALL_CHANNELS, CHANNEL_OF_KIND
from schemas.steps import STEP_KINDS

REPOSITORY = Path(__file__).resolve().parents[3]


def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")}


@pytest.mark.parametrize("node", sorted({node for nodes in BACKING.values() for node in nodes}))
def test_every_test_named_behind_a_claim_exists(node: str) -> None:
    file, _, name = node.partition("::")
    path = REPOSITORY / file
    assert path.is_file(), f"{node}: no file {file}"
    assert name in defined_tests(path), f"{node}: {file} defines no test {name}"


def test_every_claim_kind_is_backed_by_at_least_one_test() -> None:
    assert all(BACKING.values())


def test_every_channel_and_every_kind_without_one_has_words() -> None:
    assert set(CHANNEL_WORDS) == set(ALL_CHANNELS)
    assert set(KIND_WORDS) == STEP_KINDS - set(CHANNEL_OF_KIND)
