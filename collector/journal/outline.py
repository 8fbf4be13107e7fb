"""A journal's outline for listing it: its header frame, how many steps follow, the last step's time.

`codetape episodes` lists the journals being recorded, and a long session's journal holds tens of
thousands of frames: reading and checking every payload (the scanner's pass) took ~0.45 s at 60,000
steps. The outline walks the frames' heads over a memory map instead: each frame's sequence number must
follow the one before and its length must fit, and the walk must end exactly at the end of the file.
Only the header frame and the last frame are read and checked against their CRC.

What the outline does not notice is a payload damaged in place whose frame head is intact: that is found
when the journal is sealed (the episode then ends in a `gap` step). Anything else (a torn tail while the
collector writes, a hole with intact frames after it, a failing CRC of the first or last frame) is left
to the scanner's full pass (`outline` returns None), so that damage is named as it always was.
"""

from __future__ import annotations

import mmap
import os
from dataclasses import dataclass
from pathlib import Path

from collector.errors import JournalError
from collector.journal.frames import HEAD, JournalFrame, frame_crc


@dataclass(frozen=True)
class Outline:
    """The header frame, the number of steps after it, and the last frame (the header when none)."""

    header: JournalFrame
    steps: int
    last: JournalFrame


def outline(path: Path) -> Outline | None:
    """The outline of a plainly intact journal; None when the scanner's full pass must decide."""
    try:
        with open(path, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if size < HEAD.size:
                return None
            with mmap.mmap(stream.fileno(), size, access=mmap.ACCESS_READ) as mapped:
                return _walk(mapped, size)
    except OSError as exc:
        raise JournalError(f"cannot read journal {path}: {exc.strerror}") from None


def _walk(mapped: mmap.mmap, size: int) -> Outline | None:
    unpack = HEAD.unpack_from
    offset, seq, last = 0, 0, 0
    while size - offset >= HEAD.size:
        length, _, found = unpack(mapped, offset)
        end = offset + HEAD.size + length
        if found != seq or length == 0 or end > size:
            return None
        last, offset, seq = offset, end, seq + 1
    if offset != size:
        return None
    header, final = _checked(mapped, 0, 0), _checked(mapped, last, seq - 1)
    if header is None or final is None:
        return None
    return Outline(header, seq - 1, final)


def _checked(mapped: mmap.mmap, offset: int, seq: int) -> JournalFrame | None:
    """The frame at `offset` when its CRC holds."""
    length, crc, _ = HEAD.unpack_from(mapped, offset)
    payload = mapped[offset + HEAD.size:offset + HEAD.size + length]
    return JournalFrame(seq, offset, payload) if frame_crc(length, seq, payload) == crc else None
