"""The ray engine: the same transform (transform.py) as Ray Data tasks, on a local Ray or a cluster.

`ray.data.from_items` over the listing of new episodes, `map` of the transform (its tables carried as
Arrow IPC bytes), materialized in Ray's object store (spilled to disk when it fills); the driver takes
only the verdicts (hashes, reasons: a few hundred bytes an episode) and applies the duplicate rule in
source order, as the local engine does; then, for each table, `map_batches` unpacks the kept episodes'
rows, `repartition` gathers them into blocks of up to BLOCK_BYTES (a file per block and month: one a
month up to 512 MiB of a table's rows) and `write_parquet` writes them from the workers, partitioned
by month, straight to OUT (a directory every node sees, or s3://); the blob rows come to the driver,
which writes each new text once (blob_store.py). Without --ray-address, a local Ray is
started for the build, on loopback only and with token authentication (ray_local.py). Ray is imported
only here: codetape works without it.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import ray
import ray.data
from ray.data.datasource import FilenameProvider

from collector.dataset.blob_store import BlobSpill
from collector.dataset.errors import DatasetError
from collector.dataset.exports import Exported, ExportItem, export_entry
from collector.dataset.output import Output
from collector.dataset.ray_local import LocalRay
from collector.dataset.sink import Sink, Tally
from collector.dataset.source import Entry
from collector.dataset.tables import COMPRESSION, PARTITION, ROW_GROUP_ROWS, ROWS, TABLES
from collector.dataset.transform import Context, Outcome, transform
from collector.dataset.writer import part_prefix

POLL_S = 0.25
_VERDICT = ["sha256", "key", "location", "size", "episode_id", "month", "content_sha256", "signer_key_id",
            "reason", "detail", "unverified"]
PACKED = (*ROWS, "blobs")  # the tables a task sends back
BLOCK_BYTES = 512 << 20  # rows of one table per write task, so per file a month: few, large files


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


class _Names(FilenameProvider):
    """`part-b<build>-r-<write uuid>-<task>`; Ray adds `-<i>.parquet`."""

    def __init__(self, build: int) -> None:
        super().__init__(file_format="parquet")
        self.prefix = f"{part_prefix(build)}r-"

    def get_filename_for_task(self, write_uuid: str, task_index: int) -> str:
        return f"{self.prefix}{write_uuid}-{task_index:06d}"


class RayEngine:
    """Joined to a cluster (or a local Ray started for this build, stopped by `close`)."""

    def __init__(self, address: str | None) -> None:
        self.started, self.local = _connect(address)

    def rows(self, entries: Sequence[Entry], context: Context, sink: Sink,
             out: Output) -> dict[str, dict[str, int]]:
        """Check and write `entries`; the verdicts go to `sink`; the files Ray wrote, by table."""
        return _run(entries, context, sink, out) if entries else {}

    def exports(self, items: Sequence[ExportItem], context: Context, out: Output) -> Exported:
        """Each episode exported by a Ray task (exports.py), the counts summed here."""
        rows = [{**_entry_row(item.entry), "signer": item.signer, "formats": list(item.formats)}
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
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = address or "a local Ray"
        raise DatasetError(f"cannot start or reach {where}: {str(exc).splitlines()[0]}") from None
    return True, None


def _run(entries: Sequence[Entry], context: Context, sink: Sink, out: Output) -> dict[str, dict[str, int]]:
    counter = _Counter.remote()  # type: ignore[attr-defined]
    items = [_entry_row(entry) for entry in entries]
    results = ray.data.from_items(items).map(functools.partial(_transform_row, context=context,
                                                               counter=counter))
    with ThreadPoolExecutor(1) as thread:
        running = thread.submit(results.materialize)
        while not wait([running], timeout=POLL_S).done:
            done, size, rejected = ray.get(counter.read.remote())
            sink.progress(Tally(sink.tally.total, sink.tally.total_bytes, done, size, done - rejected))
        materialized = running.result()
    columns = [*_VERDICT, *(f"size_{table}" for table in ROWS)]
    verdicts = sorted(materialized.select_columns(columns).take_all(), key=lambda row: str(row["sha256"]))
    dropped = {str(row["sha256"]) for row in verdicts if not sink.verdict(_outcome(row))}
    kept = [row for row in verdicts if str(row["sha256"]) not in dropped and not row["reason"]]
    if not kept:
        return {}

    def write(table: str) -> dict[str, int]:
        blocks = max(1, math.ceil(sum(int(row[f"size_{table}"]) for row in kept) / BLOCK_BYTES))
        packed = materialized.select_columns(["sha256", f"rows_{table}"])  # not the other tables' bytes
        rows = packed.map_batches(_unpack, fn_kwargs={"table": table, "dropped": dropped},
                                  batch_format="pyarrow").repartition(blocks)  # few files a month
        rows.write_parquet(out.path(table), filesystem=out.fs, partition_cols=[PARTITION],
                           filename_provider=_Names(context.build), compression=COMPRESSION,
                           row_group_size=ROW_GROUP_ROWS[table])
        mine = _Names(context.build).prefix  # this build's files written by Ray
        return {path: _rows(out, path) for path in out.files(table)
                if path.rsplit("/", 1)[-1].startswith(mine)}

    written = {table: write(table) for table in ROWS}
    _spill_blobs(materialized, {str(row["sha256"]) for row in kept}, sink)
    return written


def _spill_blobs(materialized: Any, kept: set[str], sink: Sink) -> None:
    """The kept episodes' blob rows, to the build's scratch directory here (blob_store.write_new writes
    each new text once, which tasks writing apart could not)."""
    spill = BlobSpill(sink.scratch, "r")
    for batch in materialized.select_columns(["sha256", "rows_blobs"]).iter_batches(batch_format="pyarrow"):
        for sha256, data in zip(batch.column("sha256").to_pylist(), batch.column("rows_blobs").to_pylist(),
                                strict=True):
            if data and sha256 in kept:
                spill.add(pa.ipc.open_stream(data).read_all(), sha256)
                if spill.held > BLOCK_BYTES // 16:
                    spill.flush()
    spill.close()


_ENTRY = ("key", "sha256", "size", "manifest", "revocation")


def _entry_row(entry: Entry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in _ENTRY}


def _export_row(row: dict[str, Any], context: Context, out: Output) -> dict[str, Any]:
    entry = Entry(**{name: row[name] for name in _ENTRY})
    item = ExportItem(entry, str(row["signer"]), tuple(row["formats"]))
    return {"exported": export_entry(item, context, out).to_json()}


def _transform_row(row: dict[str, Any], context: Context, counter: Any) -> dict[str, Any]:
    """One Ray task's work: the transform, its tables as IPC bytes (b"" when left out)."""
    outcome = transform(Entry(**row), context)
    counter.add.remote(outcome.size, not outcome.accepted)
    verdict = {name: getattr(outcome, name) for name in _VERDICT}
    strings = {name: "" if value is None else value for name, value in verdict.items() if name != "size"}
    packed = {f"rows_{table}": _ipc(outcome.tables[table]) if outcome.accepted else b"" for table in PACKED}
    return {**strings, "size": outcome.size, **packed,
            **{f"size_{table}": len(packed[f"rows_{table}"]) for table in PACKED}}


