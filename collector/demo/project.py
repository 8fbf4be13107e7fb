"""The scratch project the demo works on: a tiny module with a bug, its tests, a git repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

CALC = '''"""Small arithmetic helpers."""


def add(a, b):
    return a - b


def mul(a, b):
    return a * b
'''

TESTS = '''from calc import add, mul


def test_add():
    assert add(2, 3) == 5


def test_mul():
    assert mul(2, 3) == 6
'''

# What the developer types after fixing the bug: non-ASCII and a non-BMP emoji on purpose.
NEW_FUNCTION = '\n\ndef greet(name):\n    return "héllo, " + name + " 👋"\n'


def git(workspace: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=workspace, check=True, capture_output=True, text=True).stdout


def scaffold(workspace: Path) -> None:
    """Write the project and make its first commit."""
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / "calc.py").write_text(CALC, encoding="utf-8")
    (workspace / "test_calc.py").write_text(TESTS, encoding="utf-8")
    (workspace / ".gitignore").write_text("__pycache__/\n.pytest_cache/\n", encoding="utf-8")
    git(workspace, "init", "-q", "-b", "main")
    git(workspace, "config", "user.email", "demo@codetape.invalid")
    git(workspace, "config", "user.name", "codetape demo")
    git(workspace, "add", "-A")
    git(workspace, "commit", "-q", "-m", "calc: first version")
