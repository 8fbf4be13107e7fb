"""docs/architecture.md's "How to add a step kind" is a checked list (issue 100): a throwaway kind `pin`
(a path and a line of text) added to a scratch copy's union makes strict mypy name files and the schema
tests fail, and those files and tests are the page's checked list, no more and no fewer.

An evaluation: strict mypy over the whole copy (the worktree's `.mypy_cache` copied along when there is
one, so only what the new kind touches is checked again), then tests/unit/schemas in the copy.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PAGE = ROOT / "docs" / "architecture.md"
# what mypy and the schema tests read (the VS Code settings are generated from schemas/ too)
COPIED = ("collector", "lsp_bridge", "schemas", "tests", "pyproject.toml", ".mypy_cache",
          "editor_extensions/vscode/package.json")
CHECKED = "What mypy and the schema tests name for a new kind"  # opens the page's checked list
NAMED = re.compile(r"`((?:schemas|collector|lsp_bridge|tests)/[\w/.]+\.py(?:::\w+)?)`")
ERROR = re.compile(r"^((?:schemas|collector|lsp_bridge)/[\w/.]+\.py):\d+: error:", re.MULTILINE)
FAILED = re.compile(r"^FAILED (tests/[\w/.]+\.py::\w+)", re.MULTILINE)

PIN = '''"""`pin`: a throwaway kind, added by tests/integration/schemas/test_step_kind_recipe.py."""

from __future__ import annotations

from typing import ClassVar, Literal

from schemas.common import RelPath, ShortText
from schemas.compiled import compile_module
from schemas.steps.base import StepBase


class PinStep(StepBase, tag="pin", frozen=True, kw_only=True):
    kind: ClassVar[Literal["pin"]] = "pin"
    path: RelPath
    label: ShortText


compile_module(__name__)
'''

pytestmark = pytest.mark.eval


def scratch_with_a_new_kind(into: Path) -> Path:
    """A copy of the tree whose union holds PinStep, as steps 1 and 2 of the page make it."""
    for name in COPIED:
        if (ROOT / name).is_dir():
            # not the other platforms' caches scripts/check keeps under .mypy_cache
            left_out = shutil.ignore_patterns("__pycache__", "darwin", "win32")
            shutil.copytree(ROOT / name, into / name, ignore=left_out)
        elif (ROOT / name).exists():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, into / name)
    (into / "schemas/steps/pin.py").write_text(PIN, encoding="utf-8")
    union = into / "schemas/steps/__init__.py"
    text = union.read_text(encoding="utf-8")
    opening = "from schemas.steps.open import"
    for old, new in ((opening, f"from schemas.steps.pin import PinStep\n{opening}"),
                     ("    | OfferStep\n)", "    | OfferStep | PinStep\n)"),
                     ("AgentStep, OfferStep,\n)", "AgentStep, OfferStep, PinStep,\n)")):
        assert text.count(old) == 1, f"schemas/steps/__init__.py no longer has {old!r}: update this test"
        text = text.replace(old, new)
    union.write_text(text, encoding="utf-8")
    return into


def checked_list() -> set[str]:
    """The files and tests the page's checked list names."""
    page = PAGE.read_text(encoding="utf-8")
    recipe = page.split("\n## How to add a step kind\n", 1)[1].split("\n## ", 1)[0]
    assert CHECKED in recipe, f"docs/architecture.md's recipe has no paragraph starting {CHECKED!r}"
    bullets = recipe.split(CHECKED, 1)[1].split("\n\n", 2)[1].split("\n- ")
    # a test's bullet counts the test (the files it says to change are what the test stops at), another
    # bullet every file it names
    return {name for bullet in bullets
            for name in NAMED.findall(bullet)[:1 if bullet.lstrip("- ").startswith("`tests/") else None]}


def run(tree: Path, *command: str) -> str:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-m", *command], cwd=tree, env=env, capture_output=True,
                          text=True, timeout=1200, check=False)
    return done.stdout + done.stderr


def test_the_pages_checked_list_is_what_mypy_and_the_schema_tests_name(tmp_path: Path) -> None:
    tree = scratch_with_a_new_kind(tmp_path)
    typed = run(tree, "mypy", "--no-error-summary")
    tested = run(tree, "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", "-o", "addopts=",
                 "tests/unit/schemas")
    assert "Traceback" not in typed, typed
    named = set(ERROR.findall(typed)) | set(FAILED.findall(tested))
    assert named, typed + tested  # the new kind must be stopped somewhere
    listed = checked_list()
    assert named == listed, (f"named by mypy and the tests, not on the page: {sorted(named - listed)}; "
                             f"on the page, named by neither: {sorted(listed - named)}\n{typed}\n{tested}")
