"""Issue 37, item 1, through real editors: headless Neovim 0.11 and 0.7 (observe mode), and Emacs with
codetape.el and eglot (the proxy in front of pylsp; the proxy with a raw LSP client is in
tests/integration/daemon/test_editor_gone.py). The editor saves and quits without closing the file, another
program then writes it (and, after Neovim, commits it). The episode closes the file once the bridge is gone
(`close`, source `collector`, reason `editor_gone`), so the replay, `codetape checkout`, `transitions` and
`file_states` hold the disk's text at the commit and at the end, not the editor's last buffer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from collector.demo.neovim import run_neovim
from collector.home import Home
from collector.reconstruct.workspace import workspace_at
from collector.text.digest import sha256_text
from tests.cli import codetape
from tests.e2e.conftest import built_dataset, home_of, saved_texts, seal
from tests.e2e.emacs.batch import CODETAPE_EGLOT, VISIT_FILE, run_emacs
from tests.support.collector_harness import summary, wait_recorded
from tests.support.dataset_helpers import replay_against_checkout

VENV_BIN = Path(sys.executable).parent
SETUPS = {
    "0.11 observe": (str(VENV_BIN / "nvim"), [sys.executable, "-m", "lsp_bridge"]),
    "0.7 observe": ("/usr/bin/nvim", [sys.executable, "-m", "lsp_bridge"]),
}
KEYS = ["Godef add(a, b):<CR>    return a - b<Esc>"]
FIXED = "# app\ndef add(a, b):\n    return a + b\n"


@pytest.mark.parametrize("setup", sorted(SETUPS))
def test_a_write_after_neovim_quit_is_the_file_everywhere(setup: str, collector: object, workspace: Path,
                                                           env: dict[str, str], tmp_path: Path) -> None:
    nvim, bridge = SETUPS[setup]
    (workspace / "app.py").write_text("# app\n", encoding="utf-8")
    disk = run_neovim(nvim, workspace, "app.py", bridge, KEYS, env=env, scratch=tmp_path)
    wait_recorded(Home(Path(env["CODETAPE_HOME"]).resolve()), workspace,
                  lambda steps: "close:app.py" in summary(steps), "the collector's close of app.py")
    (workspace / "app.py").write_text(FIXED, encoding="utf-8")  # sed, an agent: Neovim is gone
    subprocess.run(["git", "add", "app.py"], cwd=workspace, check=True)
    subprocess.run(["git", "commit", "-qm", "fix"], cwd=workspace, check=True)

    def done(steps: list[dict[str, object]]) -> bool:
        kinds = summary(steps)
        return "close:app.py" in kinds and "git:commit" in kinds and any(
            s["kind"] == "file_change" and s.get("sha256") == sha256_text(FIXED) for s in steps)

    episode = seal(env, workspace, done, "the close, the other program's write and the commit")
    assert saved_texts(episode, "app.py") == disk
    steps = list(episode.step_dicts())
    kinds = [(s["kind"], s.get("source"), s.get("reason")) for s in steps if s.get("path") == "app.py"]
    assert ("close", "collector", "editor_gone") in kinds, kinds
    closed = kinds.index(("close", "collector", "editor_gone"))
    assert kinds[closed + 1][0] == "file_change" and kinds.count(("close", "collector", "editor_gone")) == 1
    assert workspace_at(episode.header.position_encoding, episode.steps()).text("app.py") == FIXED
    out = tmp_path / "checkout"
    codetape(home_of(env), "checkout", str(episode.header.episode_id), str(out), check=True)
    assert (out / "app.py").read_text(encoding="utf-8") == FIXED

    dataset = built_dataset(env, episode, tmp_path)
    [uploaded] = (tmp_path / "uploads" / "episodes").glob("*.ctape")
    assert replay_against_checkout(tmp_path / "dataset", tmp_path / "team",
                                   {episode.header.episode_id: uploaded}, tmp_path, samples=2) >= 2
    last = dataset.execute("SELECT kind, after_sha256, diff FROM transitions WHERE path = 'app.py' "
                           "ORDER BY action DESC LIMIT 1").fetchone()
    assert last[:2] == ("file_change", sha256_text(FIXED)) and "+    return a + b\n" in last[2], last
    states = dataset.execute("SELECT step, event, sha256 FROM file_states WHERE path = 'app.py' "
                             "AND event IN ('commit', 'end') ORDER BY step").fetchall()
    assert [(event, sha) for _, event, sha in states] == [("commit", sha256_text(FIXED)),
                                                          ("end", sha256_text(FIXED))], (states, steps)


EMACS_QUITS = CODETAPE_EGLOT + VISIT_FILE + r"""
(goto-char (point-max))
(execute-kbd-macro "def add(a, b):\r    return a - b\r")
(eglot--signal-textDocument/didChange)
(save-buffer)
(copy-file buffer-file-name "%(out)s/1" t)
(eglot-shutdown (eglot-current-server))  ; Emacs quits with mod.py still in its buffer: no didClose
(kill-emacs 0)
"""


def test_a_write_after_emacs_quit_is_the_file(collector: object, workspace: Path, env: dict[str, str],
                                              tmp_path: Path) -> None:
    """codetape.el with eglot (the proxy in front of pylsp): Emacs saves and quits, another program writes."""
    (workspace / "mod.py").write_text("# mod\n", encoding="utf-8")
    out = run_emacs(EMACS_QUITS, workspace, env, tmp_path)
    wait_recorded(Home(Path(env["CODETAPE_HOME"]).resolve()), workspace,
                  lambda steps: "close:mod.py" in summary(steps), "the collector's close of mod.py")
    fixed = "# mod\ndef add(a, b):\n    return a + b\n"
    (workspace / "mod.py").write_text(fixed, encoding="utf-8")

    def done(steps: list[dict[str, object]]) -> bool:
        return "close:mod.py" in summary(steps) and any(
            s["kind"] == "file_change" and s.get("sha256") == sha256_text(fixed) for s in steps)

    episode = seal(env, workspace, done, "the close and the other program's write")
    assert saved_texts(episode, "mod.py") == [(out / "1").read_bytes()]
    kinds = [(s["kind"], s.get("source"), s.get("reason")) for s in episode.step_dicts()
             if s.get("path") == "mod.py"]
    assert kinds.count(("close", "collector", "editor_gone")) == 1, kinds
    assert kinds.index(("close", "collector", "editor_gone")) < [k[0] for k in kinds].index("file_change", 2)
    assert workspace_at(episode.header.position_encoding, episode.steps()).text("mod.py") == fixed
