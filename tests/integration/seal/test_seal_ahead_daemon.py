"""Sealing ahead through the real collector: a long episode is sealed by its seal-ahead process while it is
recorded, and the episode is the seal of the same journal from scratch, byte for byte; whenever the process
cannot vouch for it (killed, the allow-list changed, the journal damaged, the collector killed) the
collector seals from the journal as it always did, leaving nothing else behind.

The journal is kept for the comparison through a hard link made before the seal: the seal removes its
name, the link still reads the journal exactly as the collector sealed it."""

from __future__ import annotations

import contextlib
import os
import re
import select
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collector.daemon.ahead import STUCK_S, WALL_TIMES, finish_timeout
from collector.redact.scanning.ruleset import value_hash
from tests.integration.redact.test_redaction_seal import GH
from tests.integration.seal.sealing_ahead import assert_same_seal, from_scratch, leftovers, session_steps
from tests.support.collector_harness import (
    Daemon,
    codetape,
    episode_steps,
    running,
    settle,
    start_daemon,
)
from tests.waiting import TIMEOUT_S, wait_for

STARTED = re.compile(r"sealing episode (\S+) ahead \(process (\d+)\)")


@pytest.fixture(scope="module")
def steps() -> list[dict[str, Any]]:
    return session_steps(5, 0.04)  # ~1,900 steps: above the collector's threshold for sealing ahead


def _workspace(tmp_path: Path) -> tuple[Path, Path]:
    home, root = tmp_path / "home", tmp_path / "ws"
    root.mkdir()
    assert codetape(home, "init", str(root)).returncode == 0
    return home, root.resolve()


def _record(daemon: Daemon, root: Path, steps: list[dict[str, Any]]) -> tuple[Path, int]:
    """Send the steps, wait for the seal-ahead process; the journal's path and the process's pid."""
    with daemon.client() as client:
        assert client.hello(root, "bridge", position_encoding="utf-16")["recording"]
        client.send_steps([(1_000 + n, step) for n, step in enumerate(steps)])
        settle(client)
    found = wait_for(lambda: STARTED.search(daemon.log_text()), what="a seal-ahead process",
                     detail=daemon.log_text)
    assert found is not None
    return daemon.home.journals / f"{found.group(1)}.journal", int(found.group(2))


def _seal(daemon: Daemon, root: Path, journal: Path, kept: Path) -> Path:
    os.link(journal, kept)
    with daemon.client() as client:
        sealed = client.request("seal", workspace=str(root))
    assert sealed is not None
    assert not journal.exists() and leftovers(daemon.home.episodes) == []
    return Path(sealed["path"])


def test_a_long_episode_is_sealed_ahead(tmp_path: Path, steps: list[dict[str, Any]]) -> None:
    home, root = _workspace(tmp_path)
    with running(home) as daemon:
        journal, _ = _record(daemon, root, steps)
        episode = _seal(daemon, root, journal, tmp_path / "kept.journal")
        log = daemon.log_text()
    assert f"{journal.stem}: sealed ahead" in log and "not ahead" not in log
    assert_same_seal(episode, from_scratch(tmp_path / "kept.journal", root, tmp_path / "scratch"))


def test_a_killed_process_means_a_seal_from_the_journal(tmp_path: Path,
                                                        steps: list[dict[str, Any]]) -> None:
    home, root = _workspace(tmp_path)
    with running(home) as daemon:
        journal, pid = _record(daemon, root, steps)
        os.kill(pid, signal.SIGKILL)
        episode = _seal(daemon, root, journal, tmp_path / "kept.journal")
        log = daemon.log_text()
    assert f"{journal.stem}: sealing from the journal, not ahead: it exited with status -9" in log
    assert_same_seal(episode, from_scratch(tmp_path / "kept.journal", root, tmp_path / "scratch"))


def test_a_stuck_process_is_given_up_after_its_bound(tmp_path: Path, steps: list[dict[str, Any]]) -> None:
    """A process that never answers and uses no CPU (stopped here) is waited for STUCK_S, not the wall
    clock's bound (WALL_TIMES `finish_timeout`, 10 s of CPU and 3 s a MiB), then killed, and the journal
    sealed from scratch."""
    home, root = _workspace(tmp_path)
    with running(home) as daemon:
        journal, pid = _record(daemon, root, steps)
        assert WALL_TIMES * finish_timeout(journal) > 4 * STUCK_S
        os.kill(pid, signal.SIGSTOP)
        episode = _seal(daemon, root, journal, tmp_path / "kept.journal")
        log = daemon.log_text()
    gave_up = re.search(rf"{journal.stem}: sealing from the journal, not ahead: it did not finish in "
                        rf"(\d+) s, using no CPU for the last (\d+) s", log)
    assert gave_up is not None and int(gave_up.group(2)) == STUCK_S
    assert STUCK_S <= int(gave_up.group(1)) < 2 * STUCK_S
    assert not _alive(pid)
    assert_same_seal(episode, from_scratch(tmp_path / "kept.journal", root, tmp_path / "scratch"))


