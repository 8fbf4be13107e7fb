"""The README's install, run as a newcomer runs it: `uv tool install .` from this checkout into a fresh
tool directory puts `codetape` on PATH, whole (its templates and schemas in the installed package)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EPISODE = REPO / "tests" / "fixtures" / "episodes" / "full.ctape"


@pytest.mark.eval
def test_uv_tool_install_puts_a_whole_codetape_on_path(tmp_path: Path) -> None:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent))
    assert uv, "uv is missing: scripts/setup installs it (the test extra)"
    tools, bin_dir = tmp_path / "tools", tmp_path / "bin"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "CODETAPE"))}
    env |= {"UV_TOOL_DIR": str(tools), "UV_TOOL_BIN_DIR": str(bin_dir)}
    done = subprocess.run([uv, "tool", "install", str(REPO)], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    env |= {"PATH": f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin", "CODETAPE_HOME": str(tmp_path / "home")}

    def run(*args: str) -> str:
        ran = subprocess.run(["codetape", *args], env=env, capture_output=True, text=True, timeout=120,
                             cwd=tmp_path)  # (not the checkout: its collector/ must not be what runs)
        assert ran.returncode == 0, ran.stderr
        return ran.stdout

    assert shutil.which("codetape", path=env["PATH"]) == str(bin_dir / "codetape")
    assert run("episodes") == "no episodes yet\n"
    report = tmp_path / "report.html"
    run("report", str(EPISODE), "-o", str(report))  # the report's templates and assets came along
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    python = next((tools / "codetape" / "bin").glob("python3*"))
    check = ("from importlib.resources import files; "
             "assert (files('collector.dataset') / 'templates' / 'card.md.j2').is_file(); "
             "assert (files('schemas') / 'step.schema.json').is_file(); import collector; "
             "assert 'site-packages' in collector.__file__")
    assert subprocess.run([str(python), "-c", check], cwd=tmp_path, timeout=60).returncode == 0
