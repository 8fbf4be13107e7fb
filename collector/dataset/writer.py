"""Writing a table's rows as Parquet parts under OUT, with bounded memory.

`TableWriter` gathers rows until about FLUSH_BYTES of them are held, then writes them in one call of
pyarrow.dataset.write_dataset (what Ray's write_parquet calls too): one file per month partition, zstd,
row groups of ROW_GROUP_ROWS, named `part-b<build>-<stem><n>-<i>.parquet` so no two writers collide.
`rewrite` copies one file without some episodes' rows, a batch at a time.
"""

from __future__ import annotations

from collections.abc import Collection

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from collector.dataset.errors import OutputFailed
from collector.dataset.output import Output
from collector.dataset.tables import COMPRESSION, PARTITION, ROW_GROUP_ROWS, TABLES, partitioned

FLUSH_BYTES = 64 << 20


def frugal_memory() -> None:
    """Have Arrow's jemalloc (chosen in collector/dataset/__init__.py) give memory back as soon as it is
    free, not keep it for the next write."""
    if pa.default_memory_pool().backend_name == "jemalloc":
        pa.jemalloc_set_decay_ms(0)


def part_prefix(build: int) -> str:
    return f"part-b{build:05d}-"


def file_options() -> pads.FileWriteOptions:
    return pads.ParquetFileFormat().make_write_options(compression=COMPRESSION)


class TableWriter:
    """One table's new rows in this build, written a part at a time."""

    def __init__(self, out: Output, table: str, build: int, stem: str = "w", *,
                 flush_bytes: int = FLUSH_BYTES) -> None:
        self.out, self.table, self.build, self.stem = out, table, build, stem
        self.schema: pa.Schema = TABLES[table]
        self.flush_bytes = flush_bytes
        self.pending: list[pa.Table] = []
        self.held = 0
        self.parts = 0
        self.written: dict[str, int] = {}  # relative path -> rows

    def add(self, rows: pa.Table) -> None:
        if not rows.num_rows:
            return
        self.pending.append(rows)
        self.held += rows.nbytes
        if self.held >= self.flush_bytes:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        self.parts += 1
        start = len(self.out.root) + 1

        def visit(written: pads.WrittenFile) -> None:
            assert written.metadata is not None
            self.written[written.path[start:]] = written.metadata.num_rows

        group = ROW_GROUP_ROWS[self.table]
        try:
            pads.write_dataset(
                self.pending, self.out.path(self.table), schema=self.schema, format="parquet",
                filesystem=self.out.fs, file_options=file_options(),
                basename_template=f"{part_prefix(self.build)}{self.stem}{self.parts:04d}-{{i}}.parquet",
                partitioning=[PARTITION] if partitioned(self.table) else None, partitioning_flavor="hive",
                existing_data_behavior="overwrite_or_ignore", max_rows_per_group=group,
                min_rows_per_group=group // 2, file_visitor=visit)
        except (OSError, pa.ArrowException) as exc:
            raise OutputFailed(f"cannot write {self.out.describe(self.table)}: {exc}") from None
        self.pending, self.held = [], 0

    def close(self) -> dict[str, int]:
        self.flush()
        return self.written


def rewrite(out: Output, table: str, source: str, target: str, without: Collection[str]) -> int:
    """Copy the Parquet file `source` to `target` leaving out the rows of episodes `without`; its rows."""
    keep = pa.array(sorted(without), pa.string())
    rows = 0
    try:
        with out.fs.open_input_file(out.path(source)) as handle:
            parquet = pq.ParquetFile(handle)
            with pq.ParquetWriter(out.path(target), parquet.schema_arrow, filesystem=out.fs,
                                  compression=COMPRESSION) as writer:
                for batch in parquet.iter_batches(batch_size=ROW_GROUP_ROWS[table]):
                    kept = batch.filter(pc.invert(pc.is_in(batch.column("episode_id"), value_set=keep)))
                    if kept.num_rows:
                        writer.write_batch(kept, row_group_size=ROW_GROUP_ROWS[table])
                        rows += kept.num_rows
    except (OSError, pa.ArrowException) as exc:
        raise OutputFailed(f"cannot rewrite {out.describe(source)}: {exc}") from None
    return rows


def episode_ids(out: Output, path: str) -> set[str]:
    """The episodes a Parquet file under OUT has rows of."""
    try:
        with out.fs.open_input_file(out.path(path)) as handle:
            column = pq.read_table(handle, columns=["episode_id"]).column("episode_id")
    except (OSError, pa.ArrowException) as exc:
        raise OutputFailed(f"cannot read {out.describe(path)}: {exc}") from None
    return {str(value) for value in pc.unique(column).to_pylist()}