def test_an_allow_list_changed_while_recording_means_a_seal_from_the_journal(
        tmp_path: Path, steps: list[dict[str, Any]]) -> None:
    home, root = _workspace(tmp_path)
    with running(home) as daemon:
        journal, _ = _record(daemon, root, steps)
        wait_for(lambda: leftovers(daemon.home.episodes), what="the process to start writing (it read the "
                 "allow-list)", detail=daemon.log_text)
        with (root / ".codetape.toml").open("a", encoding="utf-8") as settings:
            settings.write(f'\n[redaction]\nallow = ["{value_hash(GH)}"]\n')
        assert codetape(home, "trust", str(root), "--yes").returncode == 0
        episode = _seal(daemon, root, journal, tmp_path / "kept.journal")
        log = daemon.log_text()
    assert "not ahead: the workspace's redaction allow-list changed while recording" in log
    assert GH in repr(episode_steps(episode))  # the allow-list at the seal is the one applied
    assert_same_seal(episode, from_scratch(tmp_path / "kept.journal", root, tmp_path / "scratch", home),
                     allowed=frozenset({GH}))


def test_a_damaged_journal_means_a_seal_from_the_journal(tmp_path: Path,
                                                         steps: list[dict[str, Any]]) -> None:
    home, root = _workspace(tmp_path)
    with running(home) as daemon:
        journal, _ = _record(daemon, root, steps)
        fd = os.open(journal, os.O_WRONLY)
        try:
            os.pwrite(fd, b"\xff", journal.stat().st_size // 2)
        finally:
            os.close(fd)
        episode = _seal(daemon, root, journal, tmp_path / "kept.journal")
        log = daemon.log_text()
    assert f"{journal.stem}: sealing from the journal, not ahead" in log
    expected = from_scratch(tmp_path / "kept.journal", root, tmp_path / "scratch")
    assert_same_seal(episode, expected)
    assert [s["reason"] for s in episode_steps(episode) if s["kind"] == "gap"] == ["journal_corrupt"]


def test_a_killed_collector_leaves_nothing_but_its_journal(tmp_path: Path,
                                                           steps: list[dict[str, Any]]) -> None:
    home, root = _workspace(tmp_path)
    daemon = start_daemon(home)
    try:
        journal, pid = _record(daemon, root, steps)
        _kill_collector(daemon, pid)
    finally:
        daemon.stop(signal.SIGKILL)
    assert journal.exists() and leftovers(daemon.home.episodes) == []
    assert not list(daemon.home.episodes.glob("*.ctape"))
    os.link(journal, tmp_path / "kept.journal")
    with running(home) as again:  # recovery seals the journal from scratch, as always
        recovered = wait_for(lambda: next(again.home.episodes.glob("*.ctape"), None),
                             what="the recovered episode")
        wait_for(lambda: not journal.exists(), what="the recovered journal to go")
    assert recovered is not None
    assert_same_seal(recovered, from_scratch(tmp_path / "kept.journal", root, tmp_path / "scratch"))


def test_a_seal_ahead_process_stops_where_it_is_when_its_collector_is_killed(
        tmp_path: Path, steps: list[dict[str, Any]]) -> None:
    """Killed with SIGKILL, the collector cannot stop its process: the process stops by itself, at once,
    and removes the temporary episode it was writing. Not on reading the end of its stdin, which it does
    only once it has caught up (niced, on a busy machine, minutes later), and never here: its stdin is held
    open by a second writer."""
    home, root = _workspace(tmp_path)
    daemon = start_daemon(home)
    try:
        journal, pid = _record(daemon, root, steps)
        wait_for(lambda: leftovers(daemon.home.episodes), what="the process to start writing its episode",
                 detail=daemon.log_text)
        _kill_collector(daemon, pid, stdin_held=True)
    finally:
        daemon.stop(signal.SIGKILL)
    assert journal.exists() and leftovers(daemon.home.episodes) == []
    assert not list(daemon.home.episodes.glob("*.ctape"))


def _kill_collector(daemon: Daemon, pid: int, *, stdin_held: bool = False) -> None:
    """SIGKILL the collector and wait, at most TIMEOUT_S, for its seal-ahead process `pid` to end: on a
    pidfd opened before (it names that process however late it ends, whatever takes its pid after), which
    turns readable when it ends; killed if it does not. `stdin_held`: a second writer holds its stdin."""
    pidfd = os.pidfd_open(pid)
    try:
        with _stdin_of(pid, daemon.proc.pid) if stdin_held else contextlib.nullcontext():
            daemon.stop(signal.SIGKILL)
            ended = select.select([pidfd], [], [], TIMEOUT_S)[0]
        if not ended:
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
    finally:
        os.close(pidfd)
    assert ended, f"the seal-ahead process {pid} still ran {TIMEOUT_S:g} s after its collector was killed"


@contextlib.contextmanager
def _stdin_of(pid: int, collector: int) -> Iterator[None]:
    """Hold process `pid`'s stdin open for writing, through the collector's end of the pipe: with it held,
    the process never reads the end of its stdin."""
    pipe = os.readlink(f"/proc/{pid}/fd/0")
    held = None
    for fd in Path(f"/proc/{collector}/fd").iterdir():
        with contextlib.suppress(OSError):  # a descriptor closed meanwhile
            if os.readlink(fd) == pipe:
                held = os.open(fd, os.O_WRONLY)
                break
    assert held is not None, f"the collector holds no end of {pipe}"
    try:
        yield
    finally:
        os.close(held)


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie no longer runs)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_a_rewritten_header_gets_a_new_process(tmp_path: Path, steps: list[dict[str, Any]]) -> None:
    """An editor saying hello to an episode a non-editor source began gives its header the editor's name:
    the journal is rewritten, and the process following the old one is replaced by one following it."""
    home, root = _workspace(tmp_path)
    with running(home) as daemon:
        journal, first = _record(daemon, root, steps)
        with daemon.client() as editor:
            editor.hello(root, "bridge", client={"name": "Visual Studio Code", "version": "1.95.3"})
            settle(editor)
            editor.send_steps([(9_000_000, {"kind": "note", "source": "cli", "text": "after the rewrite"})])
            settle(editor)
        again = wait_for(lambda: [int(m.group(2)) for m in STARTED.finditer(daemon.log_text())][1:],
                         what="a second seal-ahead process", detail=daemon.log_text)
        assert again[0] != first
        episode = _seal(daemon, root, journal, tmp_path / "kept.journal")
        log = daemon.log_text()
    assert f"{journal.stem}: sealing ahead stopped: its journal's header was rewritten" in log
    assert f"{journal.stem}: sealed ahead" in log and "not ahead" not in log
    assert any(step.get("text") == "after the rewrite" for step in episode_steps(episode))
    assert_same_seal(episode, from_scratch(tmp_path / "kept.journal", root, tmp_path / "scratch"))


