"""Writing a table's new rows as Parquet under OUT: one file per month partition per build, bounded memory.

Episodes arrive in source order (by SHA-256), their months mixed, so rows cannot go straight into one file
per month without holding them all. `TableWriter` holds a few MiB of rows (`flush`), then spills them
per month as LZ4-compressed Arrow IPC (less CPU than zstd, about twice the size) into a local scratch
directory; `close` copies each month's spill into `TABLE/month=YYYY-MM/part-b<build>-<stem><n>.parquet`
(zstd, row groups of ROW_GROUP_ROWS, or fewer when they would hold more than ROW_GROUP_BYTES: a few file
states can hold megabytes each; a new file every FILE_ROW_GROUPS groups), one row group in memory at a
time (the spill is read, not mapped: mapped pages would count as the process's memory), leaving out the
rows of episodes found to be duplicates after their rows were added (the local engine's workers write
before the parent has ruled). `rewrite` copies one file without some episodes'
rows (an episode: its id and its signer's key id), a batch at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from collector.dataset.errors import OutputFailed
from collector.dataset.output.output import Output
from collector.dataset.rows.tables import COMPRESSION, PARTITION, ROW_GROUP_ROWS, TABLES, partitioned

FILE_ROW_GROUPS = 16
GATHER = 64  # tables a partition holds before they are gathered into one (TableWriter._hold)
ROW_GROUP_BYTES = 16 << 20
_SPILL = pa.ipc.IpcWriteOptions(compression="lz4")  # fast: the rows are compressed again as Parquet


def part_prefix(build: int) -> str:
    return f"part-b{build:05d}-"


class TableWriter:
    """One table's new rows in this build: held, spilled per month, written out by `close`."""

    def __init__(self, out: Output, table: str, build: int, scratch: Path, stem: str = "w") -> None:
        self.out, self.table, self.build, self.stem = out, table, build, stem
        self.schema: pa.Schema = TABLES[table]
        self.file_schema = self.schema  # (`month` in the files too: rows/tables.py)
        self.scratch = scratch
        self.pending: dict[str, list[pa.Table]] = {}  # partition -> its rows held, in the order added
        self.held = 0
        self.spills: dict[str, tuple[Path, pa.ipc.RecordBatchStreamWriter]] = {}  # partition -> its spill
        self.episodes: dict[str, list[tuple[str, int]]] = {}  # partition -> (episode sha256, rows), in order

    def add(self, rows: pa.Table, month: str | None = None, sha256: str | None = None) -> None:
        """Hold `rows`, each partition's apart (the partition column kept: rows/tables.py says why).
        `month`, when the caller knows it, is the partition of every row (an episode's rows); `sha256`, when
        given with it, names their episode, so that `close` can leave them out."""
        if not rows.num_rows:
            return
        self.held += rows.get_total_buffer_size()  # (nbytes, which leaves out what slices share, is slower)
        if not partitioned(self.table):
            self._hold("", rows)
            return
        if month is not None:
            self._hold(month, rows)
            if sha256 is not None:
                self.episodes.setdefault(month, []).append((sha256, rows.num_rows))
            return
        months = rows.column(PARTITION)
        for value in pc.unique(months).to_pylist():
            self._hold(str(value), rows.filter(pc.equal(months, value)))

    def _hold(self, partition: str, rows: pa.Table) -> None:
        """Hold `rows` in `partition`, gathering every GATHER tables held there into one: a table of an
        episode's one row (`episodes` in the build's process) costs about 80 KB of memory in its columns'
        objects and buffers against the 3 KB `held` counts, so a thousand of them grew a build's process by
        80 MB before the count called for a spill (bench/README.md, "Dataset build")."""
        tables = self.pending.setdefault(partition, [])
        tables.append(rows)
        if len(tables) >= GATHER:
            self.pending[partition] = [pa.concat_tables(tables).combine_chunks()]

    def flush(self) -> None:
        """Spill what is held, each month to its own file."""
        pending, self.pending, self.held = self.pending, {}, 0
        # each month's rows as one batch: spilled as a batch per episode, an episode's few rows of a small
        # table (episodes, commands) would cost an LZ4 frame per column each, more than copying them; and
        # gathered by month as they come, not filtered out of all the rows held: a filter of a table of one
        # chunk per episode costs per chunk and per column
        for partition, tables in pending.items():
            self._spill(partition).write_table(pa.concat_tables(tables).combine_chunks())

    def _spill(self, partition: str) -> pa.ipc.RecordBatchStreamWriter:
        if partition not in self.spills:
            path = self.scratch / f"{self.table}-{self.stem}-{len(self.spills)}.arrows"
            self.spills[partition] = path, pa.ipc.new_stream(str(path), self.file_schema, options=_SPILL)
        return self.spills[partition][1]

    def close(self, dropped: Collection[str] = ()) -> dict[str, int]:
        """Write every month's rows as Parquet under OUT, but those of the episodes `dropped` (by sha256,
        as `add` was told); the files written (relative path -> rows)."""
        self.flush()
        written: dict[str, int] = {}
        for partition, (path, spill) in sorted(self.spills.items()):
            spill.close()
            folder = f"{self.table}/{PARTITION}={partition}" if partition else self.table
            written.update(self._write(path, folder, _kept(self.episodes.get(partition, []), dropped)))
            path.unlink()
        self.spills, self.episodes = {}, {}
        return written

    def _write(self, spill: Path, folder: str, kept: pa.Array | None) -> dict[str, int]:
        self.out.folder(folder)
        try:
            with pa.OSFile(str(spill)) as source:
                batches = _filtered(pa.ipc.open_stream(source), kept)
                return write_parts(self.out, self.table, self.file_schema, batches,
                                   f"{folder}/{part_prefix(self.build)}{self.stem}")
        except (OSError, pa.ArrowException) as exc:
            raise OutputFailed(f"cannot write {self.out.describe(folder)}: {exc}") from None


