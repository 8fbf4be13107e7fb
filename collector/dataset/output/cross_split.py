"""A build's exports without an example on both sides of the split (collector/export/edits/base/examples.py).

Run by the build once every export file of the build is published (the new episodes' and those exported
in a format new to the dataset), before its snapshot is taken: over OUT, so it is the same whichever
engine, process or Ray task wrote the files. For each format whose examples say a split, the files that
were there before the build (earlier builds', which their snapshots name: every other file of the format)
are never changed; this build's (`added`, those it published) are rewritten without the examples left out.
It holds keys, never texts, and reads this build's files once (its eval files twice when they lose an
example).

The earlier examples' keys are taken a signer folder at a time (`Earlier`: memory bounded by one folder's,
never by the format's files): from the folder's key index (example_keys.py) for a file indexed at the size
it has, parsed from the file otherwise (a dataset built before the index, an index file that cannot be
read); the rule is the same either way. Then the index is brought up to date: each folder this build
published in gets the keys of its files as rewritten; a folder whose files had to be parsed gets theirs,
and one whose index names files no longer there (withdrawn, expired, a failed build's) or has too many
index files is written again with only the current rows (a withdrawn episode's keys go with its files).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from collector.dataset.errors import OutputFailed
from collector.dataset.output.example_keys import (
    Indexed,
    by_folder,
    index_file,
    pairs,
    read_folder,
    read_rows,
    replace_folder,
    rows_of,
    write_index,
)
from collector.dataset.output.output import Output
from collector.dataset.output.staged import FOLDER, write_chunks
from collector.export.edits.base.examples import KEYS, dedup, kept, parsed
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


def dedup_build(out: Output, formats: list[str] | tuple[str, ...], added: Iterable[str],
                build: int) -> CrossSplit:
    """Leave out of this build's export files (`added`: those it published) the examples identical to one
    on the other side; bring the key index up to date (build `build`'s files)."""
    done, published = CrossSplit(), set(added)
    for fmt in (fmt for fmt in formats if fmt in KEYS):
        suffix = FORMATS[fmt].suffix or ""
        now = sorted(path for path in published if path.split("/")[1] == fmt and path.endswith(suffix))
        files = OutFiles(out)
        earlier = Earlier(out, fmt, files, published, build)
        result = dedup(fmt, files, now, earlier.pairs())
        earlier.index_new(result.kept)
        done.left_out[fmt] = result.left_out
        done.leaks[fmt] = result.earlier_leaks
    return done


@dataclass
class Earlier:
    """The earlier examples of one format, a signer folder at a time (see the module docstring), and the
    index of those folders kept up to date."""

    out: Output
    fmt: str
    files: OutFiles
    published: set[str]  # this build's files (relative paths)
    build: int
    sizes: dict[str, int] = field(default_factory=dict)  # this build's files of the format, as listed
    current: set[str] = field(default_factory=set)  # signers whose index has this build's file already

    def pairs(self) -> Iterator[tuple[str, bytes]]:
        """The (split, key) of every earlier example of the format."""
        suffix = FORMATS[self.fmt].suffix or ""
        folders, loose = self.out.listing(f"{FOLDER}/{self.fmt}")
        # files right in the format's folder (none a build writes): parsed, not indexed
        yield from parsed(self.fmt, self.files, [path for path, _size in loose
                                                 if path.endswith(suffix) and path not in self.published])
        index = by_folder(self.out, self.fmt)
        for signer in sorted({path.rsplit("/", 1)[1] for path in folders} | set(index)):
            yield from self._folder(signer, suffix, index.pop(signer, []))

    def _folder(self, signer: str, suffix: str, paths: list[str]) -> Iterator[tuple[str, bytes]]:
        where = f"{FOLDER}/{self.fmt}/{signer}"
        listed: dict[str, int] = {}
        for path, size in self.out.walk(where, suffix):
            if path in self.published:
                self.sizes[path] = size
            else:
                listed[path[len(where) + 1:]] = size
        index = read_folder(self.out, paths)
        indexed = index.rows(index.matching(listed))
        yield from pairs(indexed)
        found: list[Indexed] = []
        for name, size in listed.items():
            if name not in index.latest or index.latest[name][1] != size:
                examples = list(parsed(self.fmt, self.files, [f"{where}/{name}"]))
                found.append((name, size, examples))
                yield from examples
        if found or index.stale(listed):
            rows = pa.concat_tables([indexed, rows_of(found)])
            if replace_folder(self.out, self.fmt, signer, self.build, rows, index.files + index.bad):
                self.current.add(signer)
        elif index_file(self.fmt, signer, self.build) in index.files:
            self.current.add(signer)

    def index_new(self, kept: dict[str, list[tuple[str, bytes]]]) -> None:
        """Index this build's files (`kept`: their examples left in), in their folders' file of this build."""
        folders: dict[str, list[Indexed]] = {}
        for path, examples in kept.items():
            parts = path.split("/", 3)
            size = self.files.written.get(path, self.sizes.get(path))
            if len(parts) == 4 and size is not None:
                folders.setdefault(parts[2], []).append((parts[3], size, examples))
        for signer, found in sorted(folders.items()):
            rows = rows_of(found)
            if signer in self.current:  # a compaction's rows, written before this build's files were done
                before = read_rows(self.out, index_file(self.fmt, signer, self.build))
                if before is not None:
                    names = pa.array([name for name, _size, _examples in found], pa.string())
                    rows = pa.concat_tables([before.filter(pc.invert(pc.is_in(before.column("name"),
                                                                              value_set=names))), rows])
            write_index(self.out, self.fmt, signer, self.build, rows)


@dataclass
class OutFiles:
    """Export files in OUT, by their path relative to it."""

    out: Output
    chunk: int = CHUNK  # bytes read at a time
    written: dict[str, int] = field(default_factory=dict)  # the files rewritten: their bytes now

    def lines(self, name: str) -> Iterator[bytes]:
        yield from (line for line in self._read(name) if line.strip())

    def rewrite(self, name: str, drop: set[int]) -> None:
        self.written[name] = 0
        try:
            write_chunks(self.out, name, self._counted(name, kept(self._read(name), drop)))
        except OSError as exc:
            raise OutputFailed(f"cannot write {self.out.describe(name)}: {exc}") from None

    def _counted(self, name: str, lines: Iterable[bytes]) -> Iterator[bytes]:
        for line in lines:
            self.written[name] += len(line)
            yield line

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
