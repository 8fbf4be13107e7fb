"""The README's install, run as a newcomer runs it: `uv tool install .` from this checkout into a fresh
tool directory puts `codetape` on PATH, whole (its templates and schemas in the installed package)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
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
    assert "CODETAPE_COLLECTOR_SOCKET" in run("hook", "bash")  # (without pytest installed: it once needed it)
    run("status")
    report = tmp_path / "report.html"
    run("report", str(EPISODE), "-o", str(report))  # the report's templates and assets came along
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    python = next((tools / "codetape" / "bin").glob("python3*"))
    check = ("from importlib.resources import files; "
             "assert (files('collector.dataset.card') / 'templates' / 'card.md.j2').is_file(); "
             "assert (files('schemas') / 'step.schema.json').is_file(); import collector; "
             "assert 'site-packages' in collector.__file__")
    assert subprocess.run([str(python), "-c", check], cwd=tmp_path, timeout=60).returncode == 0


def readme_block(language: str, containing: str) -> str:
    """docs/install.md's code block in `language` holding `containing`, the checkout for /path/to/codetape."""
    text = (REPO / "docs" / "install.md").read_text(encoding="utf-8")
    for block in re.findall(rf"```{language}\n(.*?)```", text, re.S):
        if containing in block:
            return textwrap.dedent(block).replace("/path/to/codetape", str(REPO))
    raise AssertionError(f"docs/install.md has no {language} block with {containing!r}")


@pytest.mark.eval
def test_the_readmes_editor_setups_load_codetape_and_neovim_records_with_the_installed_one(
        tmp_path: Path) -> None:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent))
    assert uv and shutil.which("nvim") and shutil.which("emacs"), "run scripts/setup (uv, neovim, emacs)"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "CODETAPE"))}
    bin_dir = tmp_path / "bin"
    env |= {"UV_TOOL_DIR": str(tmp_path / "tools"), "UV_TOOL_BIN_DIR": str(bin_dir), "HOME": str(tmp_path),
            "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state"),
            "XDG_DATA_HOME": str(tmp_path / "data"), "CODETAPE_HOME": str(tmp_path / "home")}
    assert subprocess.run([uv, "tool", "install", str(REPO)], env=env, capture_output=True,
                          timeout=600).returncode == 0
    nvim_dir = os.path.dirname(shutil.which("nvim") or "")
    env["PATH"] = os.pathsep.join([str(bin_dir), nvim_dir, "/usr/bin", "/bin"])
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "a.py").write_text("x = 1\n", encoding="utf-8")
    assert subprocess.run(["codetape", "init", str(workspace)], env=env, capture_output=True,
                          timeout=60).returncode == 0
    init = tmp_path / "init.lua"
    init.write_text(readme_block("lua", "runtimepath:append") + textwrap.dedent(f"""
        vim.cmd('edit {workspace / "a.py"}')
        local said = vim.wait(30000, function()
          return require('codetape').status():match('recording') ~= nil end, 50)
        io.stdout:write(require('codetape').status())
        vim.cmd(said and 'qa!' or 'cq')
        """), encoding="utf-8")
    try:
        nvim = subprocess.run(["nvim", "--headless", "-u", str(init)], env=env, capture_output=True,
                              text=True, timeout=120, cwd=workspace)
        assert nvim.returncode == 0, (nvim.stdout, nvim.stderr)
        assert nvim.stdout.startswith("codetape: recording"), nvim.stdout
    finally:
        subprocess.run(["codetape", "collector", "stop"], env=env, capture_output=True, timeout=150)
    emacs_init = tmp_path / "init.el"
    emacs_init.write_text("(package-initialize)\n" + readme_block("elisp", "use-package codetape"),
                          encoding="utf-8")
    emacs = subprocess.run(["emacs", "--batch", "-l", str(emacs_init), "--eval",
                            "(princ (if (and (featurep 'codetape) codetape-mode) \"on\" \"off\"))"],
                           env=env, capture_output=True, text=True, timeout=120)
    assert emacs.stdout == "on", (emacs.stdout, emacs.stderr[-2000:])
