"""The steps a session holds back from its journal for a while, kept on disk meanwhile: `<episode>.pending`.

An editor's reload of a file an AI agent's tool is writing waits for the tool's result before it is
written (collector/daemon/reloads.py), and the editor's steps of that document after it wait behind it.
Each such step arrived, and the journal's promise is that a step that arrived survives the collector
being killed; so a held step is appended here first (one os.write, a frame as the journal's: `frames`),
and written to the journal when it is let go, after which a `release` frame says so. Frames hold msgpack
maps: `{"hold": N, "at": AT_MS, "seq": NEXT_SEQ, "step": STEP}` (N counts the holds of the file, NEXT_SEQ
is the journal's next sequence number then) and `{"release": N}`. The file is emptied whenever nothing is
held, and removed when the episode ends.

`settle` runs before a journal is sealed: a hold never released (the collector was killed meanwhile) is
appended to the journal at its own time, as it would have been written past its bound, unless the
journal already holds it after NEXT_SEQ (the collector was killed between its write and its `release`).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import msgpack

from collector.errors import JournalError
from collector.journal.frames import encode_frame, unpack_payload
from collector.journal.recovery import JournalScanner


def pending_path(journal: Path) -> Path:
    return journal.with_suffix(".pending")


class PendingLog:
    """The held steps of one open episode, on disk until they are written to its journal."""

    def __init__(self, journal: Path) -> None:
        self.path = pending_path(journal)
        self._fd: int | None = None
        self._seq = 0  # the next frame's
        self._count = 0  # holds written since the file was last emptied
        self._open: set[int] = set()

    def hold(self, at_ms: int, step: dict[str, Any], journal_seq: int) -> int:
        """Keep `step` (its plain form) on disk; returns the hold's number, for `release`."""
        number = self._count
        self._count += 1
        self._write({"hold": number, "at": at_ms, "seq": journal_seq, "step": step})
        self._open.add(number)
        return number

    def release(self, number: int) -> None:
        """The held step `number` is written to the journal now."""
        self._open.discard(number)
        if not self._open:
            self._empty()
        else:
            self._write({"release": number})

    def close(self) -> None:
        """The episode ended (everything let go): the file goes."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def _write(self, record: dict[str, Any]) -> None:
        if self._fd is None:
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
            self._fd = os.open(self.path, flags, 0o600)
        frame = encode_frame(self._seq, bytes(msgpack.packb(record, use_bin_type=True)))
        written = os.write(self._fd, frame)
        if written != len(frame):
            raise JournalError(f"{self.path}: a held step was written short ({written} of {len(frame)})")
        self._seq += 1

    def _empty(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.lseek(self._fd, 0, os.SEEK_SET)
        self._seq = self._count = 0


def unreleased(journal: Path) -> list[tuple[int, int, dict[str, Any]]]:
    """(at_ms, journal seq then, step) of each hold `<journal>.pending` names and does not release."""
    path = pending_path(journal)
    holds: dict[int, tuple[int, int, dict[str, Any]]] = {}
    try:
        for frame in JournalScanner(path).frames():
            record = unpack_payload(frame)
            if "release" in record:
                holds.pop(record["release"], None)
            elif isinstance(record.get("step"), dict):
                holds[record["hold"]] = (int(record["at"]), int(record["seq"]), record["step"])
    except JournalError:
        pass  # (a torn tail: the holds before it count; damage in the middle: those before it)
    return list(holds.values())


def settle(journal: Path) -> int:
    """Append to `journal` the held steps its `.pending` file names and it does not hold, at their times;
    remove the file. Returns how many were appended."""
    path = pending_path(journal)
    if not path.exists():
        return 0
    held = unreleased(journal)
    if not held:
        path.unlink()
        return 0
    from collector.journal.writer import JournalWriter  # (the step models: only when something is held)

    try:
        frames = list(JournalScanner(journal).frames())
    except JournalError:
        return 0  # damaged: sealed as it is (its good part), the held steps left beside it
    last_t = max((t for frame in frames[1:] if isinstance(t := unpack_payload(frame).get("t_ms"), int)),
                 default=0)
    added = 0
    with JournalWriter.reopen(journal) as writer:
        start_ms = int(writer.header.started_at.timestamp() * 1000)
        for at_ms, seq, plain in held:
            if any(_same(plain, unpack_payload(frame)) for frame in frames[max(1, seq):]):
                continue  # written, and the collector was killed before its release was
            last_t = max(last_t, at_ms - start_ms)
            writer.append(frame_step_of({**plain, "t_ms": last_t}))
            added += 1
    path.unlink()
    return added


def frame_step_of(plain: dict[str, Any]) -> Any:
    """The step a plain map is (as a journal frame decodes it)."""
    from schemas.steps import step_from_dict  # (the step models: only when something is held)

    return step_from_dict(plain)


def _same(held: dict[str, Any], written: dict[str, Any]) -> bool:
    keys = ("kind", "path", "version", "text", "sha256", "changes")
    return all(held.get(key) == written.get(key) for key in keys)


__all__ = ["PendingLog", "pending_path", "settle", "unreleased"]
