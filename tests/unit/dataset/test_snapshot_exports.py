"""Snapshot records that name only the export files their build added (issue 107; output/snapshots.py):
the list a build writes, the fold that gives a snapshot's export files (from an old record naming every
one too), a withdrawal taking them out of earlier lists, the list of a build that did not finish deleted;
what a build that died left in OUT/exports/ found a folder at a time (output/leftovers.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from collector.dataset.output.layout import write_schemas
from collector.dataset.output.leftovers import export_names, mark_running, marked, remove_leftovers
from collector.dataset.output.manifest import BuildRecord, DatasetManifest
from collector.dataset.output.output import Output, open_output
from collector.dataset.output.snapshots import (
    FULL,
    Snapshot,
    added_files,
    added_list,
    export_counts,
    export_files,
    purge_earlier,
    read_snapshot,
    record,
    recover,
    take,
    write_snapshot,
)
from schemas.config import UploadSettings

WHEN = datetime(2026, 11, 28, 5, 0, tzinfo=UTC)
A, B, C = "exports/atif/k1/e1.atif.json", "exports/atif/k1/e2.atif.json", "exports/atif/k2/e3.atif.json"


def manifest(builds: int) -> DatasetManifest:
    made = DatasetManifest(source="file:///src", exports=["atif"])
    made.builds = [BuildRecord(number=n, engine="local", codetape_version="0", started_at=WHEN,
                               finished_at=WHEN, listed=0, new=0, accepted=0, rejected={}, withdrawn=0,
                               bytes=0)
                   for n in range(1, builds + 1)]
    return made


@pytest.fixture
def out(tmp_path: Path) -> Output:
    made = open_output(str(tmp_path / "out"), UploadSettings())
    write_schemas(made)
    return made


def put(out: Output, *paths: str) -> None:
    for path in paths:
        out.folder(path.rsplit("/", 1)[0])
        out.write(path, path.encode())  # its bytes: as many as its name's


def taken(out: Output, number: int, added: list[str],
          replaced: dict[str, str | None] | None = None) -> Snapshot:
    made = manifest(number)
    snapshot = take(out, made, made.builds[-1], replaced or {}, added)
    write_snapshot(out, snapshot)
    return snapshot


def test_a_record_names_no_export_file_and_its_list_those_its_build_added(out: Output) -> None:
    put(out, A, B, C)
    first = taken(out, 1, [A, B, "exports/zeta/k1/e1.zeta.jsonl"])  # (not a format of the dataset)
    assert first.exports == {} and first.exports_added == {"atif": 2}
    assert list(added_files(out, 1)) == [(A, len(A)), (B, len(B))]
    second = taken(out, 2, [C])
    assert read_snapshot(out, 2) == second and second.format != FULL
    assert export_files(out, manifest(2), 1) == {"atif": {A: len(A), B: len(B)}}
    assert export_files(out, manifest(2), 2) == {"atif": {A: len(A), B: len(B), C: len(C)}}
    assert export_counts(out, manifest(2)) == {1: 2, 2: 3}
    taken(out, 3, [])  # a build that added none writes no list
    assert out.read(added_list(3)) is None and export_counts(out, manifest(3))[3] == 3


def test_a_withdrawal_takes_its_files_out_of_every_earlier_snapshot_once(out: Output) -> None:
    put(out, A, B, C)
    taken(out, 1, [A, B])
    taken(out, 2, [C])
    third = taken(out, 3, [], replaced={A: None})
    assert export_files(out, manifest(3), 1) == {"atif": {B: len(B)}}  # a later build deleted it
    for _twice in range(2):
        purge_earlier(out, third)
    assert list(added_files(out, 1)) == [(B, len(B))]  # build 1's list no longer names it
    first, second = read_snapshot(out, 1), read_snapshot(out, 2)
    assert first is not None and second is not None
    assert [(purge.build, purge.export_files_removed) for purge in first.purged] == [(3, 1)]
    assert second.purged == [] and list(added_files(out, 2)) == [(C, len(C))]
    assert export_counts(out, manifest(3)) == {1: 1, 2: 2, 3: 2}


def test_a_record_of_every_export_file_is_folded_on_and_purged(out: Output) -> None:
    """A dataset built by codetape before lists: its records (v1) name every export file in OUT."""
    put(out, A, B, C)
    old = taken(out, 1, [])
    old.format, old.exports = FULL, {"atif": {A: len(A), B: len(B)}}
    write_snapshot(out, old)
    assert read_snapshot(out, 1) == old
    taken(out, 2, [C])
    assert export_files(out, manifest(2), 2) == {"atif": {A: len(A), B: len(B), C: len(C)}}
    third = taken(out, 3, [], replaced={B: None})
    purge_earlier(out, third)
    first = read_snapshot(out, 1)
    assert first is not None and first.exports == {"atif": {A: len(A)}}
    assert first.purged[0].export_files_removed == 1
    assert export_files(out, manifest(3), 2) == {"atif": {A: len(A), C: len(C)}}
    assert export_counts(out, manifest(3)) == {1: 1, 2: 2, 3: 2}


def test_recover_deletes_the_record_and_list_of_a_build_that_did_not_finish(out: Output) -> None:
    put(out, A, B)
    taken(out, 1, [A])
    taken(out, 2, [B])  # the manifest never named build 2
    recover(out, manifest(1))
    assert out.read(record(2)) is None and out.read(added_list(2)) is None
    assert out.read(added_list(1)) is not None and export_files(out, manifest(1), 1) == {"atif": {A: len(A)}}


def test_the_files_of_no_kept_episode_or_format_go_and_a_walk_lists_a_folder_at_a_time(out: Output) -> None:
    kept = [A, "exports/atif/k1/e1.atif.parquet", C]
    put(out, *kept, B, "exports/zeta/k1/e1.zeta.jsonl", "exports/atif/k1/.e9.atif.json.tmp")
    assert [path for path, _bytes in out.walk("exports/atif", "")] == [A, "exports/atif/k1/e1.atif.parquet",
                                                                       B, C]
    assert out.folders("exports") == ["exports/atif", "exports/zeta"]
    deleted = remove_leftovers(out, ["atif"], lambda signer, episode: (signer, episode) in {("k1", "e1"),
                                                                                         ("k2", "e3")})
    assert deleted == 2 and [path for path, _bytes in out.walk("exports", "")] == sorted(kept)
    assert marked(out) == []
    mark_running(out, 4)
    assert marked(out) == ["_builds/b00004.running"]
    assert export_names(["atif", "kto"], [("e1", "k1")]) == {
        A, "exports/kto/k1/e1.kto.jsonl", "exports/kto/k1/e1.kto.parquet"}