def write_parts(out: Output, table: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch],
                prefix: str) -> dict[str, int]:
    """Write `batches` in row groups of the table's size as `<prefix><n>.parquet` under OUT, a new file every
    FILE_ROW_GROUPS groups; the files written (relative path -> rows). Arrow's errors go to the caller."""
    group = ROW_GROUP_ROWS[table]
    written: dict[str, int] = {}
    writer: pq.ParquetWriter | None = None
    name, groups = "", 0
    for rows in _row_groups(batches, group):
        if writer is None or groups == FILE_ROW_GROUPS:
            if writer is not None:
                writer.close()
            name = f"{prefix}{len(written) + 1:04d}.parquet"
            writer = pq.ParquetWriter(out.path(name), schema, filesystem=out.fs, compression=COMPRESSION)
            groups, written[name] = 0, 0
        writer.write_table(rows, row_group_size=group)
        groups, written[name] = groups + 1, written[name] + rows.num_rows
    if writer is not None:
        writer.close()
    return written


def _kept(episodes: list[tuple[str, int]], dropped: Collection[str]) -> pa.Array | None:
    """A mask over a partition's rows, false for those of `dropped` episodes; None when it keeps them all."""
    if not dropped or not any(sha256 in dropped for sha256, _rows in episodes):
        return None
    return pa.concat_arrays([pa.repeat(sha256 not in dropped, rows) for sha256, rows in episodes])


def _filtered(batches: Iterable[pa.RecordBatch], kept: pa.Array | None) -> Iterator[pa.RecordBatch]:
    """The spilled batches, in order, each without the rows `kept` (over all of them) leaves out."""
    if kept is None:
        yield from batches
        return
    offset = 0
    for batch in batches:
        mask = kept.slice(offset, batch.num_rows)
        offset += batch.num_rows
        if len(mask) != batch.num_rows:
            raise OutputFailed("a spill holds rows of episodes it was not told of; this is a bug in codetape")
        yield batch.filter(mask)


