"""The collector's commands as a person runs them: init, status, pause/resume, task, note, seal, episodes."""

from __future__ import annotations

import json
import tomllib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collector.episode import EpisodeWriter
from collector.episode.container import CONSENT
from collector.errors import CollectorError
from collector.home import Home
from collector.policy.recording import Policy
from collector.protocol.clock import now_ms
from schemas import EpisodeHeader, WorkspaceIdentity
from schemas.steps import NoteStep
from tests.support.collector_harness import (
    Daemon,
    codetape,
    codetape_process,
    episode_steps,
    opt_in,
    running,
    settle,
)


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[Daemon]:
    with running(tmp_path / "h") as started:
        yield started


def test_init_opts_in_with_commented_defaults_and_keeps_settings_that_are_ones_own(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    first = codetape(tmp_path / "h", "init", str(ws))
    assert first.returncode == 0, first.stderr
    text = (ws / ".codetape.toml").read_text()
    assert text.count("#") > 10
    settings = tomllib.loads(text)
    assert settings["channels"] == ["edits", "diagnostics", "tests", "commands", "git", "files"]
    assert settings["idle_timeout_s"] == 1800 and settings["max_file_bytes"] == 2 * 1024 * 1024
    assert Policy.load(ws).is_excluded("node_modules/x/index.js")
    (ws / ".codetape.toml").write_text("idle_timeout_s = 5\n")  # also drops the default exclusions
    again = codetape(tmp_path / "h", "init", str(ws))
    assert (again.returncode, again.stdout) == (
        0, f"already opted in: {ws.resolve()}\nsettings changed since you accepted them (.codetape.toml): "
           f"using the stricter of both; accept with `codetape trust {ws.resolve()}`\n")
    assert (ws / ".codetape.toml").read_text() == "idle_timeout_s = 5\n"
    forced = codetape(tmp_path / "h", "init", "--force", cwd=ws)
    assert forced.returncode == 0 and "idle_timeout_s = 1800" in (ws / ".codetape.toml").read_text()


def test_a_cloned_settings_file_opts_nothing_in_until_init_adopts_it(tmp_path: Path) -> None:
    """`status --json` lists it under `opted_in` (what editor extensions ask) only once adopted."""
    home, cloned = tmp_path / "h", tmp_path / "cloned"
    cloned.mkdir()
    (cloned / ".codetape.toml").write_text("idle_timeout_s = 7\n")
    (cloned / ".codetape.toml").chmod(0o664)
    status = codetape(home, "status", cwd=cloned)
    ignored = cloned.resolve() / ".codetape.toml"
    assert f"warning: {ignored} is ignored: {cloned.resolve()} was not opted in by you" in status.stdout
    assert json.loads(codetape(home, "status", "--json", cwd=cloned).stdout)["opted_in"] == []
    run = codetape_process(home, "run", "--", "true", cwd=cloned)
    assert (run.returncode, run.stderr) == (0, "")
    assert not Home(home).socket.exists()  # nothing was started, nothing recorded
    refused = codetape(home, "init", str(cloned))
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "is writable by group or others; fix it with: chmod go-w" in refused.stderr
    registry = home / "workspaces.json"
    assert not registry.exists() or str(cloned) not in registry.read_text()
    (cloned / ".codetape.toml").chmod(0o644)
    adopted = codetape(home, "init", str(cloned))
    assert adopted.returncode == 0 and "keeping the settings" in adopted.stdout
    assert (cloned / ".codetape.toml").read_text() == "idle_timeout_s = 7\n"
    assert "warning" not in codetape(home, "status", cwd=cloned).stdout
    assert json.loads(codetape(home, "status", "--json").stdout)["opted_in"] == [str(cloned.resolve())]


def test_status_without_a_collector_does_not_start_one(tmp_path: Path) -> None:
    home = tmp_path / "h"
    text = codetape(home, "status")
    assert text.returncode == 0 and text.stdout.startswith("collector: not running")
    data = json.loads(codetape(home, "status", "--json").stdout)
    assert data["running"] is False
    assert not Home(home).socket.exists()


def test_status_pause_resume_note_task_and_seal(daemon: Daemon, tmp_path: Path) -> None:
    ws = opt_in(tmp_path / "ws", home=tmp_path / "h")
    home = daemon.home.root
    assert codetape(home, "task", "start", "make the parser faster", cwd=ws).returncode == 0
    noted = codetape(home, "note", "tried caching first", "--dir", str(ws))
    assert noted.returncode == 0 and noted.stdout.startswith("noted at ")
    assert " in the recording of ws (episode " in noted.stdout
    paused = codetape(home, "pause", str(ws))
    assert paused.returncode == 0 and "paused" in paused.stdout
    refused = codetape(home, "note", "while paused", cwd=ws)  # it would not be recorded: none is sent
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr == f"codetape: recording is paused in {ws}: the note was not recorded " \
                             f"(run: codetape resume {ws})\n"
    with daemon.client() as client:  # a step sent while paused is dropped, and counted in the pause's gap
        client.request("note", workspace=str(ws), text="while paused")
    status = json.loads(codetape(home, "status", "--json").stdout)
    assert status["running"] is True and status["pid"] == daemon.proc.pid
    [workspace] = status["workspaces"]
    assert workspace["root"] == str(ws) and workspace["paused"] is True
    assert workspace["steps"] == 2 and workspace["bytes"] > 0 and workspace["episode"]
    assert codetape(home, "resume", cwd=ws).returncode == 0
    text = codetape(home, "status").stdout
    assert f"{ws}: recording, episode {workspace['episode']}" in text and "3 steps" in text
    done = codetape(home, "task", "done", "--outcome", "pass", "--dir", str(ws))
    assert done.returncode == 0, done.stderr
    assert f"sealed {workspace['episode']}" in done.stdout and "(4 steps, 0 files)" in done.stdout
    steps = episode_steps(daemon.home.episodes / f"{workspace['episode']}.ctape")
    assert [s["kind"] for s in steps] == ["task", "note", "gap", "task"]  # plus nothing from the pause
    assert steps[0]["statement"] == "make the parser faster" and steps[0]["source"] == "cli"
    assert steps[2]["reason"] == "paused" and steps[2]["lost_steps"] == 1
    assert steps[3] == {**steps[3], "action": "done", "outcome": "pass"}
    nothing = codetape(home, "seal", str(ws))
    assert nothing.returncode == 0 and nothing.stdout.strip() == "nothing recorded"


def test_a_workspace_not_opted_in_fails_with_one_line(daemon: Daemon, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    done = codetape(daemon.home.root, "note", "x", cwd=plain)
    assert done.returncode == 1
    assert done.stderr == f"codetape: workspace {plain} is not opted in (run: codetape init {plain})\n"


def _signed_episode(directory: Path) -> Path:
    header = EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.uuid4(),
                           started_at=datetime(2026, 1, 2, tzinfo=UTC),
                           workspace=WorkspaceIdentity(root_name="w"))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{header.episode_id}.ctape"
    with open(path, "wb") as out:
        writer = EpisodeWriter(out, header)
        writer.add(NoteStep(t_ms=5, source="cli", text="x"))
        writer.add_frame(CONSENT, b"consent statement and signature", 0)
        writer.close()
    return path


def test_episodes_lists_sealed_signed_recording_and_damaged(daemon: Daemon, tmp_path: Path) -> None:
    ws = opt_in(tmp_path / "ws", home=tmp_path / "h")
    with daemon.client() as client:
        client.hello(ws, "bridge")
        client.send_step(now_ms(), {"kind": "note", "source": "bridge", "text": "one"})
        sealed = client.request("seal", workspace=str(ws))
        client.send_step(now_ms(), {"kind": "note", "source": "bridge", "text": "two"})
        settle(client)
        recording = client.request("status")["workspaces"][0]["episode"]
    signed = _signed_episode(daemon.home.episodes)
    (daemon.home.episodes / "broken.ctape").write_bytes(b"\x89CTP\r\n\x1a\n\x00\x01")
    listed = codetape(daemon.home.root, "episodes", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {row["id"]: row for row in json.loads(listed.stdout)}
    assert rows[sealed["episode"]]["state"] == "sealed"
    assert rows[sealed["episode"]]["workspace"] == "ws" and rows[sealed["episode"]]["steps"] == 1
    assert rows[sealed["episode"]]["start"] <= rows[sealed["episode"]]["end"]
    assert rows[recording]["state"] == "recording" and rows[recording]["steps"] == 1
    assert rows[signed.stem]["state"] == "signed"
    assert rows["broken"]["state"].startswith("damaged: ")
    text = codetape(daemon.home.root, "episodes").stdout
    assert sealed["episode"][:8] in text and "damaged" in text


def test_discard_deletes_unsigned_episodes_and_refuses_signed_ones(daemon: Daemon, tmp_path: Path) -> None:
    ws = opt_in(tmp_path / "ws", home=tmp_path / "h")
    signed = _signed_episode(daemon.home.episodes)
    with daemon.client() as client:
        client.hello(ws, "bridge")
        client.send_step(now_ms(), {"kind": "note", "source": "bridge", "text": "one"})
        sealed = client.request("seal", workspace=str(ws))
        with pytest.raises(CollectorError, match="is signed"):
            client.request("discard", episode=signed.stem[:12])
        with pytest.raises(CollectorError, match="no episode"):
            client.request("discard", episode="0000")
        with pytest.raises(CollectorError, match="not an episode in"):
            client.request("discard", episode=str(tmp_path / "elsewhere.ctape"))
        assert client.request("discard", episode=sealed["episode"][:8])["path"] == sealed["path"]
    assert signed.exists() and not Path(sealed["path"]).exists()
