"""Review chosen in Neovim's prompt after a seal opens the review at once (issue 74, item 5): Neovim 0.11
on a real terminal (tmux) with codetape's plugin, the real bridge and collector. The bridge also sends a
"run `codetape review ID`" line for editors that cannot open a review; shown after the prompt it held Neovim
at "Press ENTER" before the review, and the plugin leaves it out once it has opened that review."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import running_collector
from tests.support.terminal import Terminal

ROOT = Path(__file__).resolve().parents[3]
VENV_BIN = Path(sys.executable).parent
PLUGIN = ROOT / "editor_extensions" / "neovim"
INIT_LUA = f"""
vim.opt.rtp:append([==[{PLUGIN}]==])
vim.opt.swapfile = false
require('codetape').setup({{}})
"""
HIT_ENTER = "Press ENTER or type command to continue"


def test_review_chosen_in_the_prompt_opens_the_review_without_an_extra_enter(tmp_path: Path) -> None:
    assert (VENV_BIN / "nvim").exists() and shutil.which("tmux"), "tmux or Neovim missing: run scripts/setup"
    user = tmp_path / "user"
    (user / ".config" / "nvim").mkdir(parents=True)
    (user / ".config" / "nvim" / "init.lua").write_text(INIT_LUA, encoding="utf-8")
    ws = tmp_path / "calc"
    ws.mkdir()
    (ws / "calc.py").write_text("x = 1\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=ws, check=True)
    env = {name: value for name, value in os.environ.items() if not name.startswith(("PYTEST", "CODETAPE"))}
    env |= {
        "HOME": str(user),
        "CODETAPE_HOME": str(user / ".codetape"),
        "PATH": f"{VENV_BIN}:{env['PATH']}",
        "TERM": "xterm-256color",
    }
    subprocess.run([str(VENV_BIN / "codetape"), "init", str(ws)], env=env, check=True, capture_output=True)
    with running_collector(env, tmp_path / "collector.log"):
        term = Terminal(tmp_path / "tmux.sock")
        term.start(f"cd {ws} && exec {VENV_BIN / 'nvim'} calc.py", env, width=150, height=40)
        try:
            term.wait(lambda screen: "codetape: recording" in screen, "the plugin's bridge recording")
            term.keys("o", "y = 2", "Escape", ":w", "Enter")
            term.wait(
                lambda screen: re.search(r"codetape: recording [1-9]\d* steps", screen) is not None,
                "the edit and the save recorded",
            )
            term.keys(":CodetapeSeal", "Enter")
            screen = term.wait(lambda screen: "1: Review" in screen or HIT_ENTER in screen, "the seal")
            if "1: Review" not in screen:  # the seal's own summary comes first
                term.keys("Enter")
                term.wait(lambda screen: "1: Review" in screen, "the review prompt")
            term.keys("1", "Enter")
            screen = term.wait(
                lambda screen: "Shared" in screen or HIT_ENTER in screen,
                "the review, or Neovim waiting for Enter",
            )
            assert HIT_ENTER not in screen, screen
            assert "to review the episode" not in screen, screen
        finally:
            term.stop()