def _row_groups(reader: Iterable[pa.RecordBatch], rows: int,
                size: int = ROW_GROUP_BYTES) -> Iterator[pa.Table]:
    """The spilled batches regrouped into tables of `rows` rows (the last one smaller), or fewer rows
    where they would take more than about `size` bytes."""
    held: list[pa.RecordBatch] = []
    count = held_bytes = 0
    for batch in reader:
        for piece in _pieces(batch, size):
            held.append(piece)
            count, held_bytes = count + piece.num_rows, held_bytes + piece.nbytes
            while count >= rows:
                table = pa.Table.from_batches(held)
                yield table.slice(0, rows)
                rest = table.slice(rows)
                held, count, held_bytes = rest.to_batches(), rest.num_rows, rest.nbytes
            if held_bytes >= size:
                yield pa.Table.from_batches(held)
                held, count, held_bytes = [], 0, 0
    if count:
        yield pa.Table.from_batches(held)


def _pieces(batch: pa.RecordBatch, size: int) -> list[pa.RecordBatch]:
    """`batch` in slices of about `size` bytes at most (one row each at the least)."""
    if batch.nbytes <= size or batch.num_rows <= 1:
        return [batch]
    step = max(1, batch.num_rows * size // batch.nbytes)
    return [batch.slice(start, step) for start in range(0, batch.num_rows, step)]


EpisodeKey = tuple[str, str]  # (episode id, signer key id): one episode in every table


def rewrite(out: Output, table: str, source: str, target: str, without: Collection[EpisodeKey]) -> int:
    """Copy the Parquet file `source` to `target` leaving out the rows of episodes `without`; its rows."""
    gone = pa.array(sorted(_joined(*key) for key in without), pa.string())
    return copy_without(out, table, source, target, lambda batch: pc.is_in(_keys(batch), value_set=gone))


def copy_without(out: Output, table: str, source: str, target: str,
                 leave: Callable[[pa.RecordBatch], pa.Array]) -> int:
    """Copy the Parquet file `source` to `target` without the rows `leave` marks, a piece at a time (read in
    batches of a sixteenth of a row group, written in row groups as `write_parts` makes them: memory is a
    row group of at most ROW_GROUP_BYTES, whatever the file's size or its row groups'); its rows."""
    group, rows = ROW_GROUP_ROWS[table], 0
    try:
        with out.fs.open_input_file(out.path(source)) as handle:
            parquet = pq.ParquetFile(handle)
            with pq.ParquetWriter(out.path(target), parquet.schema_arrow, filesystem=out.fs,
                                  compression=COMPRESSION) as writer:
                batches = parquet.iter_batches(batch_size=max(group // 16, 1024))
                for kept in _row_groups((_without(batch, leave) for batch in batches), group):
                    writer.write_table(kept, row_group_size=group)
                    rows += kept.num_rows
    except (OSError, pa.ArrowException) as exc:
        raise OutputFailed(f"cannot rewrite {out.describe(source)}: {exc}") from None
    return rows


def _without(batch: pa.RecordBatch, leave: Callable[[pa.RecordBatch], pa.Array]) -> pa.RecordBatch:
    """`batch` without the rows `leave` marks (itself, not a copy, when it marks none)."""
    marked = leave(batch)
    return batch.filter(pc.invert(marked)) if pc.any(marked).as_py() else batch


def episodes_in(out: Output, table: str, path: str, among: Collection[EpisodeKey]) -> set[EpisodeKey]:
    """The episodes of `among` a Parquet file under OUT has rows of, read a batch at a time (a file of a
    month can hold millions of rows: memory is one batch's keys, not the file's)."""
    wanted = pa.array(sorted(_joined(*key) for key in among), pa.string())
    found: set[str] = set()
    try:
        with out.fs.open_input_file(out.path(path)) as handle:
            parquet = pq.ParquetFile(handle)
            for batch in parquet.iter_batches(batch_size=ROW_GROUP_ROWS[table],
                                              columns=["episode_id", "signer_key_id"]):
                keys = _keys(batch)
                found.update(keys.filter(pc.is_in(keys, value_set=wanted)).unique().to_pylist())
    except (OSError, pa.ArrowException) as exc:
        raise OutputFailed(f"cannot read {out.describe(path)}: {exc}") from None
    return {key for key in among if _joined(*key) in found}


def _keys(rows: pa.RecordBatch) -> pa.Array:
    return pc.binary_join_element_wise(rows.column("episode_id"), rows.column("signer_key_id"), "/")


def _joined(episode_id: str, signer: str) -> str:
    return f"{episode_id}/{signer}"
