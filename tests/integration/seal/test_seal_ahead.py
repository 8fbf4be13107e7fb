"""The seal-ahead process (`python -m collector.seal.ahead`), driven as the collector drives it: a real
journal written step batch by step batch, the process told after each write how far whole frames reach,
then `finish`. What it seals is byte for byte the seal from the journal; whatever it cannot vouch for
leaves nothing behind and says why."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from collector.home import Home
from collector.journal import JournalWriter
from collector.seal.ahead import identity
from collector.workspace.registry import Registry
from schemas import EpisodeHeader, WorkspaceIdentity, step_from_dict
from tests.integration.seal.sealing_ahead import assert_same_seal, from_scratch, leftovers, session_steps
from tests.waiting import TIMEOUT_S, wait_for

BATCH = 97  # steps per journal write: frames cross every batch boundary of the seal's own


def _start(journal: Path, episodes: Path, workspace: Path, who: str | None = None,
           parent: int | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "collector.seal.ahead", str(journal), str(episodes),
                             str(workspace), who or identity(), str(parent or os.getpid())],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)


def _journal(journal: Path) -> JournalWriter:
    """A new journal, as the collector opens one before any process follows it."""
    header = EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.uuid4(),
                           started_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
                           workspace=WorkspaceIdentity(root_name="ws"))
    return JournalWriter.create(journal, header, fsync=lambda fd: None)


def _record(writer: JournalWriter, steps: list[dict[str, Any]],
            proc: subprocess.Popen[bytes]) -> JournalWriter:
    """Write the steps (t_ms one apart) in batches, telling the process after each write."""
    assert proc.stdin is not None
    for start in range(0, len(steps), BATCH):
        batch = [step_from_dict({**step, "t_ms": start + n}) for n, step in
                 enumerate(steps[start : start + BATCH])]
        writer.append_many(batch)
        proc.stdin.write(b"%d\n" % writer.end)
    return writer


def _finish(proc: subprocess.Popen[bytes]) -> dict[str, Any]:
    out, _ = proc.communicate(b"finish\n", timeout=300)
    reply: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return reply


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".codetape.toml").write_text("")
    return root


@pytest.mark.parametrize("seed", [3, 8])
def test_sealed_ahead_is_the_seal_from_the_journal_byte_for_byte(tmp_path: Path, workspace: Path,
                                                                  seed: int) -> None:
    journal, episodes = tmp_path / "e.journal", tmp_path / "episodes"
    writer = _journal(journal)
    proc = _start(journal, episodes, workspace)
    _record(writer, session_steps(seed, 0.06), proc).close()
    expected = from_scratch(journal, workspace, tmp_path / "scratch")
    reply = _finish(proc)
    assert proc.returncode == 0, reply
    assert_same_seal(Path(reply["path"]), expected)
    assert reply["steps"] > 1000 and reply["files"] >= 3
    assert journal.exists()  # the collector removes it once it has the result
    assert leftovers(episodes) == []


def test_a_journal_damaged_after_it_was_read_is_not_vouched_for(tmp_path: Path, workspace: Path) -> None:
    journal, episodes = tmp_path / "e.journal", tmp_path / "episodes"
    writer = _journal(journal)
    proc = _start(journal, episodes, workspace)
    _record(writer, session_steps(3, 0.02), proc)
    fd = os.open(journal, os.O_WRONLY)
    try:
        os.pwrite(fd, b"\xff", 300)  # inside an early frame, read or about to be read
    finally:
        os.close(fd)
    writer.close()
    reply = _finish(proc)
    assert proc.returncode == 1 and ("changed under" in reply["error"] or "no intact frame" in reply["error"])
    assert not episodes.exists() or os.listdir(episodes) == []


def test_an_allow_list_changed_while_recording_is_not_vouched_for(tmp_path: Path, workspace: Path) -> None:
    journal, episodes = tmp_path / "e.journal", tmp_path / "episodes"
    writer = _journal(journal)
    proc = _start(journal, episodes, workspace)
    _record(writer, session_steps(3, 0.02), proc)
    wait_for(lambda: leftovers(episodes), what="the process to start writing (it read the allow-list)")
    (workspace / ".codetape.toml").write_text('[redaction]\nallow = ["rule:github-token"]\n')
    Registry(Home(tmp_path)).accept(workspace, '[redaction]\nallow = ["rule:github-token"]\n')  # trusted
    writer.close()
    reply = _finish(proc)
    assert proc.returncode == 1
    assert reply["error"] == "the workspace's redaction allow-list changed while recording"
    assert not episodes.exists() or os.listdir(episodes) == []


def test_given_up_it_leaves_nothing(tmp_path: Path, workspace: Path) -> None:
    journal, episodes = tmp_path / "e.journal", tmp_path / "episodes"
    writer = _journal(journal)
    proc = _start(journal, episodes, workspace)
    _record(writer, session_steps(3, 0.02), proc)
    out, _ = proc.communicate(b"", timeout=300)  # stdin closed without `finish`
    writer.close()
    assert proc.returncode == 0 and out == b""
    assert not episodes.exists() or os.listdir(episodes) == []


def test_told_to_stop_it_removes_its_temporary_episode(tmp_path: Path, workspace: Path) -> None:
    """SIGTERM, which is also what it gets when its collector ends: it stops where it is (following the
    journal, stdin open), removes its temporary episode, and ends by that signal."""
    journal, episodes = tmp_path / "e.journal", tmp_path / "episodes"
    writer = _journal(journal)
    proc = _start(journal, episodes, workspace)
    _record(writer, session_steps(3, 0.02), proc)
    wait_for(lambda: leftovers(episodes), what="the process to start writing its episode")
    proc.terminate()
    assert proc.wait(timeout=TIMEOUT_S) == -signal.SIGTERM
    writer.close()
    assert os.listdir(episodes) == []


def test_started_by_a_parent_that_has_ended_it_stops_at_once(tmp_path: Path, workspace: Path) -> None:
    """A process whose PARENT ended before it could ask to end with it has been adopted (its parent pid is
    another): it stops before anything, not waiting for the end of its stdin (held open here)."""
    journal, episodes = tmp_path / "e.journal", tmp_path / "episodes"
    _journal(journal).close()
    ended = subprocess.Popen([sys.executable, "-c", ""])
    ended.wait()
    proc = _start(journal, episodes, workspace, parent=ended.pid)
    assert proc.wait(timeout=TIMEOUT_S) == -signal.SIGTERM
    assert proc.communicate() == (b"", None) and not episodes.exists()


def test_another_codetape_in_the_collector_is_not_vouched_for(tmp_path: Path, workspace: Path) -> None:
    journal, episodes = tmp_path / "e.journal", tmp_path / "episodes"
    proc = _start(journal, episodes, workspace, who="codetape 0.0.1, redaction rules 2020.1.1")
    reply = _finish(proc)
    assert proc.returncode == 1 and reply["error"].startswith("the collector runs codetape 0.0.1")
