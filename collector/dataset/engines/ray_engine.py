"""The ray engine: the same transform (transform.py) as Ray tasks, on a local Ray or a cluster.

1. Checks. The new episodes go out in batches (batches.py: a few for every CPU of the cluster, each of
   a bounded count and size), a Ray task each, which runs the transform on its episodes one after the
   other and returns three objects: their verdicts (hashes, reasons: a few hundred bytes an episode),
   the accepted ones' rows and their blob rows (Arrow IPC, a stream a table), and their export files
   (output/staged.py: made in the same pass, their bytes); they stay in Ray's object store (spilled to disk
   when it fills). A task stops once it holds HOLD_BYTES of rows; the driver
   sends the episodes it did not reach as a batch of their own. Each episode done is counted by a
   `_Counter` actor, which the progress bar reads. The tasks are spread over the nodes (Ray's SPREAD)
   and each says where it ran (node and worker id): `RayEngine.placed`, the build's summary.
2. The driver takes only the verdicts and applies the duplicate rule in source order, as the local
   engine does.
3. Writing. Runs of batches, in source order, go to a task each (WRITE_BYTES of rows at least, one a
   CPU at most), which keeps the kept episodes' rows as a local worker does (kept.py: spilled per month
   to its node's temporary directory) and writes them as Parquet straight to OUT (a directory every node
   sees, or s3://), and publishes their export files there with the splits the driver decided.
   Meanwhile the driver takes the blob rows of the kept episodes, to write each new text once
   (output/blob_store.py).

Without --ray-address, a local Ray is started for the build, on loopback only and with token
authentication (ray_local.py). Ray is imported only here: codetape works without it.
"""

from __future__ import annotations

import functools
import logging
import math
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ray
import ray.data
import ray.exceptions

from collector.dataset.check.source import Entry
from collector.dataset.engines.allocator import freeze_loaded
from collector.dataset.engines.batches import HOLD_BYTES, Packed, batches, check_batch
from collector.dataset.engines.exports import ExportItem, export_entry
from collector.dataset.engines.kept import KeptRows, Written
from collector.dataset.engines.ray_local import LocalRay
from collector.dataset.engines.sink import Sink, Tally
from collector.dataset.engines.transform import Context, DatasetOutcome
from collector.dataset.errors import DatasetError
from collector.dataset.output.blob_store import BlobSpill
from collector.dataset.output.output import Output
from collector.dataset.output.staged import Exported, Staged, publish
from collector.dataset.rows.tables import WORKER_ROWS
from collector.errors import CodetapeError

POLL_S = 0.25
Placed = tuple[str, str]  # where a task ran: (node id, worker id)
WRITE_BYTES = 64 << 20  # rows a writing task takes at the least: few, large files


@ray.remote(num_cpus=0)
class _Counter:
    """Episodes done, bytes, refusals: what the driver's progress bar shows while the tasks run."""

    def __init__(self) -> None:
        self.done, self.bytes, self.rejected = 0, 0, 0

    def add(self, size: int, rejected: bool) -> None:
        self.done += 1
        self.bytes += size
        self.rejected += rejected

    def read(self) -> tuple[int, int, int]:
        return self.done, self.bytes, self.rejected


class RayEngine:
    """Joined to a cluster (or a local Ray started for this build, stopped by `close`)."""

    def __init__(self, address: str | None) -> None:
        self.started, self.local = _connect(address)
        self.placed: Counter[Placed] = Counter()  # checking tasks by where they ran
        for _cpu in range(_cpus()):  # Ray's workers import the transform while the build lists its source
            _warm.remote()

    def rows(self, entries: Sequence[Entry], context: Context, sink: Sink, out: Output) -> Written:
        """Check and write `entries`; the verdicts go to `sink`; the files Ray wrote, by table."""
        return _run(entries, context, sink, out, self.placed) if entries else {}

    def exports(self, items: Sequence[ExportItem], context: Context, out: Output) -> Exported:
        """Each episode exported by a Ray task (exports.py), the counts summed here."""
        rows = [{**_entry_row(item.entry), "signer": item.signer, "formats": list(item.formats),
                 "split": item.split}
                for item in items]
        work = functools.partial(_export_row, context=context, out=out)
        done = Exported()
        for row in ray.data.from_items(rows).map(work).take_all():
            done.add(Exported.from_json(str(row["exported"])))
        return done

    def close(self) -> None:
        if self.local is not None:
            self.local.close()
        elif self.started:
            ray.shutdown()


