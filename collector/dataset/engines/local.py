"""The local engine: the transform in a pool of worker processes, one per core (workers.py), or in this
process when there is one core, or when the build has too little to check to pay for a pool.

How many: `--workers N` starts N at once (importing the transform while the build lists its source). By
default (`workers` 0) the engine waits for the list: a worker costs about half a second of CPU to start
(a Python that imports codetape and pyarrow: two took 1.2 s on a busy 2-core machine), as much as
checking 8 typical episodes (36 KB each: 58 ms), so a build checks fewer than POOL_EPISODES episodes, or
fewer than POOL_BYTES of them, in this process, and more in one worker per core.

With a pool, every worker writes the rows of the episodes it transformed (kept.py) and sends back only
their verdicts, which come back here in source order: the duplicate rule sees them in the order the ray
engine sorts them into, and the rows of the episodes it finds duplicates are left out when the workers
write their Parquet files, at the end, side by side. The export files of the episodes a worker accepted
(output/staged.py) wait in its scratch folder alike and are published at the end too, with the splits the
parent decided, those of duplicates deleted; in one process they are published as soon as the episode
is kept. Memory: each worker holds its share of the rows held before spilling, and this process a few
verdicts.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from collector.dataset.check.source import Entry
from collector.dataset.engines import workers as pool
from collector.dataset.engines.allocator import arrow_environment
from collector.dataset.engines.exports import ExportItem, export_entry
from collector.dataset.engines.kept import HOLD_BYTES, KeptRows, Written
from collector.dataset.engines.sink import Sink
from collector.dataset.engines.transform import Context, DatasetOutcome, transform
from collector.dataset.output.output import Output
from collector.dataset.output.staged import Exported, Kept, publish

POOL_EPISODES = 32  # episodes to check, or
POOL_BYTES = 1 << 20  # of episode files, from which a build without --workers checks them in a pool


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def pool_size(count: int, size: int, available: int) -> int:
    """The processes a build without --workers checks `count` episodes of `size` bytes in: one per core
    (`available`), never more than there are episodes; 1 (this process) while too few to pay for a pool."""
    if count < POOL_EPISODES and size < POOL_BYTES:
        return 1
    return max(1, min(available, count))


@dataclass(frozen=True)
class RowsJob:
    """What a worker needs to keep a build's rows: where they go and how much it may hold."""

    out: Output
    build: int
    scratch: str
    hold: int


class LocalEngine:
    def __init__(self, workers: int) -> None:
        """`workers` processes (started now, importing the transform while the build lists its source), or
        0: as many as the work needs once it is known (`pool_size`)."""
        self.sized = workers == 0
        self.workers = 1 if self.sized else workers  # the processes the transform ran in (1: this one)
        self.pool = self._pool(workers) if workers > 1 else None

    def rows(self, entries: Sequence[Entry], context: Context, sink: Sink, out: Output) -> Written:
        """Check every entry, the verdicts to `sink`; the files the workers wrote, by table."""
        self.prepare(len(entries), sum(entry.size for entry in entries))
        if self.pool is None or not entries:
            for outcome in map(functools.partial(transform, context=context, staging=str(sink.scratch)),
                               entries):
                kept = sink.verdict(outcome)
                if kept:
                    sink.keep(outcome)
                if outcome.exports is not None and kept:
                    sink.exported.add(publish(outcome.exports, sink.kept[-1][2], out))
                elif outcome.exports is not None:
                    outcome.exports.discard()
            return {}
        job = RowsJob(out, context.build, str(sink.scratch), HOLD_BYTES // self.workers)
        dropped: set[str] = set()  # accepted by a worker, found duplicates here
        check = functools.partial(_transform_and_keep, context=context, job=job)
        for outcome in self.pool.map(check, entries):
            if not sink.verdict(outcome) and outcome.accepted:
                dropped.add(outcome.sha256)
        splits = {entry.sha256: split for entry, _signer, split in sink.kept}
        written: Written = {}
        for files, exported in self.pool.each(functools.partial(_write_kept, job=job,
                                                                dropped=frozenset(dropped), splits=splits)):
            sink.exported.add(exported)
            for table, paths in files.items():
                written.setdefault(table, {}).update(paths)
        return written

    def exports(self, items: Sequence[ExportItem], context: Context, out: Output) -> Exported:
        """Episodes already in the dataset exported in formats new to it (exports.py)."""
        self.prepare(len(items), sum(item.entry.size for item in items))
        done = Exported()
        work = functools.partial(export_entry, context=context, out=out)
        for exported in map(work, items) if self.pool is None else self.pool.map(work, items):
            done.add(exported)
        return done

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()

    def prepare(self, count: int, size: int) -> None:
        """Without --workers: a pool started for the work about to be done, when it pays (`pool_size`)."""
        if self.sized and self.pool is None and (wanted := pool_size(count, size, cores())) > 1:
            self.pool, self.workers = self._pool(wanted), wanted

    @staticmethod
    def _pool(workers: int) -> pool.Workers:
        return pool.Workers(workers, preload=(__name__,), environment=arrow_environment(os.environ))


_KEPT: dict[str, KeptRows] = {}  # in a worker: the rows it keeps, by the scratch directory of their build
_STAGED: dict[str, Kept] = {}  # in a worker: the export files it staged, alike


def _transform_and_keep(entry: Entry, context: Context, job: RowsJob) -> DatasetOutcome:
    """In a worker: one episode's verdict, its rows and export files (when accepted) kept here, not sent
    back."""
    outcome = transform(entry, context, job.scratch)
    if outcome.accepted:
        if job.scratch not in _KEPT:
            _KEPT[job.scratch] = KeptRows(job.out, job.build, Path(job.scratch), hold=job.hold,
                                          stem=f"w{pool.number}-")
            _STAGED[job.scratch] = Kept()
        _KEPT[job.scratch].add(outcome)
        _STAGED[job.scratch].add(outcome.exports)
    outcome.tables, outcome.exports = {}, None
    return outcome


def _write_kept(job: RowsJob, dropped: Collection[str],
                splits: Mapping[str, str]) -> tuple[Written, Exported]:
    """In a worker: the rows it kept written as Parquet, those of `dropped` episodes left out; the export
    files of the kept episodes (`splits`, by sha256) published, the others deleted."""
    kept, staged = _KEPT.pop(job.scratch, None), _STAGED.pop(job.scratch, None)
    written = {} if kept is None else kept.close(dropped)
    return written, Exported() if staged is None else staged.publish(job.out, splits)
