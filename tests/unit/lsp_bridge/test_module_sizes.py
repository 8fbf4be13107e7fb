"""No module of the bridge, of the collector's daemon or of its exports is over MAX_LINES lines (issue 59): a
module that grows past it holds several jobs, and is split by job; no folder of the bridge holds over
MAX_MODULES modules (issue 76): a folder that grows past it holds several roles. Read with `ast`, nothing
imported or run."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
MAX_LINES = 400
MAX_MODULES = 8
FOLDERS = [
    pytest.param("lsp_bridge", id="lsp_bridge"),
    pytest.param("collector/daemon", id="collector/daemon"),
    pytest.param("collector/export", id="collector/export"),  # issue 102: swe_messages.py had reached 416
]


def lines_of(path: Path) -> int:
    """The module's length: the last line of its last statement (a trailing comment or blank line aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return max((node.end_lineno or node.lineno for node in tree.body), default=0)


@pytest.mark.parametrize("folder", FOLDERS)
def test_no_module_is_over_the_limit(folder: str) -> None:
    modules = sorted((ROOT / folder).rglob("*.py"))
    assert modules, f"no modules under {folder}"
    over = {str(path.relative_to(ROOT)): count for path in modules if (count := lines_of(path)) > MAX_LINES}
    assert over == {}


def test_no_bridge_folder_holds_over_max_modules() -> None:
    folders = sorted({path.parent for path in (ROOT / "lsp_bridge").rglob("*.py")})
    assert len(folders) > 1, "lsp_bridge has no subpackages"
    counts = {str(folder.relative_to(ROOT)): len([m for m in folder.glob("*.py") if m.name != "__init__.py"])
              for folder in folders}
    assert {folder: count for folder, count in counts.items() if count > MAX_MODULES} == {}
