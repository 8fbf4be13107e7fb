"""The ray engine's batches (ray_engine.py), without Ray: how the listing is cut into batches, what a task
does with one, and its rows as they travel through Ray's object store.

A batch is BATCH_EPISODES episodes at most, fewer when the listing is small (every CPU gets
TASKS_PER_CPU batches), and no more than BATCH_BYTES of the source's bytes unless it is one episode.
A task checks its episodes one after the other and stops after the one that takes the rows (and export
files) it holds past HOLD_BYTES, so it holds at most that and one episode's rows (rows.MAX_ROWS_BYTES)
and export files; the driver sends the episodes it did not reach as a batch of their own.

Rows travel as `Packed`: one Arrow IPC stream per table for the whole batch, and the rows each episode
has in it. Ray's serializer takes milliseconds for each pyarrow table inside a Python object (16
episodes' ten tables: a second), and a stream of bytes is read back without a copy.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass

import pyarrow as pa

from collector.dataset.check.source import Entry
from collector.dataset.engines.transform import Context, DatasetOutcome, transform
from collector.dataset.output.staged import Staged
from collector.dataset.rows.tables import TABLES, WORKER_ROWS

BATCH_EPISODES = 16  # episodes a task checks, at most: a fraction of a second's work each, a few ms of Ray's
BATCH_BYTES = 4 << 20  # of the source's bytes a batch takes (at least one episode)
TASKS_PER_CPU = 4  # batches for each CPU at the least, so that no CPU waits long for the last ones
HOLD_BYTES = 32 << 20  # rows a checking task holds before it returns what it did


def batches(entries: Sequence[Entry], cpus: int) -> list[tuple[int, int]]:
    """`entries` cut into batches, (start, end) in order."""
    count = max(1, min(BATCH_EPISODES, math.ceil(len(entries) / max(1, cpus * TASKS_PER_CPU))))
    found, start, held = [], 0, 0
    for end, entry in enumerate(entries):
        if end > start and (end - start == count or held + entry.size > BATCH_BYTES):
            found.append((start, end))
            start, held = end, 0
        held += entry.size
    return [*found, (start, len(entries))] if entries else found


@dataclass(frozen=True)
class Packed:
    """Rows of some episodes: a table each, one IPC stream of all their rows (empty: no rows)."""

    episodes: list[str]  # their sha256, in order
    counts: dict[str, list[int]]  # table -> rows of each episode
    data: dict[str, pa.Buffer]

    @classmethod
    def of(cls, episodes: Sequence[tuple[str, dict[str, pa.Table]]], names: Collection[str]) -> Packed:
        counts = {name: [tables[name].num_rows for _sha, tables in episodes] for name in names}
        data = {name: _stream(pa.concat_tables([tables[name] for _sha, tables in episodes]))
                for name in names if sum(counts[name])}
        return cls([sha for sha, _tables in episodes], counts, data)

    @property
    def size(self) -> int:
        return sum(buffer.size for buffer in self.data.values())

    def table(self, name: str, keep: Collection[str]) -> pa.Table:
        """The rows of table `name` of the episodes `keep` names."""
        if name not in self.data:
            return TABLES[name].empty_table()
        rows = pa.ipc.open_stream(self.data[name]).read_all()
        if all(sha in keep for sha in self.episodes):
            return rows
        mask = [sha in keep for sha, count in zip(self.episodes, self.counts[name], strict=True)
                for _row in range(count)]
        return rows.filter(pa.array(mask, pa.bool_()))

    def by_episode(self, name: str) -> Iterator[tuple[str, pa.Table]]:
        """Each episode's rows of table `name` (a slice of the whole: no copy)."""
        if name not in self.data:
            return
        rows, start = pa.ipc.open_stream(self.data[name]).read_all(), 0
        for sha, count in zip(self.episodes, self.counts[name], strict=True):
            yield sha, rows.slice(start, count)
            start += count


@dataclass(frozen=True)
class Checked:
    """What a checking task sends back: the verdicts of the episodes it did, in order (without rows), the
    accepted ones' rows and their blob rows."""

    verdicts: list[DatasetOutcome]
    rows: Packed
    blobs: Packed
    exports: list[Staged]  # the accepted ones' export files (output/staged.py), their bytes read in


def check_batch(entries: Sequence[Entry], context: Context, count: Callable[[int, bool], object],
                hold: int = HOLD_BYTES) -> Checked:
    """The transform of `entries` in order, each counted (`count(size, rejected)`), stopping after the
    episode that takes the rows held past `hold`: the episodes after it are not done."""
    verdicts, accepted, exports, held = [], [], [], 0
    for entry in entries:
        outcome = transform(entry, context)
        count(outcome.size, not outcome.accepted)
        tables, staged, outcome.tables, outcome.exports = outcome.tables, outcome.exports, {}, None
        verdicts.append(outcome)
        if outcome.accepted:
            accepted.append((outcome.sha256, tables))
            held += sum(table.get_total_buffer_size() for table in tables.values())
            if staged is not None:
                staged.load()
                exports.append(staged)
                held += staged.size
            if held > hold:
                break
    return Checked(verdicts, Packed.of(accepted, WORKER_ROWS), Packed.of(accepted, ("blobs",)), exports)


def _stream(rows: pa.Table) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, rows.schema) as writer:
        writer.write_table(rows)
    return sink.getvalue()
