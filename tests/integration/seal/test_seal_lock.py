"""A seal waits for a journal's lock held a moment longer than its writer, as a child process between
fork and exec holds it (issue 9, item 13: seals failed under load with "still being written")."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from collector.errors import JournalError
from collector.journal import JournalWriter
from collector.seal.journal import SealResult, seal_journal
from schemas import EpisodeHeader, step_from_dict

HOLDER = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()  # until the test closes our stdin
"""


def journal_with_a_step(path: Path, header: EpisodeHeader) -> None:
    with JournalWriter.create(path, header) as writer:
        writer.append(step_from_dict({"kind": "note", "t_ms": 0, "source": "cli", "text": "hi"}))


def hold_lock(path: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def test_a_seal_waits_for_a_lock_released_after_the_writer_closed(tmp_path: Path,
                                                                 episode_header: EpisodeHeader) -> None:
    journal = tmp_path / "s.journal"
    journal_with_a_step(journal, episode_header)
    holder = hold_lock(journal)
    results: list[SealResult | BaseException | None] = []

    def seal() -> None:
        try:
            results.append(seal_journal(journal, tmp_path / "episodes", lock_wait_s=60))
        except BaseException as exc:  # reported by the assertion below
            results.append(exc)

    worker = threading.Thread(target=seal)
    worker.start()
    assert not results  # it cannot have finished: the lock is still held
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait(timeout=30)
    worker.join(timeout=60)
    assert len(results) == 1 and isinstance(results[0], SealResult), results
    assert results[0].steps == 1 and not journal.exists()


def test_a_lock_held_past_the_wait_is_a_busy_journal(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    journal = tmp_path / "s.journal"
    journal_with_a_step(journal, episode_header)
    holder = hold_lock(journal)
    try:
        with pytest.raises(JournalError, match="still being written; close its session first"):
            seal_journal(journal, tmp_path / "episodes", lock_wait_s=0.2)
        assert journal.exists()
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