def _outcome(row: dict[str, Any]) -> Outcome:
    def text(name: str) -> str | None:
        return str(row[name]) or None

    return Outcome(str(row["sha256"]), str(row["key"]), str(row["location"]), int(row["size"]),
                   episode_id=text("episode_id"), month=text("month"), content_sha256=text("content_sha256"),
                   signer_key_id=text("signer_key_id"), reason=text("reason"),  # type: ignore[arg-type]
                   detail=str(row["detail"]), unverified=str(row["unverified"]))


def _unpack(batch: pa.Table, table: str, dropped: set[str]) -> pa.Table:
    """The rows of `table` of the kept episodes in a batch of transform results."""
    shas, packed = batch.column("sha256").to_pylist(), batch.column(f"rows_{table}").to_pylist()
    parts = [pa.ipc.open_stream(data).read_all()
             for sha, data in zip(shas, packed, strict=True) if data and sha not in dropped]
    return pa.concat_tables(parts) if parts else TABLES[table].empty_table()


def _ipc(rows: pa.Table) -> bytes:
    stream = pa.BufferOutputStream()
    with pa.ipc.new_stream(stream, rows.schema) as writer:
        writer.write_table(rows)
    return bytes(stream.getvalue().to_pybytes())


def _rows(out: Output, path: str) -> int:
    with out.fs.open_input_file(out.path(path)) as handle:
        return int(pq.read_metadata(handle).num_rows)
