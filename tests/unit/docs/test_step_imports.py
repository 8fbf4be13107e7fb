"""The step kinds come into a module from one place (issue 59, item 5): a module that needs many of them
imports the package, `from schemas import steps as kinds`, and writes `kinds.EditStep`, `kinds.Step`;
a long `from schemas.steps import (...)` list, one name a line, repeated at the top of some thirty modules,
was the largest family of duplicated lines in the tree. A few names (fewer than MOST) may still be
imported one by one."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("collector", "lsp_bridge")
MOST = 6  # names from schemas.steps in one `from ... import`: this many or more is an offender


def long_imports(path: Path) -> Iterator[str]:
    """`path:line: N names` of each `from schemas.steps import` of MOST names or more in `path`."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == "schemas.steps" \
                and len(node.names) >= MOST:
            yield f"{path.relative_to(ROOT).as_posix()}:{node.lineno}: {len(node.names)} names"


def test_no_module_imports_the_step_kinds_one_by_one() -> None:
    found = [where for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
             for where in long_imports(path)]
    assert not found, (f"{len(found)} modules import {MOST} or more names from schemas.steps; write "
                       "`from schemas import steps as kinds` and `kinds.EditStep`:\n" + "\n".join(found))
