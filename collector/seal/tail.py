"""Reading a journal while it is still written: only frames its writer said are whole, each CRC-checked.

The journal's writer (the collector) says how far the journal holds whole frames (`JournalWriter.end`),
and, once it closed the journal, that it is closed. `JournalTail` reads frames up to the byte it was
told and waits for the next word when it gets there, so a frame being written is never read. Anything
before that byte which is not the next intact frame (a bad CRC, a wrong sequence number, a length past
the end) is damage, and so is a journal replaced under it (a header rewrite): the tail then stops with
`TailDoubt` and the seal from the journal, which knows how to seal damage, is the one that counts.
Once closed, the journal is read to its end (under the lock `closing` takes) and must end on a whole frame,
and the bytes read while it was written must still be there as read (a CRC-32 of everything read is
kept, and the closed journal's prefix checked against it: one pass at C speed), so what was sealed ahead
is exactly what a seal from the journal reads.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from collector.errors import JournalError
from collector.journal import JournalFrame
from collector.journal.recovery import read_frame

CLOSED = None  # what `words` yields when the writer closed the journal


class TailDoubt(Exception):
    """What the tail read is not plainly the journal's whole, valid frames: seal from the journal instead."""


class JournalTail:
    """The frames of the journal at `path` in order; `words` yields how far whole frames reach (bytes),
    or CLOSED once the writer closed it, and blocks until the writer says more."""

    def __init__(self, path: Path, words: Iterator[int | None], closing: Callable[[], None]) -> None:
        self.path = path
        self._words = words
        self._closing = closing
        try:
            self._stream = open(path, "rb")  # noqa: SIM115 (closed by `close`)
        except OSError as exc:
            raise JournalError(f"cannot read journal {path}: {exc.strerror}") from None
        self._offset = 0
        self._seq = 0
        self._whole = 0  # bytes known to hold whole frames
        self._crc = 0  # of the bytes read so far
        self.closed = False
        self.read_closed = 0  # frames read once the journal was closed: how far behind its writer it was

    def frames(self, limit: int) -> list[JournalFrame]:
        """The next frames, at most `limit`, waiting for the writer when none is whole yet; [] at the end
        of a closed journal."""
        while self._offset >= self._whole:
            if self.closed:
                return []
            self._hear()
        frames: list[JournalFrame] = []
        start = self._offset
        while len(frames) < limit and self._offset < self._whole:
            frame = read_frame(self._stream, self._offset, self._seq, self._whole)
            if frame is None:
                raise TailDoubt(f"no intact frame {self._seq} at byte {self._offset} of {self.path.name}")
            frames.append(frame)
            self._offset, self._seq = self._offset + frame.size, self._seq + 1
        self.read_closed += len(frames) if self.closed else 0
        self._stream.seek(start)
        self._crc = zlib.crc32(self._stream.read(self._offset - start), self._crc)
        return frames

    def _hear(self) -> None:
        word = next(self._words)
        if word is not CLOSED:
            self._whole = max(self._whole, word)
            return
        self._closing()
        held, named = os.fstat(self._stream.fileno()), _stat(self.path)
        if named is None or (named.st_dev, named.st_ino) != (held.st_dev, held.st_ino):
            raise TailDoubt(f"{self.path.name} was replaced while it was read (its header rewritten)")
        if _crc(self._stream, self._offset) != self._crc:
            raise TailDoubt(f"{self.path.name} changed under what was already read of it")
        self._whole, self.closed = held.st_size, True

    def close(self) -> None:
        self._stream.close()


def _crc(stream: BinaryIO, end: int, block: int = 1 << 20) -> int:
    """The CRC-32 of the stream's first `end` bytes."""
    crc, stream_at = 0, 0
    stream.seek(0)
    while stream_at < end:
        data = stream.read(min(block, end - stream_at))
        if not data:
            return -1
        crc, stream_at = zlib.crc32(data, crc), stream_at + len(data)
    return crc


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None
