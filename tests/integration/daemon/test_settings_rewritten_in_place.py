"""A settings file read while half written (issue 51, item 5), through one real collector: an editor that
saves `.codetape.toml` in place truncates it, then writes it. An episode that opens while the file is
empty takes its snapshot and records under the file's settings, not under the empty file's (what the
user accepted bounds those: no snapshot). collector/daemon/settings_watch.py."""

from __future__ import annotations

import time
from pathlib import Path

from collector.daemon.open_episode import capture_of
from collector.daemon.settings_watch import EMPTY_SETTLE_MS
from collector.episode import open_episode
from collector.errors import SettingsError
from collector.policy.toml import parse_model
from collector.protocol.clock import now_ms
from schemas.settings import WorkspaceSettings
from tests.support.collector_harness import git, opt_in, running, settle, wait_capturing

# looser than an empty file where the header shows it: an empty file's, bounded by these, is 1800 s, 2 MiB
SETTINGS = 'snapshot = "tracked"\nidle_timeout_s = 3600\nmax_file_bytes = 4194304\n'


def test_an_episode_opening_while_the_settings_file_is_rewritten_in_place_takes_its_snapshot(
        tmp_path: Path) -> None:
    home, root = tmp_path / "home", tmp_path / "ws"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "app.py").write_text("x = 1\n", encoding="utf-8")
    git(root, "add", "app.py")
    git(root, "commit", "-q", "-m", "the project")
    root = opt_in(root, SETTINGS, home=home)
    settings_file = root / ".codetape.toml"
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(root, "bridge")["recording"]
        wait_capturing(client, root)
        [workspace] = client.request("status")["workspaces"]
        assert workspace["episode"] is None and workspace["problem"] is None

        with open(settings_file, "r+", encoding="utf-8") as out:  # saved in place, as VS Code does
            out.truncate()
            emptied = time.monotonic()
            client.send_step(now_ms(), {"kind": "note", "source": "bridge", "text": "while it is empty"})
            settle(client)  # the step opened the episode
            opened_after = time.monotonic() - emptied
            out.write(SETTINGS)  # then written
        client.send_step(now_ms(), {"kind": "note", "source": "bridge", "text": "once it is written"})
        settle(client)
        [workspace] = client.request("status")["workspaces"]
        assert workspace["problem"] is None and workspace["tightened"] == []
        sealed = client.request("seal", workspace=str(root))
    assert opened_after < EMPTY_SETTLE_MS / 1000, f"the episode opened {opened_after:.1f} s after emptying"
    episode = open_episode(Path(sealed["path"]))
    steps = list(episode.step_dicts())
    assert (steps[0]["kind"], steps[0].get("reason"), steps[0]["t_ms"]) == ("gap", "snapshot", 0), steps[0]
    assert [file["path"] for file in steps[0]["state"]] == ["app.py"]
    full = parse_model(SETTINGS, WorkspaceSettings, SettingsError, settings_file)
    assert episode.header.capture == capture_of(full)  # the full file's settings, not the empty one's
    assert [step["text"] for step in steps[1:]] == ["while it is empty", "once it is written"]
