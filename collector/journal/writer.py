"""Appending to a journal while recording: one os.write per frame (or per batch), fsync left to the
group commit.

`append` returns a step's sequence number as soon as its frame's os.write returned: the step is then
acknowledged (it survives the collector being killed; `wait_durable` says when it survives power loss).
`append_many` writes a batch's frames with one os.write and acknowledges them all when it returned; a
crash during that write leaves a torn tail that recovery cuts at the last whole frame, so what remains
is a prefix of the batch and nothing acknowledged is lost.
A failed write (disk full, file too large, I/O error) is truncated away before JournalError is raised,
so the journal always ends on its last good frame and nothing acknowledged is lost; a failed batch is
then written frame by frame, so it keeps every frame before the one that fails, as `append` would.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

import msgspec

from collector.errors import JournalError
from collector.journal.committer import FsyncFn, GroupCommit
from collector.journal.frames import (
    MAX_PAYLOAD,
    JournalFrame,
    encode_frame,
    pack_header,
    unpack_header,
    unpack_payload,
)
from collector.journal.recovery import JournalScanner
from collector.platform.files import set_mode
from collector.platform.locks import try_lock
from collector.text.validation import first_error
from schemas import EpisodeHeader, Step
from schemas.common import checked, validated

WriteFn = Callable[[int, bytes | memoryview], int]


def _payload(step: Step) -> bytes:
    """The step's journal form: its plain form (`schemas.step_to_dict`) as msgpack."""
    payload: bytes = msgspec.msgpack.encode(step)
    return payload


DEFAULT_INTERVAL = 0.05
REOPEN_LOCK_WAIT_S = 2.0
LOCK_POLL_S = 0.005


