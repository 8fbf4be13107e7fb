"""A build's exports without an example on both sides of the split (collector/export/edits/base/examples.py).

Run by the build once every export file of the build is published (the new episodes' and those exported
in a format new to the dataset), before its snapshot is taken: over OUT, so it is the same whichever
engine, process or Ray task wrote the files. For each format whose examples say a split, the files that
were there before the build (earlier builds', which their snapshots name: every other file of the format,
listed a folder at a time) are read, never changed; this build's (`added`, those it published) are
rewritten without the examples left out. It holds keys, never texts, and reads every file of those
formats once (this build's eval files twice when they lose an example).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyarrow as pa

from collector.dataset.errors import OutputFailed
from collector.dataset.output.output import Output
from collector.dataset.output.staged import FOLDER, write_chunks
from collector.export.edits.base.examples import KEYS, dedup, kept
from collector.export.formats import FORMATS

CHUNK = 1 << 20


@dataclass
class CrossSplit:
    """What the build left out, by format and side (`train`: identical to an eval example an earlier build
    published); eval examples of earlier builds identical to a train example, by format (0 unless a
    build before this rule published them)."""

    left_out: dict[str, Counter[str]] = field(default_factory=dict)
    leaks: Counter[str] = field(default_factory=Counter)


def earlier_files(out: Output, fmt: str, added: set[str]) -> Iterator[str]:
    """The export files of `fmt` in OUT but those `added` (not their Parquet twins, twins.py: written after
    this), a folder at a time."""
    return (path for path, _size in out.walk(f"{FOLDER}/{fmt}", FORMATS[fmt].suffix or "")
            if path not in added)


def dedup_build(out: Output, formats: list[str] | tuple[str, ...], added: Iterable[str]) -> CrossSplit:
    """Leave out of this build's export files (`added`: those it published) the examples identical to one
    on the other side."""
    done, files, published = CrossSplit(), OutFiles(out), set(added)
    for fmt in (fmt for fmt in formats if fmt in KEYS):
        suffix = FORMATS[fmt].suffix or ""
        now = sorted(path for path in published if path.split("/")[1] == fmt and path.endswith(suffix))
        result = dedup(fmt, files, now, earlier_files(out, fmt, published))
        done.left_out[fmt] = result.left_out
        done.leaks[fmt] = result.earlier_leaks
    return done


@dataclass
class OutFiles:
    """Export files in OUT, by their path relative to it."""

    out: Output
    chunk: int = CHUNK  # bytes read at a time

    def lines(self, name: str) -> Iterator[bytes]:
        yield from (line for line in self._read(name) if line.strip())

    def rewrite(self, name: str, drop: set[int]) -> None:
        try:
            write_chunks(self.out, name, kept(self._read(name), drop))
        except OSError as exc:
            raise OutputFailed(f"cannot write {self.out.describe(name)}: {exc}") from None

    def _read(self, name: str) -> Iterator[bytes]:
        """The file's lines, each with its line break, read CHUNK at a time."""
        try:
            with self.out.fs.open_input_stream(self.out.path(name)) as stream:
                carry = b""
                while chunk := stream.read(self.chunk):
                    *lines, carry = (carry + chunk).split(b"\n")
                    yield from (line + b"\n" for line in lines)
                if carry:
                    yield carry
        except (OSError, pa.ArrowException) as exc:
            raise OutputFailed(f"cannot read {self.out.describe(name)}: {exc}") from None
