"""`codetape dataset compact OUT`: the many small files builds leave merged, as a build of its own.

Every build adds about a file per table and month it has rows for (per worker), and never rewrites one an
earlier build wrote, so that each build's snapshot stays readable. Compaction merges each table's files in
one folder (a month, or an unpartitioned table) into as few as the build writer would write, with the same
rows in the same order, and deletes the files it merged. The snapshots that named them cannot be read any
more, so compaction is a build that ends them, openly:

1. OUT is opened (one build at a time), a purge the last build did not finish is finished and the files of
   a build that did not finish are deleted, as a build does.
2. Each folder with two or more files is merged into `part-b<this build>-c<n>.parquet`, a row group in
   memory at a time; the rows written must be the rows the manifest names, or nothing is committed.
3. The compaction's snapshot record, then the manifest (which commits it), then every earlier record says
   it `ended` (by which build, when): `dataset files --build N` then refuses in one line and names the
   first build to pin instead. Then the merged files are deleted. A compaction that died after its manifest
   is finished by the next build or compaction (snapshots.recover).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa
import pyarrow.parquet as pq

from collector import __version__
from collector.dataset.card.card import write_card
from collector.dataset.errors import OutputFailed, OutputRefused
from collector.dataset.output.layout import empty_file, settle_empty
from collector.dataset.output.manifest import BuildRecord, DatasetManifest, read_manifest, write_manifest
from collector.dataset.output.output import Output, open_output
from collector.dataset.output.snapshots import end_earlier, take, tidy, write_snapshot
from collector.dataset.output.writer import part_prefix, write_parts
from collector.dataset.rows.tables import ROW_GROUP_ROWS, TABLES
from collector.protocol.clock import Clock, utc_now
from schemas.config import UploadSettings

STEM = "c"  # part-b<build>-c<n>.parquet: a compaction's files


@dataclass
class CompactReport:
    out: str
    number: int | None  # the compaction's build (None: nothing to merge, no build made)
    merged: int = 0  # files merged
    written: int = 0  # files they became
    folders: int = 0
    ended: list[int] = field(default_factory=list)  # builds whose snapshots this compaction ended
    seconds: float = 0.0


def compact_dataset(where: str, settings: UploadSettings, *, now: Clock = utc_now) -> CompactReport:
    """Merge the files of every table folder holding two or more; see the module docstring."""
    started, clock = now(), time.monotonic()
    out = open_output(where, settings, create=False)
    if read_manifest(out) is None:  # before the lock file is made there
        raise OutputRefused(f"{out.url} is not a codetape dataset: it has no _manifest.json")
    with out.exclusive():
        manifest = read_manifest(out)
        assert manifest is not None  # (a manifest is never removed)
        tidy(out, manifest)
        report = CompactReport(out.url, None)
        groups = list(folders(manifest))
        if groups:
            report.number = len(manifest.builds) + 1
            _compact(out, manifest, groups, report, started, now)
    report.seconds = time.monotonic() - clock
    return report


def folders(manifest: DatasetManifest) -> Iterator[tuple[str, str, list[str]]]:
    """(table, folder, its files in name order) for every folder of a table holding two or more files."""
    for table in TABLES:
        grouped: dict[str, list[str]] = {}
        for path in manifest.files.get(table, {}):
            if path != empty_file(table):
                grouped.setdefault(path.rpartition("/")[0], []).append(path)
        for folder, paths in sorted(grouped.items()):
            if len(paths) > 1:
                yield table, folder, sorted(paths)


def _compact(out: Output, manifest: DatasetManifest, groups: list[tuple[str, str, list[str]]],
             report: CompactReport, started: datetime, now: Clock) -> None:
    number = report.number
    assert number is not None
    merged: list[str] = []
    for table, folder, paths in groups:
        expected = sum(manifest.files[table][path] for path in paths)
        written = merge(out, table, paths, folder, number)
        if sum(written.values()) != expected:
            for path in written:
                out.delete(path)
            got = sum(written.values())
            raise OutputFailed(f"merging {out.describe(folder)} gave {got:,} rows where its files hold "
                               f"{expected:,}; the dataset was not changed (this is a bug in codetape)")
        for path in paths:
            manifest.drop_file(table, path)
        for path, rows in written.items():
            manifest.add_file(table, path, rows)
        merged += paths
        report.merged, report.written, report.folders = (report.merged + len(paths),
                                                         report.written + len(written), report.folders + 1)
    manifest.builds.append(BuildRecord(
        number=number, kind="compaction", engine="local", codetape_version=__version__, started_at=started,
        finished_at=now(), listed=0, new=0, accepted=0, rejected={}, withdrawn=0, bytes=0))
    stale = settle_empty(out, manifest)
    snapshot = take(out, manifest, manifest.builds[-1], {})
    write_snapshot(out, snapshot)  # before the manifest, which commits the compaction
    write_manifest(out, manifest)
    write_card(out, manifest)
    report.ended = end_earlier(out, snapshot)
    for path in merged + stale:
        out.delete(path)


def merge(out: Output, table: str, sources: list[str], folder: str, build: int) -> dict[str, int]:
    """Write the rows of `sources`, in order, as `folder/part-b<build>-c<n>.parquet` (as a build writes its
    files); the files written (relative path -> rows)."""
    schema = TABLES[table]
    try:
        return write_parts(out, table, schema, _batches(out, sources, ROW_GROUP_ROWS[table]),
                           f"{folder}/{part_prefix(build)}{STEM}")
    except (OSError, pa.ArrowException) as exc:
        raise OutputFailed(f"cannot merge the files of {out.describe(folder)}: {exc}") from None


def _batches(out: Output, sources: list[str], rows: int) -> Iterator[pa.RecordBatch]:
    for source in sources:
        with out.fs.open_input_file(out.path(source)) as handle:
            yield from pq.ParquetFile(handle).iter_batches(batch_size=rows)
