"""What exporting one episode may cost, in proportion to the size of its file, whatever the episode holds.

A few kilobytes of zstd can stand for a file of megabytes edited a hundred times, or for texts that make
difflib quadratic: a 3 KB episode made the ProgSnap2 export write 419 MB, a 197 KB one made the ATIF
export spend 53 s diffing each edit burst. So each episode an export takes gets an `Allowance`:

    output  OUTPUT_FLOOR + OUTPUT_PER_BYTE bytes for each byte of the episode, whatever the format writes
            (files, CSV rows, code states: every name of a code state at its full size, hard-linked or
            not, as a copy of the export holds it, with its links and directories; progsnap2/base.py); past
            it the episode is refused (EpisodeError, one line), what it was writing is discarded and
            what was written before it stays
    diffs   DIFF_FLOOR + DIFF_PER_BYTE units of difflib work per byte (collector/text/linediff.py), shared
            by its edit bursts; a burst whose diff would pass what is left gets a coarse diff, marked

Recorded sessions stay far below both: the bench's sessions (100 KB, 20,000-27,000 steps) write at most
54 bytes per byte of episode (jsonl) and spend under a tenth of their diff work (bench/README.md,
"Hostile exports").
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Protocol

from collector.errors import EpisodeError
from collector.text.linediff import DiffWork

if TYPE_CHECKING:
    from collector.episode import Episode

OUTPUT_FLOOR = 64 << 20
OUTPUT_PER_BYTE = 256
DIFF_FLOOR = 4_000_000  # about a second of difflib
DIFF_PER_BYTE = 32


class Writes(Protocol):
    def write(self, data: bytes, /) -> int: ...


class Allowance:
    """One episode's allowance in one export: `spend(n)` before writing n bytes, `diffs` for its bursts."""

    def __init__(self, episode_bytes: int) -> None:
        self.episode_bytes = episode_bytes
        self.limit = OUTPUT_FLOOR + OUTPUT_PER_BYTE * episode_bytes
        self.written = 0
        self.diffs = DiffWork(DIFF_FLOOR + DIFF_PER_BYTE * episode_bytes)

    @classmethod
    def of(cls, episode: Episode) -> Allowance:
        try:
            return cls(os.path.getsize(episode.path))
        except OSError as exc:
            raise EpisodeError(f"cannot read {episode.path}: {exc.strerror}") from None

    def spend(self, size: int) -> None:
        """Count `size` bytes about to be written; EpisodeError when they would pass the limit."""
        if self.written + size > self.limit:
            limit = f"{self.limit / (1 << 20):,.1f} MiB"
            raise EpisodeError(f"its export would take more than {limit} ({OUTPUT_FLOOR >> 20} MiB and "
                               f"{OUTPUT_PER_BYTE} bytes for each of its {self.episode_bytes:,} bytes): a "
                               "damaged or hostile episode")
        self.written += size


class Capped:
    """A binary file whose writes are counted against an allowance first."""

    def __init__(self, out: Writes, allowance: Allowance) -> None:
        self.out = out
        self.allowance = allowance

    def write(self, data: bytes, /) -> int:
        self.allowance.spend(len(data))
        return self.out.write(data)
