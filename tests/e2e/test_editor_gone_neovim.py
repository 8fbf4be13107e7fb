"""Issue 37, item 1, through real headless Neovim 0.11 and 0.7 (observe mode; the proxy is
tests/integration/test_editor_gone.py's, its editor a raw LSP client in front of pylsp): Neovim saves
and quits without closing app.py, another program then writes it, and the commit. The episode closes
app.py once the bridge is gone (`close`, source `collector`, reason `editor_gone`), so the replay,
`codetape checkout`, `transitions` and `file_states` hold the disk's text at the commit and at the end,
not Neovim's last buffer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from collector.demo.neovim import run_neovim
from collector.reconstruct.workspace import workspace_at
from collector.text.digest import sha256_text
from tests.e2e.conftest import built_dataset, codetape, saved_texts, seal
from tests.integration.collector_harness import summary
from tests.integration.dataset_helpers import replay_against_checkout

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
    codetape(env, "checkout", str(episode.header.episode_id), str(out))
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
