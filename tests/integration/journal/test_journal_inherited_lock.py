"""A journal's lock goes with its descriptor into a process started while it was open."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from collector.errors import JournalError
from collector.journal import JournalWriter
from schemas import EpisodeHeader
from tests.unit.journal.test_writer import note, payloads
from tests.waiting import TIMEOUT_S


def test_reopen_waits_for_a_forked_child_that_still_holds_the_closed_journal(
        tmp_path: Path, episode_header: EpisodeHeader) -> None:
    """A child forked while the journal was open keeps its lock until the child execs or exits (seen
    once in CI: the header rewrite on an editor's hello, while the git watcher started git)."""
    path = tmp_path / "s.journal"
    writer = JournalWriter.create(path, episode_header)
    inherited = os.dup(writer._fd)  # the descriptor a fork would copy
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE,
                             pass_fds=[inherited])
    os.close(inherited)
    writer.close()  # only the child's copy holds the lock now
    try:
        with pytest.raises(JournalError, match="in use by another writer"):
            JournalWriter.reopen(path, lock_wait=0.05)
        reopened: list[JournalWriter] = []
        waiting = threading.Thread(
            target=lambda: reopened.append(JournalWriter.reopen(path, lock_wait=TIMEOUT_S)))
        waiting.start()
        assert child.stdin is not None
        child.stdin.close()  # the child exits, and its copy of the descriptor with it
        waiting.join(TIMEOUT_S)
        assert child.wait(TIMEOUT_S) == 0
    finally:
        child.kill()
        child.wait()
    [writer] = reopened
    writer.append(note(1))
    writer.close()
    assert [p.get("text") for p in payloads(path)][1:] == ["n"]
