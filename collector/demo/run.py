"""The demo session: scaffold, opt in, edit in headless Neovim through the real bridge, commit, test, seal;
then (share.py) sign, upload to a file:// destination, build the dataset and query it with DuckDB.

Every step runs the real thing in its own process (collector, bridge, editor, git, pytest), exactly
as a developer's session would, so the demo doubles as the smoke test of the whole pipeline. Between
steps the demo waits for the collector to have journalled what the step did (never for a fixed time),
so the episode holds each step in the order it happened.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from collector.demo.neovim import neovim_plugin, run_neovim
from collector.demo.project import git, scaffold
from collector.demo.share import share
from collector.errors import CodetapeError, CollectorError, JournalError
from collector.home import Home
from collector.journal import JournalScanner, unpack_payload
from collector.protocol.client import Client
from collector.protocol.spawn import python_command

BRIDGE = python_command("lsp_bridge")
# Fix the bug (find the `-`, replace it with `+`), save; then type greet() (non-ASCII and a non-BMP emoji on
# purpose), save. Keys a developer presses: each change `typed` (an Ex command's, `:s`, would be unknown)
NVIM_KEYS = ["/-<CR>r+", 'Go<CR>def greet(name):<CR>    return "héllo, " + name + " 👋"<Esc>']
WAIT_S = 30.0

Step = dict[str, Any]


def codetape(args: list[str], env: dict[str, str], cwd: Path) -> str:
    proc = subprocess.run(python_command("collector", *args), cwd=cwd, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise CodetapeError(f"`codetape {' '.join(args)}` failed: {proc.stderr.strip()}")
    return proc.stdout


def journalled(home: Home, workspace: Path) -> list[Step]:
    """The steps the collector has journalled so far in the workspace's open episode (none: no episode)."""
    with Client.connect(home, autostart=False, timeout=5.0) as client:
        status = client.request("status")
    root = str(workspace.resolve())
    episode = next((w["episode"] for w in status["workspaces"] if w["root"] == root), None)
    if episode is None:
        return []
    try:
        frames = list(JournalScanner(home.journals / f"{episode}.journal").frames())
    except JournalError:  # sealed between the status and the read: no episode is open any more
        return []
    return [unpack_payload(frame) for frame in frames[1:]]  # frame 0 is the header


def wait_for_steps(home: Home, workspace: Path, wanted: Callable[[list[Step]], bool], what: str,
                   timeout: float = WAIT_S) -> None:
    """Poll the open episode until `wanted(steps)` holds; CodetapeError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if wanted(journalled(home, workspace)):
                return
        except CollectorError as exc:
            raise CodetapeError(f"the collector went away while the demo waited for {what}: {exc}") from None
        if time.monotonic() > deadline:
            raise CodetapeError(f"the collector did not record {what} within {timeout:.0f} s")
        time.sleep(0.05)


def count(kind: str, **fields: object) -> Callable[[list[Step]], int]:
    """Counts the steps of `kind` whose fields have these values."""
    def counted(steps: list[Step]) -> int:
        return sum(s.get("kind") == kind and all(s.get(k) == v for k, v in fields.items()) for s in steps)
    return counted


def run_demo(nvim: str, workspace: Path, scratch: Path, env: dict[str, str], *,
             say: Callable[[str], None]) -> str:
    """Record one session in `workspace` by driving `nvim`, then share it and build the dataset; returns
    the signed episode's `inspect` summary and DuckDB's answer over the dataset."""
    home = Home.from_env(env)
    say(f"scratch project in {workspace}")
    scaffold(workspace)
    codetape(["init", str(workspace)], env, workspace)
    plugin = neovim_plugin()
    say(f"editing calc.py in headless Neovim ({nvim}) " + (
        "through codetape's Neovim plugin" if plugin else "with the bridge attached (codetape's Neovim "
        "plugin is not in this install: whose work each edit is stays unknown)"))
    run_neovim(nvim, workspace, "calc.py", BRIDGE, NVIM_KEYS, env=env, scratch=scratch, plugin=plugin,
               codetape=python_command("collector"))
    saves = count("save", path="calc.py")
    wait_for_steps(home, workspace, lambda steps: saves(steps) >= len(NVIM_KEYS), "the editor's saves")
    say("committing the fix")
    git(workspace, "commit", "-q", "-am", "calc: fix add, add greet")
    commit = count("git", op="commit", sha=git(workspace, "rev-parse", "HEAD").strip())
    wait_for_steps(home, workspace, lambda steps: commit(steps) == 1, "the commit")
    say("running pytest")
    runs = count("test_run")
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=workspace,
                           env=env, capture_output=True, text=True)
    if tests.returncode != 0:
        said = (tests.stdout.strip() or tests.stderr.strip()).splitlines()[-1:] or ["nothing"]
        raise CodetapeError(f"the demo's tests failed (pytest exit {tests.returncode}): {said[0]}")
    wait_for_steps(home, workspace, lambda steps: runs(steps) == 1, "the test run")
    say("sealing the episode")
    episode = _episode_id(codetape(["seal", str(workspace), "--json"], env, workspace))
    answer = share(episode, scratch, lambda args: codetape(args, env, workspace), say=say)
    summary = codetape(["inspect", episode], env, workspace)  # signed by now: the summary says by whom
    return f"{summary}\nthe dataset, asked by DuckDB:\n{answer}"


def _episode_id(seal_output: str) -> str:
    result = json.loads(seal_output)
    if not result or not result.get("episode"):
        raise CodetapeError("nothing was recorded: the collector sealed no episode")
    return str(result["episode"])
