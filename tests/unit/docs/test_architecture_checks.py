"""docs/architecture.md's entry points and invariants name what holds them (issue 77, item 3): every
module and name an entry point gives exists, every invariant names a check, and every check it names is
there: a test (`path::name`, a function of that test module, `path::Class::name` a method of its class) or
an import-linter contract of pyproject.toml (`contract:ID`, by its id)."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PAGE = ROOT / "docs" / "architecture.md"
TEST = re.compile(r"`(tests/[\w/]+\.py)::([\w:]+)`")
CONTRACT = re.compile(r"`contract:([\w-]+)`")
DEFINED = re.compile(r"`([\w/]+\.py)` `([\w.]+)`")


def section(title: str) -> str:
    """The text of the page's `## title` section, up to the next one."""
    page = PAGE.read_text(encoding="utf-8")
    assert f"\n## {title}\n" in page, f"docs/architecture.md has no section {title!r}"
    return page.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def invariants() -> list[str]:
    """Each bullet of the Invariants section, its lines joined."""
    bullets = re.split(r"\n- ", "\n" + section("Invariants").split("\n- ", 1)[1])
    return [" ".join(bullet.split()) for bullet in bullets if bullet.strip()]


def defines(path: Path, dotted: str) -> bool:
    """Whether the module at `path` defines `dotted` (a function or class, `Class.method` inside one)."""
    body: list[ast.stmt] = ast.parse(path.read_text(encoding="utf-8")).body
    for name in dotted.split("."):
        found = next((node for node in body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef
                                                                | ast.ClassDef) and node.name == name), None)
        if found is None:
            return False
        body = found.body
    return True


def contract_ids() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {contract["id"] for contract in config["tool"]["importlinter"]["contracts"] if "id" in contract}


def test_every_invariant_names_a_check() -> None:
    found = invariants()
    assert len(found) >= 15, found
    unchecked = [text[:80] for text in found if not TEST.search(text) and not CONTRACT.search(text)]
    assert not unchecked, f"invariants that name no test or contract: {unchecked}"


def test_every_test_an_invariant_names_exists() -> None:
    missing = [f"{path}::{name}" for text in invariants() for path, name in TEST.findall(text)
               if not (ROOT / path).is_file() or not defines(ROOT / path, name.replace("::", "."))]
    assert not missing, f"docs/architecture.md names tests that do not exist: {missing}"


def test_every_contract_an_invariant_names_exists() -> None:
    known = contract_ids()
    missing = [name for text in invariants() for name in CONTRACT.findall(text) if name not in known]
    assert not missing, f"docs/architecture.md names contracts pyproject.toml does not have: {missing}"


def test_every_entry_point_names_what_its_module_defines() -> None:
    named = DEFINED.findall(section("Entry points"))
    assert len(named) >= 15, named
    missing = [f"{path} {name}" for path, name in named
               if not (ROOT / path).is_file() or not defines(ROOT / path, name)]
    assert not missing, f"docs/architecture.md's entry points name what is not there: {missing}"


def test_a_check_that_is_gone_is_caught(tmp_path: Path) -> None:
    module = tmp_path / "test_module.py"
    module.write_text("class TestA:\n    def test_b(self) -> None: ...\n\ndef test_c() -> None: ...\n",
                      encoding="utf-8")
    assert defines(module, "TestA.test_b") and defines(module, "test_c")
    assert not defines(module, "test_b") and not defines(module, "TestA.test_c")
    assert "no-such-contract" not in contract_ids() and "collector-stages" in contract_ids()
