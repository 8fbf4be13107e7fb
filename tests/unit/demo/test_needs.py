"""`codetape demo` after an install without its extra (issue 96, item 2): one line naming what is missing
and the command that adds it, before the demo starts anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.demo.needs import DEMO_MODULES, require_demo_extra
from collector.errors import CodetapeError


def test_an_install_with_the_extra_starts() -> None:
    require_demo_extra(lambda module: True)


@pytest.mark.parametrize("absent", [{"pytest"}, {"duckdb"}, {"pytest", "duckdb"}])
def test_a_missing_module_names_itself_and_uv_s_command_for_a_uv_tool(
        absent: set[str], tmp_path: Path) -> None:
    (tmp_path / "uv-receipt.toml").write_text("[tool]\nrequirements = [{ name = \"codetape\" }]\n")
    with pytest.raises(CodetapeError) as raised:
        require_demo_extra(lambda module: module not in absent, tmp_path)
    said = str(raised.value)
    assert "\n" not in said
    assert all((module in said) == (module in absent) for module in DEMO_MODULES), said
    assert "uv tool install --reinstall '.[demo]'" in said, said


def test_another_install_hears_pip_s_command(tmp_path: Path) -> None:
    with pytest.raises(CodetapeError, match=r"-m pip install 'codetape\[demo\]'"):
        require_demo_extra(lambda module: module != "pytest", tmp_path)
