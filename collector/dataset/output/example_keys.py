"""OUT/_keys/FORMAT/SIGNER/bNNNNN.parquet: the keys of the examples of a dataset's export files, so that a
build's split-crossing pass (cross_split.py) takes the earlier examples' keys from here instead of parsing
every earlier export file again (issue 107: at a million episodes that is hundreds of GB read per build).

One row per example of an export file in OUT/exports/FORMAT/SIGNER/: the file's `name` in that folder, its
`size` in bytes when it was indexed, the example's `split` and `key` (collector/export/edits/base/
examples.py `example_key`); a file without an example has one row with neither (so that it is known). Build
N writes bNNNNN.parquet in the folders it published files in, with their examples as the pass left them; a
name's rows in a later build's file replace those of an earlier one. A file's keys come from here only when
its size is the one indexed; otherwise (a dataset built before the index, a file changed) it is parsed. The
index is a cache: no snapshot or manifest names it, a file that cannot be read is passed over (its folder's
files parsed, the folder indexed again). It is outside exports/, whose files that are not export files a
build deletes (leftovers.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from collector.dataset.errors import OutputFailed
from collector.dataset.output.output import Output
from collector.export.edits.base.examples import KEY_BYTES

KEYS_FOLDER = "_keys"
MOST_FILES = 8  # index files a folder may have before they are merged into one
SCHEMA = pa.schema([pa.field("name", pa.dictionary(pa.int32(), pa.string()), nullable=False),
                    pa.field("size", pa.int64(), nullable=False),
                    pa.field("split", pa.dictionary(pa.int32(), pa.string())),
                    pa.field("key", pa.binary(KEY_BYTES))])
_FILE = re.compile(r"b(\d{5,})\.parquet")

# one export file's examples: its name in its folder, its bytes, the (split, key) of each example
Indexed = tuple[str, int, list[tuple[str, bytes]]]


def folder_of(fmt: str, signer: str) -> str:
    return f"{KEYS_FOLDER}/{fmt}/{signer}"


def index_file(fmt: str, signer: str, build: int) -> str:
    return f"{folder_of(fmt, signer)}/b{build:05d}.parquet"


def rows_of(files: list[Indexed]) -> pa.Table:
    """The index rows of `files` (SCHEMA)."""
    names: list[str] = []
    sizes: list[int] = []
    splits: list[str | None] = []
    keys: list[bytes | None] = []
    for name, size, examples in files:
        rows = max(len(examples), 1)  # a file without examples: one row with neither
        names += [name] * rows
        sizes += [size] * rows
        splits += [split for split, _key in examples] or [None]
        keys += [key for _split, key in examples] or [None]
    return pa.table([pa.array(names, pa.string()).dictionary_encode(), pa.array(sizes, pa.int64()),
                     pa.array(splits, pa.string()).dictionary_encode(), pa.array(keys, pa.binary(KEY_BYTES))],
                    schema=SCHEMA)


def pairs(rows: pa.Table) -> Iterator[tuple[str, bytes]]:
    """The (split, key) of the examples of `rows` (SCHEMA; not the rows of files without one): the keys cut
    from their column's buffer, the splits looked up in its dictionary (to_pylist costs several times
    that: this runs for every earlier example at every build)."""
    for batch in rows.filter(pc.is_valid(rows.column("key"))).to_batches():
        splits, keys = batch.column("split"), batch.column("key")
        values = splits.dictionary.to_pylist()
        start = keys.offset * KEY_BYTES
        data = keys.buffers()[1].to_pybytes()[start:start + len(keys) * KEY_BYTES]
        yield from zip([values[index] for index in splits.indices.to_pylist()],
                       [data[at:at + KEY_BYTES] for at in range(0, len(data), KEY_BYTES)], strict=True)


def write_index(out: Output, fmt: str, signer: str, build: int, rows: pa.Table) -> None:
    """Write `rows` (SCHEMA's columns, strings plain or dictionary-encoded) as build `build`'s index file of
    the folder, whole or not at all."""
    table = pa.table({column: _encoded(rows.column(column)) if column in ("name", "split")
                      else rows.column(column).cast(SCHEMA.field(column).type)
                      for column in SCHEMA.names}, schema=SCHEMA)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    out.folder(folder_of(fmt, signer))
    out.write(index_file(fmt, signer, build), sink.getvalue().to_pybytes())


def _encoded(column: pa.ChunkedArray) -> pa.Array:
    return pc.cast(column, pa.string()).combine_chunks().dictionary_encode()


@dataclass
class FolderKeys:
    """One folder's index as read: its files (relative paths, in build order), those that could not be read
    (`bad`), the rows of the others, and for each name the file its latest rows are in, with their size."""

    files: list[str] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)
    tables: list[tuple[pa.Table, int]] = field(default_factory=list)  # rows (SCHEMA), the names they have
    latest: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (its table, its size)
    replaced: bool = False  # a name has rows in two files (the earlier ones to go)

    def matching(self, listed: dict[str, int]) -> set[str]:
        """The names of `listed` (name -> bytes) whose latest rows were indexed at that size."""
        return {name for name, size in listed.items() if name in self.latest and self.latest[name][1] == size}

    def rows(self, names: set[str]) -> pa.Table:
        """The latest rows of `names` (SCHEMA)."""
        parts = [SCHEMA.empty_table()]
        for number, (table, count) in enumerate(self.tables):
            wanted = [name for name, (where, _size) in self.latest.items()
                      if where == number and name in names]
            if len(wanted) == count:  # (the whole file: most often)
                parts.append(table)
            elif wanted:
                parts.append(table.filter(pc.is_in(table.column("name"), value_set=pa.array(wanted))))
        return pa.concat_tables(parts)

    def stale(self, listed: dict[str, int]) -> bool:
        """Whether the folder's index is to be written again: a file could not be read, or it has rows no
        longer current (of a file not `listed`, or replaced by a later build's), or too many files."""
        return bool(self.bad) or self.replaced or len(self.files) > MOST_FILES \
            or any(name not in listed for name in self.latest)


def by_folder(out: Output, fmt: str) -> dict[str, list[str]]:
    """The index files of `fmt` (relative paths), by signer folder: listed at once (an entry or a few per
    folder; an object store's listing is a request per thousand entries, not one per folder)."""
    found: dict[str, list[str]] = {}
    start = len(KEYS_FOLDER) + len(fmt) + 2
    for path in out.sizes(f"{KEYS_FOLDER}/{fmt}", suffix=""):
        signer, _slash, rest = path[start:].partition("/")
        if rest:
            found.setdefault(signer, []).append(path)
    return found


def read_folder(out: Output, paths: list[str]) -> FolderKeys:
    """A folder's index files (`paths`), in build order, each read whole (a folder's: never more than
    that)."""
    found = FolderKeys()
    numbered = []
    for path in paths:
        match = _FILE.fullmatch(path.rsplit("/", 1)[1])
        if match is None or path.count("/") != 3:
            found.bad.append(path)  # not one this module writes
        else:
            numbered.append((int(match.group(1)), path))
    for _number, path in sorted(numbered):
        found.files.append(path)
        table = read_rows(out, path)
        names = None if table is None else _files(table)
        if table is None or names is None:
            found.bad.append(path)
            continue
        number = len(found.tables)
        found.tables.append((table, len(names)))
        for name, size in names:
            found.replaced = found.replaced or name in found.latest
            found.latest[name] = (number, size)
    return found


def _files(table: pa.Table) -> list[tuple[str, int]] | None:
    """The files `table` (SCHEMA, one chunk) has rows of, with their size; None unless each file's rows
    are together and of one size (as this module writes them)."""
    if not table.num_rows:
        return []
    names = table.column("name").chunk(0).indices
    sizes = table.column("size").chunk(0)
    start = pc.not_equal(names[1:], names[:-1])
    if not pc.all(pc.or_(start, pc.equal(sizes[1:], sizes[:-1])), min_count=0).as_py():
        return None  # two sizes for one file
    starts = pa.concat_arrays([pa.array([0], pa.int64()), pc.add(pc.indices_nonzero(start), 1)])
    if len(starts) != pc.count_distinct(names).as_py():
        return None  # a file's rows apart
    files = table.column("name").chunk(0).dictionary.take(names.take(starts)).to_pylist()
    return list(zip(files, sizes.take(starts).to_pylist(), strict=True))


def read_rows(out: Output, path: str) -> pa.Table | None:
    """An index file's rows (SCHEMA, one chunk), None when it cannot be read or is not one (a partial or
    foreign file: the folder is indexed again, by parsing its files)."""
    try:
        data = out.read(path)
    except OutputFailed:
        return None
    if data is None:
        return None
    try:
        table = pq.ParquetFile(pa.BufferReader(data)).read(use_threads=False)  # (small: threads cost more)
        if set(table.schema.names) != set(SCHEMA.names):
            return None
        for column in ("name", "split"):
            kind = table.schema.field(column).type
            if pa.types.is_dictionary(kind):
                kind = kind.value_type
            if not pa.types.is_string(kind):
                return None
        if table.schema.field("size").type != pa.int64() or \
                table.schema.field("key").type != pa.binary(KEY_BYTES):
            return None
        rows = pa.table({column: _encoded(table.column(column)) if column in ("name", "split")
                         and table.schema.field(column).type != SCHEMA.field(column).type
                         else table.column(column) for column in SCHEMA.names}, schema=SCHEMA)
        rows = rows.unify_dictionaries().combine_chunks()
    except (OSError, pa.ArrowException):
        return None
    if rows.column("name").null_count or rows.column("size").null_count or not _paired(rows):
        return None
    return rows


def _paired(rows: pa.Table) -> bool:
    """Every row has both a split and a key, or neither (a file without examples)."""
    if rows.num_rows == 0:
        return True
    same = pc.equal(pc.is_valid(rows.column("split")), pc.is_valid(rows.column("key")))
    return bool(pc.all(same).as_py())


def replace_folder(out: Output, fmt: str, signer: str, build: int, rows: pa.Table, files: list[str]) -> bool:
    """Make `rows` the folder's whole index: build `build`'s file (none when there are no rows), the folder's
    other `files` deleted; whether a file was written."""
    written = index_file(fmt, signer, build)
    if rows.num_rows:
        write_index(out, fmt, signer, build, rows)
    for path in files:
        if path != written or not rows.num_rows:
            out.delete(path)
    return bool(rows.num_rows)
