"""The steps a session holds back from its journal, kept on disk meanwhile (collector/journal/pending.py):
what is held and not released survives, and is written into the journal before it is sealed, once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from collector.journal import JournalScanner, JournalWriter, unpack_payload
from collector.journal.pending import PendingLog, pending_path, settle, unreleased
from schemas import EpisodeHeader, WorkspaceIdentity, step_from_dict, step_to_dict

START = 1_800_000_000_000


def journal(tmp_path: Path) -> JournalWriter:
    header = EpisodeHeader(codetape_version="0", episode_id=uuid.uuid4(),
                           started_at=datetime.fromtimestamp(START / 1000, UTC),
                           workspace=WorkspaceIdentity(root_name="ws"), position_encoding="utf-16")
    return JournalWriter.create(tmp_path / "e.journal", header)


def opened(text: str) -> dict[str, object]:
    return step_to_dict(step_from_dict({"kind": "open", "t_ms": 0, "source": "bridge", "path": "a.py",
                                        "language_id": "python", "text": text, "version": 0}))


def test_a_hold_not_released_is_written_once_at_its_time_and_the_file_goes(tmp_path: Path) -> None:
    writer = journal(tmp_path)
    writer.append(step_from_dict({"kind": "note", "t_ms": 10, "source": "bridge", "text": "before"}))
    log = PendingLog(writer.path)
    first = log.hold(START + 20, opened("one\n"), writer.next_seq)
    log.hold(START + 30, opened("two\n"), writer.next_seq)
    writer.append(step_from_dict({**opened("one\n"), "t_ms": 20}))
    log.release(first)
    # killed here: `two` was held, never written; `three` was written and killed before its release
    third = log.hold(START + 40, opened("three\n"), writer.next_seq)
    writer.append(step_from_dict({**opened("three\n"), "t_ms": 40}))
    writer.close()
    assert [at for at, _seq, _step in unreleased(writer.path)] == [START + 30, START + 40]
    assert third == 2
    assert settle(writer.path) == 1
    steps = [unpack_payload(frame) for frame in list(JournalScanner(writer.path).frames())[1:]]
    assert [(s.get("text"), s["t_ms"]) for s in steps] == [("before", 10), ("one\n", 20), ("three\n", 40),
                                                           ("two\n", 40)]
    assert not pending_path(writer.path).exists()
    assert settle(writer.path) == 0


def test_the_file_is_emptied_when_nothing_is_held_and_removed_at_the_end(tmp_path: Path) -> None:
    writer = journal(tmp_path)
    log = PendingLog(writer.path)
    log.release(log.hold(START, opened("one\n"), writer.next_seq))
    assert pending_path(writer.path).stat().st_size == 0 and unreleased(writer.path) == []
    log.close()
    assert not pending_path(writer.path).exists()
    writer.close()