def _connect(address: str | None) -> tuple[bool, LocalRay | None]:
    """Join the cluster at `address`, or start a local Ray (returned, to be closed); False when this process
    already had one."""
    data = ray.data.DataContext.get_current()
    data.enable_progress_bars = False  # the build draws its own
    data.print_on_execution_start = False
    data.enable_auto_log_stats = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)  # Ray's notes are not the build's output
    if ray.is_initialized():
        return False, None
    try:
        if address is None:
            return True, LocalRay()
        ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    except (ConnectionError, RuntimeError, ValueError, ray.exceptions.AuthenticationError) as exc:
        where = address or "a local Ray"  # (without the cluster's token: AuthenticationError)
        raise DatasetError(f"cannot start or reach {where}: {str(exc).splitlines()[0]}") from None
    return True, None


@ray.remote
def _warm() -> None:
    """Nothing: a worker imports this module (and the transform) to run it."""


@dataclass
class _Batch:
    """One checking task's answer: its verdicts and (in the object store) its rows and blob rows."""

    start: int
    verdicts: list[DatasetOutcome]
    held: int  # bytes of rows
    rows: Any  # ObjectRef of Packed: the rows of the accepted ones, every table's but the blobs
    blobs: Any  # ObjectRef of Packed: their blob rows
    exports: Any  # ObjectRef of list[Staged]: their export files
    kept: set[str] = field(default_factory=set)  # the episodes the duplicate rule kept


@ray.remote(num_returns=4)
def _check(entries: list[Entry], context: Context, counter: Any) -> tuple[
        tuple[list[DatasetOutcome], int, Placed], Packed, Packed, list[Staged]]:
    """A batch checked in a task (batches.py): (its verdicts, bytes of rows, where it ran), its rows, its
    blob rows, its export files, four objects: the driver fetches the first, the writing tasks the second
    and fourth, the driver the third once it has ruled."""
    freeze_loaded()  # (a worker's first task: what it loaded to run it)
    checked = check_batch(entries, context, lambda size, rejected: counter.add.remote(size, rejected))
    held = checked.rows.size + sum(staged.size for staged in checked.exports)
    here = ray.get_runtime_context()
    placed = here.get_node_id(), here.get_worker_id()
    return (checked.verdicts, held, placed), checked.rows, checked.blobs, checked.exports


@ray.remote
def _write(parts: list[Any], exports: list[Any], splits: dict[str, str], out: Output, build: int,
           stem: str) -> tuple[Written, Exported]:
    """The rows of the kept episodes (`splits`, by sha256) in `parts` (ObjectRefs of Packed rows), written
    as Parquet; their export files in `exports` (ObjectRefs of lists of Staged) published."""
    done = Exported()
    for part in exports:
        for staged in ray.get(part):
            if staged.sha256 in splits:
                done.add(publish(staged, splits[staged.sha256], out))
    with tempfile.TemporaryDirectory(prefix="codetape-ray-rows-") as scratch:
        writer = KeptRows(out, build, Path(scratch), stem=stem)
        for part in parts:
            packed: Packed = ray.get(part)
            writer.add_rows({table: packed.table(table, splits) for table in WORKER_ROWS})
        return writer.close(), done


