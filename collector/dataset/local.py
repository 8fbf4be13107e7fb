"""The local engine: the transform in a pool of worker processes, one per core (workers.py), or in this
process when there is one.

With a pool, every worker writes the rows of the episodes it transformed (kept.py) and sends back only
their verdicts, which come back here in source order: the duplicate rule sees them in the order the ray
engine sorts them into, and the rows of the episodes it finds duplicates are left out when the workers
write their Parquet files, at the end, side by side. Memory: each worker holds its share of the rows
held before spilling, and this process a few verdicts.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from collector.dataset import workers as pool
from collector.dataset.allocator import arrow_environment
from collector.dataset.exports import Exported, ExportItem, export_entry
from collector.dataset.kept import HOLD_BYTES, KeptRows, Written
from collector.dataset.output import Output
from collector.dataset.sink import Sink
from collector.dataset.source import Entry
from collector.dataset.transform import Context, DatasetOutcome, transform


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True)
class RowsJob:
    """What a worker needs to keep a build's rows: where they go and how much it may hold."""

    out: Output
    build: int
    scratch: str
    hold: int


class LocalEngine:
    def __init__(self, workers: int) -> None:
        self.workers = workers
        # started now, importing the transform while the build lists its source
        self.pool = (pool.Workers(workers, preload=(__name__,), environment=arrow_environment(os.environ))
                     if workers > 1 else None)

    def rows(self, entries: Sequence[Entry], context: Context, sink: Sink, out: Output) -> Written:
        """Check every entry, the verdicts to `sink`; the files the workers wrote, by table."""
        if self.pool is None or not entries:
            for outcome in map(functools.partial(transform, context=context), entries):
                if sink.verdict(outcome):
                    sink.keep(outcome)
            return {}
        job = RowsJob(out, context.build, str(sink.scratch), HOLD_BYTES // self.workers)
        dropped: set[str] = set()  # accepted by a worker, found duplicates here
        check = functools.partial(_transform_and_keep, context=context, job=job)
        for outcome in self.pool.map(check, entries):
            if not sink.verdict(outcome) and outcome.accepted:
                dropped.add(outcome.sha256)
        written: Written = {}
        for files in self.pool.each(functools.partial(_write_kept, job=job, dropped=frozenset(dropped))):
            for table, paths in files.items():
                written.setdefault(table, {}).update(paths)
        return written

    def exports(self, items: Sequence[ExportItem], context: Context, out: Output) -> Exported:
        done = Exported()
        work = functools.partial(export_entry, context=context, out=out)
        for exported in map(work, items) if self.pool is None else self.pool.map(work, items):
            done.add(exported)
        return done

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()


_KEPT: dict[str, KeptRows] = {}  # in a worker: the rows it keeps, by the scratch directory of their build


def _transform_and_keep(entry: Entry, context: Context, job: RowsJob) -> DatasetOutcome:
    """In a worker: one episode's verdict, its rows (when accepted) kept here, not sent back."""
    outcome = transform(entry, context)
    if outcome.accepted:
        if job.scratch not in _KEPT:
            _KEPT[job.scratch] = KeptRows(job.out, job.build, Path(job.scratch), hold=job.hold,
                                          stem=f"w{pool.number}-")
        _KEPT[job.scratch].add(outcome)
    outcome.tables = {}
    return outcome


def _write_kept(job: RowsJob, dropped: Collection[str]) -> Written:
    """In a worker: the rows it kept written as Parquet, those of `dropped` episodes left out."""
    kept = _KEPT.pop(job.scratch, None)
    return {} if kept is None else kept.close(dropped)
