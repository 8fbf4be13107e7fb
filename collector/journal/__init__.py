"""The per-session journal: steps appended while recording, crash-safe, sealed into an episode later.

A journal is a sequence of frames and nothing else (see `frames`): frame 0 holds the episode header,
every later frame one step, with sequence numbers contiguous from 0. `writer` appends (one os.write per
frame, fsync in a background group commit), `recovery` reads back the intact prefix point in time and
tells a torn tail (cut away on reopen) from damage in the middle (JournalCorrupt).

The writer loads on first use (PEP 562): it builds the step models, which reading a journal
(`codetape episodes`) does not need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from collector.journal.frames import (
    MAX_PAYLOAD,
    JournalFrame,
    encode_frame,
    frame_step,
    unpack_header,
    unpack_payload,
)
from collector.journal.recovery import Damage, JournalScanner, ScanResult, scan_journal

if TYPE_CHECKING:
    from collector.journal.writer import DEFAULT_INTERVAL, JournalWriter


def __getattr__(name: str) -> Any:
    if name not in ("DEFAULT_INTERVAL", "JournalWriter"):
        raise AttributeError(f"module 'collector.journal' has no attribute {name!r}")
    # the writer (and msgspec's step structs) on first use: the hook and the bridge read frames only
    from collector.journal import writer

    value = getattr(writer, name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_INTERVAL", "MAX_PAYLOAD", "Damage", "JournalFrame", "JournalScanner", "JournalWriter",
    "ScanResult", "encode_frame", "frame_step", "scan_journal", "unpack_header", "unpack_payload",
]