def _run(entries: Sequence[Entry], context: Context, sink: Sink, out: Output, placed: Counter[Placed]
         ) -> Written:
    done = _check_all(entries, context, sink, placed)
    for batch in done:  # in source order
        batch.kept.update(outcome.sha256 for outcome in batch.verdicts if sink.verdict(outcome))
    if not any(batch.kept for batch in done):
        return {}
    runs = _runs(done, _cpus())
    splits = {entry.sha256: split for entry, _signer, split in sink.kept}
    writing = [_write.remote([batch.rows for batch in run], [batch.exports for batch in run],
                             {sha: splits[sha] for batch in run for sha in batch.kept}, out,
                             context.build, f"r{number}-") for number, run in enumerate(runs)]
    spill = BlobSpill(sink.scratch, "r")  # the texts: to the build, which writes each new one once
    for batch in done:
        if batch.kept:
            for sha256, rows in _get(batch.blobs).by_episode("blobs"):
                if sha256 in batch.kept:
                    spill.add(rows, sha256)
            if spill.held > HOLD_BYTES:
                spill.flush()
    spill.close()
    written: Written = {}
    for files, exported in _get(writing):
        sink.exported.add(exported)
        for table, paths in files.items():
            written.setdefault(table, {}).update(paths)
    return written


def _check_all(entries: Sequence[Entry], context: Context, sink: Sink, placed: Counter[Placed]
               ) -> list[_Batch]:
    """Every entry checked by a task of a batch, the tasks spread over the nodes (counted in `placed` by
    where they ran); the batches' answers in source order."""
    counter = _Counter.remote()  # type: ignore[attr-defined]
    shared = ray.put(context)
    running: dict[Any, tuple[int, int, Any, Any, Any]] = {}  # verdicts ref -> (start, end, the other refs)

    def send(start: int, end: int) -> None:
        refs: Any = _check.options(scheduling_strategy="SPREAD").remote(  # (num_returns=4: four refs)
            list(entries[start:end]), shared, counter)
        verdicts, rows, blobs, exports = refs
        running[verdicts] = start, end, rows, blobs, exports

    for start, end in batches(entries, _cpus()):
        send(start, end)
    done: list[_Batch] = []
    while running:
        ready, _ = ray.wait(list(running), num_returns=len(running), timeout=POLL_S)
        for ref in ready:
            start, end, rows, blobs, exports = running.pop(ref)
            verdicts, held, where = _get(ref)
            placed[where] += 1
            done.append(_Batch(start, verdicts, held, rows, blobs, exports))
            if start + len(verdicts) < end:  # it stopped at HOLD_BYTES: the rest as a batch of its own
                send(start + len(verdicts), end)
        count, size, rejected = _get(counter.read.remote())
        sink.progress(Tally(sink.tally.total, sink.tally.total_bytes, count, size, count - rejected))
    return sorted(done, key=lambda batch: batch.start)


def _runs(done: list[_Batch], cpus: int) -> list[list[_Batch]]:
    """The batches with kept rows, as runs in source order for the writing tasks: about as many rows
    each, WRITE_BYTES at least, one a CPU at most."""
    batches_ = [batch for batch in done if batch.kept]
    total = sum(batch.held for batch in batches_)
    count = max(1, min(cpus, len(batches_), math.ceil(total / WRITE_BYTES)))
    runs: list[list[_Batch]] = [[] for _ in range(count)]
    before = 0
    for batch in batches_:
        runs[min(count - 1, before * count // max(1, total))].append(batch)
        before += batch.held
    return [run for run in runs if run]


def _cpus() -> int:
    return max(1, int(ray.cluster_resources().get("CPU", 1)))  # type: ignore[no-untyped-call]


def _get(refs: Any) -> Any:
    """`ray.get`, with an error of codetape's that a task raised raised as itself (TransferFailed: the
    source could not be read)."""
    try:
        return ray.get(refs)
    except ray.exceptions.RayTaskError as exc:
        if isinstance(exc.cause, CodetapeError):
            raise exc.cause from None
        raise


_ENTRY = ("key", "sha256", "size", "manifest", "revocation")


def _entry_row(entry: Entry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in _ENTRY}


def _export_row(row: dict[str, Any], context: Context, out: Output) -> dict[str, Any]:
    entry = Entry(**{name: row[name] for name in _ENTRY})
    item = ExportItem(entry, str(row["signer"]), tuple(row["formats"]), str(row["split"]))
    return {"exported": export_entry(item, context, out).to_json()}
