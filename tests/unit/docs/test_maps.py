"""The maps of the code say what is there: `collector/__init__.py` and the stage table of
docs/architecture.md name every package of collector/ (and the package docstring every module at its
root), and nothing that is not there."""

from __future__ import annotations

import re
from pathlib import Path

import collector

ROOT = Path(collector.__file__).parent
ARCHITECTURE = ROOT.parent / "docs" / "architecture.md"


def packages() -> set[str]:
    return {path.parent.name for path in ROOT.glob("*/__init__.py")}


def modules() -> set[str]:
    return {path.name for path in ROOT.glob("*.py") if path.name != "__init__.py"}


def test_the_package_map_names_every_stage_and_every_root_module() -> None:
    doc = collector.__doc__ or ""
    assert set(re.findall(r"^    ([a-z_]+)/ ", doc, re.M)) == packages()
    assert set(re.findall(r"`([a-z_]+\.py)`", doc)) == modules()


def test_the_architecture_page_s_table_names_every_stage() -> None:
    page = ARCHITECTURE.read_text(encoding="utf-8")
    stages = page.split("\n- `collector/`", 1)[1].split("\n- ", 1)[0]  # (the bridge's roles have a table too)
    rows = [line for line in stages.splitlines() if line.lstrip().startswith("| `")]
    named = {name for row in rows for name in re.findall(r"`([a-z_]+)/`", row.split("|")[1])}
    assert named == packages()
