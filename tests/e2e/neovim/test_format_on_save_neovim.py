"""A formatter Neovim runs on save outside its language server (`ruff format` from a `BufWritePost` hook, the
buffer read in again by `:checktime`), in real headless Neovim 0.11 and 0.7, real bridge and collector:
the formatter's write is a change of its own, origin `format`, owning only the lines it changed (issue 90,
collector/daemon/formats.py)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from collector.daemon.formats import DETAIL
from collector.export.authors import Authors
from collector.reconstruct.workspace import Workspace
from schemas.steps import FileChangeStep, GitStep
from tests.cli import codetape
from tests.e2e.conftest import home_of, seal
from tests.e2e.neovim.test_extension_neovim import NEOVIMS, run_scenario

BASE = "a=1\nb=2\n"
SAVED = "a=1\nKEEP = 0\nb=2\n"  # the developer's line, formatted as ruff formats it, between two that are not
FORMATTED = "a = 1\nKEEP = 0\nb = 2\n"

# Wait until the collector has recorded the editor's reading app.py in as it is on disk (the formatter's
# write, held for that reload, is recorded with it: collector/daemon/formats.py).
WAIT_REOPENED = """\
import sys
from pathlib import Path
from collector.home import Home
from tests.support.collector_harness import wait_recorded
ws = Path(sys.argv[1])
text = (ws / "app.py").read_text(encoding="utf-8")
wait_recorded(Home.from_env(), ws, lambda steps: any(
    s["kind"] == "open" and s.get("path") == "app.py" and s.get("text") == text for s in steps),
    "the reload of app.py as it is on disk")
"""

FORMAT_ON_SAVE = r"""
local WAIT_REOPENED = [==[%(wait_reopened)s]==]
local RUFF = vim.fn.fnamemodify(PYTHON, ':h') .. '/ruff'
vim.api.nvim_create_autocmd('BufWritePost', { buffer = buf, callback = function()
  local out = vim.fn.system({ RUFF, 'format', '--no-cache', '--quiet', FILE })
  check(vim.v.shell_error == 0, 'ruff format failed: ' .. out)
  vim.schedule(function() vim.cmd('checktime') end)  -- 'autoread': the clean buffer reads the file in
end })
keys('ggoKEEP = 0<Esc>')
vim.schedule(function()  -- (once Neovim's loop sent the typed line)
  vim.cmd('silent write')
  check(vim.wait(20000, function() return vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1] == 'a = 1' end, 20),
    'the buffer did not read in what ruff format wrote')
  run({ PYTHON, '-c', WAIT_REOPENED, WS }, 'the collector did not record the reload of what ruff wrote')
  vim.lsp.stop_client(id)
  vim.wait(10000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
  finish(true, '')
end)
"""


def git(workspace: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=workspace, check=True, capture_output=True, text=True,
                          timeout=60)
    return done.stdout.strip()


def formatted_and_committed(head: str) -> Callable[[list[dict[str, Any]]], bool]:
    def until(steps: list[dict[str, Any]]) -> bool:
        return any(s["kind"] == "file_change" and s.get("origin") == "format" for s in steps) and \
            any(s["kind"] == "git" and s.get("sha") == head for s in steps)
    return until


@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_an_external_formatter_on_save_owns_the_lines_it_changed(
        version: str, collector: object, workspace: Path, env: dict[str, str], tmp_path: Path) -> None:
    (workspace / "app.py").write_text(BASE, encoding="utf-8")
    git(workspace, "add", "app.py")
    git(workspace, "commit", "-qm", "app")
    body = FORMAT_ON_SAVE % {"wait_reopened": WAIT_REOPENED}
    run_scenario(NEOVIMS[version], workspace, body, env, tmp_path)
    assert (workspace / "app.py").read_text(encoding="utf-8") == FORMATTED
    git(workspace, "commit", "-qam", "the work")
    head = git(workspace, "rev-parse", "HEAD")
    episode = seal(env, workspace, formatted_and_committed(head), "the format and the commit")
    steps = list(episode.steps())
    kinds = [(s.kind, getattr(s, "origin", None)) for s in steps]
    [write] = [s for s in steps if isinstance(s, FileChangeStep) and s.change == "modified"]
    assert (write.origin, write.origin_detail, write.changed_lines, write.text) == (
        "format", DETAIL, [[1, 1, 1, 1], [3, 1, 3, 1]], FORMATTED), kinds
    at = steps.index(write)
    saved = [n for n, s in enumerate(steps) if s.kind == "save" and getattr(s, "path", None) == "app.py"]
    assert saved and saved[0] < at, kinds  # the editor's save, then the formatter's write
    assert steps[at + 1].kind == "open" and getattr(steps[at + 1], "text", None) == FORMATTED, kinds  # reload
    authors = Authors(Workspace(episode.header.position_encoding))
    for step in steps:
        authors.apply(step)
        if isinstance(step, GitStep) and step.sha == head:
            break
    # Agent Trace at the commit: the format's two lines and the developer's line between them, all human;
    # the developer's line is hers, not taken away by the write (as a program's write would)
    assert list(authors.ranges("app.py")) == [("human", 1, 3)], kinds
    home = home_of(env)
    assert codetape(home, "verify", str(episode.path)).returncode == 0
    against = codetape(home, "verify", str(episode.path), "--against-git", str(workspace))
    assert against.returncode == 0 and against.stdout.startswith("ok"), (against.stdout, against.stderr)
