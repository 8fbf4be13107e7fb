"""Snapshot records without a build: a purge rewrites every earlier record naming a replaced file (once,
however often it is run), a table it empties names the schema's empty file, the records of a build that
did not finish go, and asking for a build that has no record is one line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from collector.dataset.errors import OutputRefused
from collector.dataset.output.manifest import BuildRecord, DatasetManifest
from collector.dataset.output.output import Output, open_output
from collector.dataset.output.snapshots import (
    FileEntry,
    Snapshot,
    purge_earlier,
    read_snapshot,
    record,
    recover,
    snapshot_of,
    write_snapshot,
)
from schemas.config import UploadSettings

WHEN = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
A, B, A2 = "steps/month=2026-05/part-b00001-w0001.parquet", "steps/month=2026-06/part-b00002-w0001.parquet", \
    "steps/month=2026-05/part-b00003-x0001.parquet"
OLD_EXPORT = "exports/atif/k1/e1.atif.json"


def snapshot(number: int, steps: dict[str, FileEntry], **more: Any) -> Snapshot:
    blobs = {"schemas/blobs.empty.parquet": FileEntry(rows=0, bytes=10)}
    return Snapshot(build=number, engine="local", codetape_version="0", started_at=WHEN, finished_at=WHEN,
                    tables={"steps": steps, "blobs": blobs}, **more)


def manifest(builds: int) -> DatasetManifest:
    made = DatasetManifest(source="file:///src")
    made.builds = [BuildRecord(number=n, engine="local", codetape_version="0", started_at=WHEN,
                               finished_at=WHEN, listed=0, new=0, accepted=0, rejected={}, withdrawn=0,
                               bytes=0)
                   for n in range(1, builds + 1)]
    return made


@pytest.fixture
def out(tmp_path: Path) -> Output:
    return open_output(str(tmp_path / "out"), UploadSettings())


def test_a_purge_names_the_copies_in_every_earlier_record_once(out: Output) -> None:
    write_snapshot(out, snapshot(1, {A: FileEntry(rows=10, bytes=100)}, exports={"atif": {OLD_EXPORT: 5}}))
    write_snapshot(out, snapshot(2, {A: FileEntry(rows=10, bytes=100), B: FileEntry(rows=4, bytes=40)}))
    third = snapshot(3, {A2: FileEntry(rows=7, bytes=70), B: FileEntry(rows=4, bytes=40)},
                     replaced={A: A2, OLD_EXPORT: None})
    for _twice in range(2):
        purge_earlier(out, third)
    first, second = read_snapshot(out, 1), read_snapshot(out, 2)
    assert first is not None and second is not None
    assert first.files("steps") == [A2] and first.rows["steps"] == 7 and first.exports == {"atif": {}}
    assert [(p.build, p.rows_removed, p.export_files_removed) for p in first.purged] == [(3, {"steps": 3}, 1)]
    assert second.files("steps") == [A2, B] and len(second.purged) == 1


def test_a_purge_that_leaves_a_table_no_rows_names_its_empty_file(out: Output) -> None:
    write_snapshot(out, snapshot(1, {A: FileEntry(rows=10, bytes=100)}))
    purge_earlier(out, snapshot(2, {"schemas/steps.empty.parquet": FileEntry(rows=0, bytes=9)},
                                replaced={A: None}))
    first = read_snapshot(out, 1)
    assert first is not None and first.files("steps") == ["schemas/steps.empty.parquet"]
    assert first.purged[0].rows_removed == {"steps": 10}


def test_recover_finishes_the_last_purge_and_drops_what_an_unfinished_build_wrote(out: Output) -> None:
    write_snapshot(out, snapshot(1, {A: FileEntry(rows=10, bytes=100)}))
    write_snapshot(out, snapshot(2, {A2: FileEntry(rows=7, bytes=70)}, replaced={A: A2}))  # committed
    write_snapshot(out, snapshot(3, {A2: FileEntry(rows=7, bytes=70)}))  # the manifest never named it
    names = recover(out, manifest(2))
    first = read_snapshot(out, 1)
    assert first is not None and first.files("steps") == [A2] and first.purged[0].build == 2
    assert out.read(record(3)) is None
    assert A2 in names and A not in names


def test_a_build_without_a_record_is_one_line(out: Output) -> None:
    write_snapshot(out, snapshot(2, {B: FileEntry(rows=4, bytes=40)}))
    with pytest.raises(OutputRefused, match=r"has no build 3: its builds are 1 to 2$"):
        snapshot_of(out, manifest(2), 3)
    with pytest.raises(OutputRefused, match=r"build 1 of .* has no snapshot record \(codetape 0 made it"):
        snapshot_of(out, manifest(2), 1)
    assert snapshot_of(out, manifest(2), None).build == 2