class JournalWriter:
    """The only writer of one journal file (an exclusive flock keeps it that way)."""

    def __init__(self, path: Path, fd: int, header: EpisodeHeader, *, next_seq: int, end: int, last_t: int,
                 fsync: FsyncFn, interval: float, write: WriteFn) -> None:
        self.path = path
        self.header = header
        self._fd = fd
        self._next_seq = next_seq
        self._end = end
        self._last_t = last_t
        self._write = write
        self._lock = threading.Lock()
        self._closed = False
        self._broken: str | None = None
        self._commit = GroupCommit(fd, path, fsync=fsync, interval=interval, durable=next_seq - 1)

    @classmethod
    def create(cls, path: Path, header: EpisodeHeader, *, fsync: FsyncFn = os.fsync,
               interval: float = DEFAULT_INTERVAL, write: WriteFn = os.write) -> JournalWriter:
        """A new journal (0600) whose frame 0 is the header."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND
        try:
            fd = os.open(path, flags, 0o600)
        except FileExistsError:
            raise JournalError(f"journal {path} already exists; reopen it or seal it") from None
        except OSError as exc:
            raise JournalError(f"cannot create journal {path}: {exc.strerror}") from None
        try:
            set_mode(fd, 0o600)
            _lock(fd, path)
            writer = cls(path, fd, header, next_seq=0, end=0, last_t=0, fsync=fsync, interval=interval,
                         write=write)
        except BaseException:
            os.close(fd)
            path.unlink(missing_ok=True)
            raise
        try:
            with writer._lock:
                writer._append_frame(pack_header(checked(header)), 0)
        except JournalError:
            writer.close()
            path.unlink(missing_ok=True)
            raise
        return writer

    @classmethod
    def reopen(cls, path: Path, *, fsync: FsyncFn = os.fsync, interval: float = DEFAULT_INTERVAL,
               write: WriteFn = os.write, lock_wait: float = REOPEN_LOCK_WAIT_S) -> JournalWriter:
        """Continue a journal after a crash: cut its torn tail, append from the next sequence number.

        A lock still held is waited for up to `lock_wait` seconds: a child process another thread forks
        holds a copy of every open descriptor until it execs, so a journal this process has just closed
        (or written under another name and swapped in) can stay locked for that moment.
        Raises JournalCorrupt when the journal is damaged in the middle: seal it instead.
        """
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        except OSError as exc:
            raise JournalError(f"cannot open journal {path}: {exc.strerror}") from None
        try:
            _lock(fd, path, wait=lock_wait)
            header, last, end = _recover(path)
            if os.fstat(fd).st_size != end:
                os.ftruncate(fd, end)
            fsync(fd)  # what the crashed writer left in the page cache is durable before we go on
            last_t = unpack_payload(last).get("t_ms", 0) if last.seq else 0
            return cls(path, fd, header, next_seq=last.seq + 1, end=end,
                       last_t=last_t if isinstance(last_t, int) else 0, fsync=fsync, interval=interval,
                       write=write)
        except OSError as exc:
            os.close(fd)
            raise JournalError(f"cannot recover journal {path}: {exc.strerror}") from None
        except BaseException:
            os.close(fd)
            raise

    @property
    def next_seq(self) -> int:
        return self._next_seq

    @property
    def end(self) -> int:
        """Where the last whole frame written ends: every byte before it belongs to a complete frame."""
        return self._end

    @property
    def durable_seq(self) -> int:
        """The highest sequence number known to be on disk (-1 before the header is)."""
        return self._commit.durable

    def append(self, step: Step) -> int:
        """Write one step; returns its sequence number once the write returned (acknowledged)."""
        payload = _payload(step)
        with self._lock:
            if step.t_ms < self._last_t:
                raise JournalError(f"step at {step.t_ms} ms comes after one at {self._last_t} ms "
                                   f"in journal {self.path}")
            return self._append_frame(payload, step.t_ms)

    def append_many(self, steps: Sequence[Step]) -> int:
        """Write steps in order with one os.write; returns the last one's sequence number once that write
        returned (all acknowledged; -1 for no steps). On an error the frames before the failing step are
        written, as one `append` per step would have left them, and JournalError is raised."""
        payloads = [_payload(step) for step in steps]
        with self._lock:
            frames: list[tuple[bytes, int]] = []
            error: JournalError | None = None
            seq, last_t = self._next_seq, self._last_t
            for step, payload in zip(steps, payloads, strict=True):
                if step.t_ms < last_t:
                    error = JournalError(f"step at {step.t_ms} ms comes after one at {last_t} ms "
                                         f"in journal {self.path}")
                    break
                if len(payload) > MAX_PAYLOAD:
                    error = _too_large(self.path, len(payload))
                    break
                frames.append((encode_frame(seq + len(frames), payload), step.t_ms))
                last_t = step.t_ms
            if frames:
                self._append_frames(frames)
            if error is not None:
                raise error
            return self._next_seq - 1 if frames else -1

    def wait_durable(self, seq: int, timeout: float | None = None) -> bool:
        """Block until frames up to `seq` are fsynced; False if `timeout` seconds pass first."""
        return self._commit.wait(seq, timeout)

    def close(self) -> None:
        """Final fsync, stop the commit thread, release the journal. Safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        try:
            self._commit.close()
        finally:
            os.close(self._fd)

    def __enter__(self) -> JournalWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def _append_frame(self, payload: bytes, t_ms: int) -> int:
        if len(payload) > MAX_PAYLOAD:
            raise _too_large(self.path, len(payload))
        self._append_frames([(encode_frame(self._next_seq, payload), t_ms)])
        return self._next_seq - 1

    def _append_frames(self, frames: list[tuple[bytes, int]]) -> None:
        """Write whole (frame, t_ms) numbered from next_seq with one os.write; if that fails (it was cut
        back), again one at a time, so the frames before the failing one stay."""
        if self._closed:
            raise JournalError(f"journal {self.path} is closed")
        if self._broken is not None:
            raise JournalError(self._broken)
        self._commit.check()
        try:
            self._write_all(b"".join(frame for frame, _ in frames))
        except JournalError:
            if len(frames) == 1 or self._broken is not None:
                raise
            for frame, t_ms in frames:
                self._write_all(frame)
                self._end += len(frame)
                self._next_seq, self._last_t = self._next_seq + 1, t_ms
                self._commit.written(self._next_seq - 1)
            return
        self._end += sum(len(frame) for frame, _ in frames)
        self._next_seq, self._last_t = self._next_seq + len(frames), frames[-1][1]
        self._commit.written(self._next_seq - 1)

    def _write_all(self, frame: bytes) -> None:
        """One os.write; only if the kernel cuts it short (a size limit) is the rest retried, to learn why."""
        view, done = memoryview(frame), 0
        try:
            while done < len(frame):
                wrote = self._write(self._fd, view[done:] if done else frame)
                if wrote <= 0:
                    raise OSError(0, f"the write stopped after {done} of {len(frame)} bytes")
                done += wrote
        except OSError as exc:
            reason = exc.strerror or str(exc)
            try:
                os.ftruncate(self._fd, self._end)
            except OSError as undo:
                self._broken = (f"cannot write journal {self.path}: {reason}, nor truncate it back "
                                f"({undo.strerror}); reopen it to recover")
                raise JournalError(self._broken) from None
            raise JournalError(f"cannot write journal {self.path}: {reason}; it was cut back to its "
                               f"{self._next_seq} good frames, so nothing acknowledged was lost") from None


def _lock(fd: int, path: Path, *, wait: float = 0.0) -> None:
    deadline = time.monotonic() + wait
    while True:
        if try_lock(fd):
            return
        if time.monotonic() >= deadline:
            raise JournalError(f"journal {path} is in use by another writer")
        time.sleep(LOCK_POLL_S)


def _too_large(path: Path, size: int) -> JournalError:
    return JournalError(f"cannot write journal {path}: a step of {size} bytes is above the "
                        f"{MAX_PAYLOAD}-byte frame cap")


def _recover(path: Path) -> tuple[EpisodeHeader, JournalFrame, int]:
    """The header, the last intact frame and where it ends; JournalCorrupt on mid-file damage."""
    scanner = JournalScanner(path)
    header: EpisodeHeader | None = None
    last: JournalFrame | None = None
    for frame in scanner.frames():
        if frame.seq == 0:
            try:
                header = validated(unpack_header(frame), EpisodeHeader)
            except msgspec.ValidationError as exc:
                raise JournalError(f"journal {path} has an invalid header: {first_error(exc)}") from None
        last = frame
    if header is None or last is None:
        raise JournalError(f"journal {path} holds no header frame, so it recorded nothing; delete it")
    return header, last, last.offset + last.size
