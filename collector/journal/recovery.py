"""Reading a journal back, point in time: the intact prefix, then what ended it.

A journal is read front to back, one frame in memory at a time. The prefix ends at the first frame
that is incomplete, fails its CRC, or does not carry the next sequence number. What follows is then
searched for any intact frame with a higher sequence number:

- none: the rest is a torn tail (a write cut short by a crash, a zero-filled or garbage end). Readers
  report its size; a writer reopening the journal truncates it.
- some: the journal is damaged in the middle. The prefix is still yielded, then JournalCorrupt names
  the offset and how many intact frames after it cannot be trusted. Nothing is dropped silently.

The search reads fixed-size windows and looks for plausible frame heads with a regular expression (a
non-zero length below the cap, a sequence number in the possible range), so zeros and garbage are
skipped at C speed and only candidates are CRC-checked.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from collector.errors import JournalCorrupt, JournalError
from collector.journal.frames import HEAD, MAX_SEQ, JournalFrame, frame_crc, plausible_length

WINDOW = 1024 * 1024


@dataclass(frozen=True)
class Damage:
    """Mid-file damage: where the prefix ends, and the intact frames found after it."""

    offset: int
    frames_after: int
    last_seq_after: int


@dataclass(frozen=True)
class ScanResult:
    """What a full pass found. `good_frames` counts the header frame (seq 0) too."""

    good_frames: int
    good_end: int
    file_size: int
    damage: Damage | None = None

    @property
    def torn_bytes(self) -> int:
        """Bytes after the intact prefix that hold no trustworthy frame (0 for a clean journal)."""
        return 0 if self.damage is not None else self.file_size - self.good_end

    @property
    def next_seq(self) -> int:
        return self.good_frames


class JournalScanner:
    """One streaming pass over a journal. `frames()` yields the intact prefix; then `result` is set."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.result: ScanResult | None = None

    def frames(self) -> Iterator[JournalFrame]:
        """Intact frames from seq 0; raises JournalCorrupt after them if intact frames follow a hole."""
        try:
            stream = open(self.path, "rb")  # noqa: SIM115 (closed below, across yields)
        except OSError as exc:
            raise JournalError(f"cannot read journal {self.path}: {exc.strerror}") from None
        with stream:
            size = os.fstat(stream.fileno()).st_size
            offset, seq = 0, 0
            while (frame := read_frame(stream, offset, seq, size)) is not None:
                yield frame
                offset, seq = offset + frame.size, seq + 1
            damage = _damage_after(stream, offset, seq, size)
        self.result = ScanResult(seq, offset, size, damage)
        if damage is not None:
            raise JournalCorrupt(
                f"journal {self.path} is damaged at byte {damage.offset}: {seq} good frames before it, "
                f"{damage.frames_after} intact frames after it cannot be trusted; "
                "seal it to keep the good part",
                offset=damage.offset, good_frames=seq, frames_after=damage.frames_after)


def scan_journal(path: Path) -> ScanResult:
    """Check a whole journal without changing it: the clean prefix and its torn tail, or JournalCorrupt."""
    scanner = JournalScanner(path)
    for _ in scanner.frames():
        pass
    assert scanner.result is not None
    return scanner.result


def read_frame(stream: BinaryIO, offset: int, seq: int, size: int) -> JournalFrame | None:
    """The intact frame with sequence number `seq` at `offset`, or None."""
    if size - offset < HEAD.size:
        return None
    stream.seek(offset)
    length, crc, found = HEAD.unpack(stream.read(HEAD.size))
    if found != seq or not plausible_length(length) or length > size - offset - HEAD.size:
        return None
    payload = stream.read(length)
    if len(payload) != length or frame_crc(length, seq, payload) != crc:
        return None
    return JournalFrame(seq, offset, payload)


def _damage_after(stream: BinaryIO, offset: int, seq: int, size: int) -> Damage | None:
    """Count the intact frames with seq >= `seq` anywhere after `offset`; None when there are none."""
    count, last, position = 0, -1, offset
    while (frame := find_frame(stream, position, seq, size)) is not None:
        while frame is not None:
            count, last = count + 1, frame.seq
            position, seq = frame.offset + frame.size, frame.seq + 1
            frame = read_frame(stream, position, seq, size)
    return Damage(offset, count, last) if count else None


def find_frame(stream: BinaryIO, start: int, lowest_seq: int, size: int) -> JournalFrame | None:
    """The first intact frame at or after `start` whose seq is `lowest_seq` or higher (and possible)."""
    highest = min(MAX_SEQ, lowest_seq + (size - start) // (HEAD.size + 1))
    if lowest_seq > highest:
        return None
    pattern = _head_pattern(lowest_seq, highest)
    for window_start in range(start, size - HEAD.size, WINDOW):
        stream.seek(window_start)
        window = stream.read(WINDOW + HEAD.size - 1)
        for match in pattern.finditer(window):
            if match.start() >= WINDOW:
                break
            if match.end() > match.start():
                continue  # a run of zeros, skipped whole
            frame = _candidate(stream, window_start + match.start(), lowest_seq, highest, size)
            if frame is not None:
                return frame
    return None


def _candidate(stream: BinaryIO, offset: int, lowest: int, highest: int, size: int) -> JournalFrame | None:
    stream.seek(offset)
    length, crc, seq = HEAD.unpack(stream.read(HEAD.size))
    if not lowest <= seq <= highest or not plausible_length(length) or length > size - offset - HEAD.size:
        return None
    payload = stream.read(length)
    if frame_crc(length, seq, payload) != crc:
        return None
    return JournalFrame(seq, offset, payload)


def _head_pattern(lowest: int, highest: int) -> re.Pattern[bytes]:
    """Offsets that could start a frame head: length 1..128 MiB, seq sharing the range's leading bytes."""
    low, high = lowest.to_bytes(8, "big"), highest.to_bytes(8, "big")
    shared = 0
    while shared < 8 and low[shared] == high[shared]:
        shared += 1
    return _pattern(low[:shared])


@functools.lru_cache(maxsize=64)
def _pattern(seq_prefix: bytes) -> re.Pattern[bytes]:
    head = rb"(?!\x00\x00\x00\x00)[\x00-\x08].{7}" + re.escape(seq_prefix) + rb".{%d}" % (8 - len(seq_prefix))
    # Zero runs (the usual torn tail) are consumed in one step, all but their last 3 bytes, where a
    # length field could still start.
    return re.compile(rb"\x00{13,}(?=\x00{3})|(?=" + head + rb")", re.DOTALL)
