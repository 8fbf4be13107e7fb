"""A function-local import says why it is not at the top of its module (issue 59, item 7): start-up time
(what a command, the hook or the bridge loads before it answers), an optional dependency, an operating
system's own module, a cycle. A comment on the import, or on the line just above a run of imports, is the
reason; `collector/cli/` is exempt as a whole, because collector/cli/__init__.py gives its one reason (a
command's module imports at the top only what `register` needs)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("collector", "lsp_bridge", "schemas")
EXEMPT = ("collector/cli/",)


def unexplained(path: Path) -> Iterator[str]:
    """`path:line: import` of each function-local import run with no comment on or just above it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for function in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for body in _bodies(function):
            run: list[ast.stmt] = []
            for statement in [*body, None]:
                if isinstance(statement, ast.Import | ast.ImportFrom):
                    run.append(statement)
                    continue
                if run and not _explained(run, lines):
                    yield f"{path.relative_to(ROOT)}:{run[0].lineno}: {lines[run[0].lineno - 1].strip()}"
                run = []


def _bodies(function: ast.AST) -> Iterator[list[ast.stmt]]:
    """Every statement list in a function, its nested blocks' too (not nested functions': walked apart)."""
    for node in ast.walk(function):
        for name in ("body", "orelse", "finalbody", "handlers"):
            block = getattr(node, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield block


def _explained(run: list[ast.stmt], lines: list[str]) -> bool:
    first, last = run[0].lineno, run[-1].end_lineno or run[-1].lineno
    above = lines[first - 2].strip() if first >= 2 else ""
    return above.startswith("#") or any("#" in lines[n - 1] for n in range(first, last + 1))


def test_every_function_local_import_says_why() -> None:
    found = [where for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
             if not str(path.relative_to(ROOT)).startswith(EXEMPT) for where in unexplained(path)]
    assert not found, f"{len(found)} function-local imports without a reason:\n" + "\n".join(found)
