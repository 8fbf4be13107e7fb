"""The rows of the episodes one process keeps: a TableWriter per table (output/writer.py), spilled all
together when they hold more than their share of memory, written as Parquet by `close`.

The local engine's parent keeps them when it runs the transform itself (one process); with a pool, every
worker keeps the rows of the episodes it transformed, and the parent, which rules on duplicates after the
rows were kept, names at `close` the episodes whose rows are left out.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

import pyarrow as pa

from collector.dataset.engines.transform import DatasetOutcome
from collector.dataset.output.blob_store import BlobSpill
from collector.dataset.output.output import Output
from collector.dataset.output.writer import TableWriter
from collector.dataset.rows.tables import WORKER_ROWS

HOLD_BYTES = 32 << 20  # rows held by all the tables' writers of a build together, spilled beyond it
Written = dict[str, dict[str, int]]  # table -> the files written (relative path -> rows)


class KeptRows:
    def __init__(self, out: Output, build: int, scratch: Path, *, hold: int = HOLD_BYTES,
                 stem: str = "w") -> None:
        self.hold = hold
        self.writers = {table: TableWriter(out, table, build, scratch, stem) for table in WORKER_ROWS}
        self.blobs = BlobSpill(scratch, stem)  # written by the build (output/blob_store.py), once per text

    def add(self, outcome: DatasetOutcome) -> None:
        """Hold an accepted episode's rows (every row of an episode is of its month)."""
        for table, writer in self.writers.items():
            writer.add(outcome.tables[table], outcome.month, outcome.sha256)
        self.blobs.add(outcome.tables["blobs"], outcome.sha256)
        self._spill_when_full()

    def add_rows(self, tables: Mapping[str, pa.Table]) -> None:
        """Hold rows of any episodes and months (a row's `month` says which), none to be left out at
        `close` (the ray engine's writing tasks: rows of batches of episodes, their texts apart)."""
        for table, rows in tables.items():
            self.writers[table].add(rows)
        self._spill_when_full()

    def _spill_when_full(self) -> None:
        if sum(writer.held for writer in self.writers.values()) + self.blobs.held > self.hold:
            for writer in self.writers.values():  # all at once: rows freed at different times fragment memory
                writer.flush()
            self.blobs.flush()

    def close(self, dropped: Collection[str] = ()) -> Written:
        """Write what is held as Parquet under OUT, but the rows of the episodes `dropped` (by sha256); the
        blobs to the scratch directory, for the build to write (blob_store.write_new)."""
        self.blobs.close()
        return {table: writer.close(dropped) for table, writer in self.writers.items()}