def test_an_exclusion_added_while_recording_is_dropped_by_the_seal_ahead(
        tmp_path: Path, steps: list[dict[str, Any]]) -> None:
    """The header rewritten with the stricter settings gets a new process, which drops what they exclude;
    its episode is the seal from the journal's, byte for byte (issue 36, item 2)."""
    home, root = _workspace(tmp_path)
    gone = next(step["path"] for step in steps if step.get("path"))
    with running(home) as daemon:
        journal, pid = _record(daemon, root, steps)
        settings = root / ".codetape.toml"
        text = settings.read_text(encoding="utf-8")
        settings.write_text(text.replace('exclude = [', f'exclude = ["{gone}", ', 1), encoding="utf-8")
        wait_for(lambda: STARTED.search(daemon.log_text().split(f"(process {pid})", 1)[1]),
                 what="a new seal-ahead process for the rewritten header", detail=daemon.log_text)
        with daemon.client() as client:
            client.send_steps([(10_000_000, {"kind": "note", "text": "after the exclusion"})])
            settle(client)
        episode = _seal(daemon, root, journal, tmp_path / "kept.journal")
        log = daemon.log_text()
    assert f"{journal.stem}: sealing ahead stopped: its journal's header was rewritten" in log
    assert f"{journal.stem}: sealed ahead" in log and "not ahead" not in log
    sealed = episode_steps(episode)
    assert gone not in repr(sealed) and any(s["kind"] == "note" for s in sealed)
    assert_same_seal(episode, from_scratch(tmp_path / "kept.journal", root, tmp_path / "scratch", home))
