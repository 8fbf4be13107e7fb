"""Versioned builds (issue 29, item 8): every build is a snapshot a training run pins by its number
(`codetape dataset files OUT --build N`) and DuckDB reads from that file list: exactly that build's rows
after later builds added more; after a revocation, those rows less the revoked episode's, which then no
file under OUT holds (every file scanned: bytes, Parquet rows and statistics), in a directory OUT and in
an s3:// one on SeaweedFS; a purge a build died in the middle of is finished by the next build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.dataset as pads
import pyarrow.fs as pafs

from collector.episode import open_episode
from tests.cli import codetape
from tests.integration.dataset.test_dataset_s3 import configure
from tests.support.dataset_helpers import (
    ROW_TABLES,
    TABLES,
    canaries,
    contributor,
    files_under,
    holding,
    pinned_rows,
    revoke,
    session,
    sign,
    snapshot_files,
    upload,
)
from tests.support.seaweed import ACCESS_KEY, SECRET_KEY, SeaweedFS
from tests.support.upload_helpers import one_error_line

Rows = dict[str, list[dict[str, Any]]]


def build(team: Path, source: str, out: str, *more: str, env: dict[str, str] | None = None) -> str:
    done = codetape(team, "dataset", "build", source, "-o", out, *more, env=env)
    assert done.returncode == 0 and done.stderr == "", done
    return done.stdout


def current_rows(out: Path) -> Rows:
    """The dataset as readers glob it today: OUT/TABLE/**/*.parquet."""
    return pinned_rows({table: [f"{out}/{table}/**/*.parquet"] for table in TABLES})


def texts_named(rows: Rows, episode_id: str, mine: bool) -> set[str]:
    """The blob hashes `episode_id`'s rows name (or, not `mine`, every other episode's)."""
    named = {row[column] for table, columns in (("transitions", ("before_sha256", "after_sha256")),
                                                ("file_states", ("sha256",)))
             for row in rows[table] if (row["episode_id"] == episode_id) == mine for column in columns}
    return named - {None}


def without(before: Rows, episode_id: str, only_its_texts: set[str]) -> Rows:
    """A snapshot's rows as a purge leaves them: none of the episode's, none of the texts only it named."""
    kept = {table: [row for row in before[table] if row["episode_id"] != episode_id] for table in ROW_TABLES}
    kept["blobs"] = [row for row in before["blobs"] if row["sha256"] not in only_its_texts]
    kept["rejected"] = before["rejected"]  # the revocation's row is the purging build's
    return kept


def test_a_pinned_build_keeps_its_rows_and_a_revocation_purges_every_snapshot(tmp_path: Path) -> None:
    source, out, team = (tmp_path / "source").as_uri(), tmp_path / "out", tmp_path / "team"
    alice = contributor(tmp_path, "alice")
    first = [sign(alice, session(alice.home, seed)) for seed in (41, 42)]
    upload(alice, source)
    build(team, source, str(out), "--exports", "atif")
    one = snapshot_files(team, out, 1)
    at_one = pinned_rows(one)
    assert at_one == current_rows(out) and len(at_one["episodes"]) == 2

    later = sign(alice, session(alice.home, 43))
    upload(alice, source, later)
    build(team, source, str(out))
    assert snapshot_files(team, out, 1) == one and pinned_rows(one) == at_one  # build 2 only added files
    at_two = pinned_rows(snapshot_files(team, out, 2))
    assert at_two == current_rows(out) and len(at_two["episodes"]) == 3
    listed = codetape(team, "dataset", "files", str(out), "--build", "1", "--table", "steps")
    assert listed.stdout.splitlines() == one["steps"]
    assert pl.read_parquet(one["steps"], hive_partitioning=True).height == len(at_one["steps"])

    gone = first[0]
    gone_id = str(open_episode(gone).header.episode_id)
    marks = canaries(gone, [first[1], later])
    assert holding(files_under(out), marks)  # the scan finds the episode while it is in
    only_its = texts_named(at_two, gone_id, True) - texts_named(at_two, gone_id, False)
    assert only_its
    crashed = tmp_path / "crashed"  # build 1's record and files as they were: see the end
    for path in ["_builds/b00001.json", *(item.removeprefix(f"{out}/") for item in one["steps"])]:
        (crashed / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out / path, crashed / path)

    revoke(alice, gone)
    assert "removed: 1 episode revoked since built" in build(team, source, str(out))
    for number, before in ((1, at_one), (2, at_two)):
        assert pinned_rows(snapshot_files(team, out, number)) == without(before, gone_id, only_its), number
    assert len(current_rows(out)["episodes"]) == 2
    assert holding(files_under(out), marks) == []  # no byte of its rows left, in any file under OUT
    assert not list(out.rglob(f"{gone_id}.*"))  # its export file
    records = {path.name: json.loads(path.read_text()) for path in (out / "_builds").glob("*.json")}
    assert sorted(records) == ["b00001.json", "b00002.json", "b00003.json"]
    lists = {path.name: path.read_text() for path in (out / "_builds").glob("*.exports.jsonl")}
    assert sorted(lists) == ["b00001.exports.jsonl", "b00002.exports.jsonl"]  # build 3 added no export
    purge = records["b00001.json"]["purged"]
    steps = len([row for row in at_one["steps"] if row["episode_id"] == gone_id])
    assert [(item["build"], item["rows_removed"]["steps"], item["export_files_removed"]) for item in purge] \
        == [(3, steps, 1)]
    assert [item["build"] for item in records["b00002.json"]["purged"]] == [3]
    assert records["b00003.json"]["purged"] == [] and records["b00003.json"]["replaced"]
    # the records it was purged from do not say who left (build 3's names the export files it deleted,
    # as its row of rejected names the episode, as the revocation record does)
    assert not [name for name in ("b00001.json", "b00002.json") if gone_id in json.dumps(records[name])]
    assert not [name for name, text in lists.items() if gone_id in text]  # nor the export files' lists
    said = codetape(team, "dataset", "builds", str(out)).stdout.splitlines()
    assert [line.split("  ")[0] for line in said if line.startswith("build")] == ["build 1", "build 2",
                                                                                   "build 3"]
    assert "purged by build 3" in said[0] and "purged" not in said[4], said

    # a build that died after committing build 3, before rewriting build 1's record and deleting the
    # originals: the next build finishes the purge
    shutil.copytree(crashed, out, dirs_exist_ok=True)
    assert holding(files_under(out), marks)
    assert "0 new episodes" in build(team, source, str(out))
    assert pinned_rows(snapshot_files(team, out, 1)) == without(at_one, gone_id, only_its)
    assert holding(files_under(out), marks) == []

    one_error_line(codetape(team, "dataset", "files", str(out), "--build", "99"), 2,
                   f"{out.as_uri()} has no build 99: its builds are 1 to 4")
    one_error_line(codetape(team, "dataset", "files", str(out), "--table", "nope"), 2,
                   "--table: no table 'nope'")
    one_error_line(codetape(team, "dataset", "builds", str(tmp_path / "nothing")), 2,
                   "is not a codetape dataset: it has no _manifest.json")
    assert not (tmp_path / "nothing").exists()


def test_a_build_that_died_leaves_every_snapshot_readable(tmp_path: Path) -> None:
    """What a build killed part way leaves (its Parquet parts, its record, its list of export files, an
    export file and the mark it left before writing one) is deleted by the next build; the snapshots before
    it are read as they were."""
    source, out, team = (tmp_path / "source").as_uri(), tmp_path / "out", tmp_path / "team"
    alice = contributor(tmp_path, "alice")
    upload(alice, source, sign(alice, session(alice.home, 44)))
    build(team, source, str(out), "--exports", "zeta")
    one = snapshot_files(team, out, 1)
    at_one = pinned_rows(one)
    part = Path(one["steps"][0])
    left = [part.with_name("part-b00002-w7-0042.parquet"), out / "_builds" / "b00002.json",
            out / "exports" / "zeta" / "someone" / "0000.zeta.jsonl", out / "_builds" / "b00002.running",
            out / "_builds" / "b00002.exports.jsonl"]
    shutil.copyfile(part, left[0])
    left[1].write_text(json.dumps({"build": 2}))
    left[2].parent.mkdir(parents=True)
    left[2].write_text("{}\n")
    left[3].write_bytes(b"")
    left[4].write_text(json.dumps([left[2].relative_to(out).as_posix(), 3]) + "\n")
    assert pinned_rows(snapshot_files(team, out, 1)) == at_one  # read while the build "runs"
    upload(alice, source, sign(alice, session(alice.home, 45)))
    build(team, source, str(out))
    assert not left[0].exists() and not left[2].exists() and not left[3].exists()
    assert "someone" not in left[4].read_text()  # build 2's own list in the place of the one left
    assert json.loads(left[1].read_text())["tables"]  # build 2's own record in the place of the one left
    assert snapshot_files(team, out, 1) == one and pinned_rows(one) == at_one
    assert len(pinned_rows(snapshot_files(team, out, 2))["episodes"]) == 2


def test_in_an_s3_out_a_pinned_build_loses_a_revoked_episode_and_no_object_keeps_it(
        seaweed: SeaweedFS, tmp_path: Path) -> None:
    bucket = seaweed.bucket("dataset-snapshots")
    env = seaweed.env()
    source, out = f"s3://{bucket}/source", f"s3://{bucket}/built"
    alice = contributor(tmp_path, "alice")
    configure(alice.home.root, seaweed)
    signed = [sign(alice, session(alice.home, seed)) for seed in (46, 47)]
    upload(alice, source, env=env)
    team = tmp_path / "team"
    configure(team, seaweed)
    build(team, source, out, "--exports", "atif", env=env)
    filesystem = pafs.S3FileSystem(endpoint_override=seaweed.endpoint.removeprefix("http://"), scheme="http",
                                   access_key=ACCESS_KEY, secret_key=SECRET_KEY, region="us-east-1")

    def read(build_number: int) -> dict[str, int]:
        """Rows per episode of `steps` in that build, read by pyarrow from the pinned list."""
        paths = [url.removeprefix("s3://") for url in snapshot_files(team, out, build_number, env)["steps"]]
        table = pads.dataset(paths, filesystem=filesystem, format="parquet").to_table(columns=["episode_id"])
        counted = table.group_by("episode_id").aggregate([("episode_id", "count")])
        return {row["episode_id"]: row["episode_id_count"] for row in counted.to_pylist()}

    def objects() -> list[tuple[str, bytes]]:
        client = seaweed.client()
        return [(key, client.get_object(Bucket=bucket, Key=key)["Body"].read())
                for key in seaweed.keys(bucket) if key.startswith("built/")]

    at_one = read(1)
    gone = signed[0]
    gone_id = str(open_episode(gone).header.episode_id)
    marks = canaries(gone, signed[1:])
    assert set(at_one) == {str(open_episode(path).header.episode_id) for path in signed}
    assert holding(objects(), marks)
    revoke(alice, gone, env=env)
    assert "removed: 1 episode revoked since built" in build(team, source, out, env=env)
    assert read(1) == {key: count for key, count in at_one.items() if key != gone_id} == read(2)
    assert holding(objects(), marks) == []
    record = json.loads(seaweed.client().get_object(Bucket=bucket, Key="built/_builds/b00001.json")["Body"]
                        .read())
    listed = seaweed.client().get_object(Bucket=bucket,
                                         Key="built/_builds/b00001.exports.jsonl")["Body"].read()
    assert [item["build"] for item in record["purged"]] == [2] and record["exports_added"] == {"atif": 2}
    assert len(listed.splitlines()) == 1 and gone_id.encode() not in listed  # the one left

    upload(alice, source, sign(alice, session(alice.home, 48)), env=env)  # build 3 adds files: compact
    build(team, source, out, env=env)
    at_three = read(3)
    compacted = codetape(team, "dataset", "compact", out, "--json", env=env)
    assert compacted.returncode == 0 and json.loads(compacted.stdout)["build"] == 4, compacted
    assert read(4) == at_three and len(at_three) == 2
    folders = [key.rpartition("/")[0] for key, _data in objects() if key.endswith(".parquet")
               and "/schemas/" not in key]
    assert len(folders) == len(set(folders))  # every folder: one object
    one_error_line(codetape(team, "dataset", "files", out, "--build", "3", env=env), 2,
                   "was ended by compaction build 4")


def folders_with_files(out: Path) -> dict[str, int]:
    """Every folder under OUT's tables holding Parquet files: how many."""
    counted: dict[str, int] = {}
    for table in TABLES:
        for path in (out / table).rglob("*.parquet"):
            folder = path.parent.relative_to(out).as_posix()
            counted[folder] = counted.get(folder, 0) + 1
    return counted


def test_compaction_merges_the_small_files_ends_earlier_snapshots_and_a_revocation_still_purges(
        tmp_path: Path) -> None:
    source, out, team = (tmp_path / "source").as_uri(), tmp_path / "out", tmp_path / "team"
    alice = contributor(tmp_path, "alice")
    signed = []
    for seed in (51, 52, 53):  # three builds: several files a month folder
        signed.append(sign(alice, session(alice.home, seed)))
        upload(alice, source, signed[-1])
        build(team, source, str(out))
    at_three = pinned_rows(snapshot_files(team, out, 3))
    before = folders_with_files(out)
    assert max(before.values()) >= 3, before
    record_one = (out / "_builds" / "b00001.json").read_text()
    merged_one = next(iter((out / "steps").rglob("part-b00001-*.parquet")))
    merged_bytes = merged_one.read_bytes()

    said = codetape(team, "dataset", "compact", str(out))
    assert said.returncode == 0 and said.stderr == "", said
    merged = sum(count for count in before.values() if count > 1)
    assert said.stdout.startswith(f"build 4: merged {merged} files of ") and \
        "builds 1 to 3 ended: pin build 4 or later" in said.stdout, said.stdout
    assert set(folders_with_files(out).values()) == {1}  # every folder: one file
    assert sorted(folders_with_files(out)) == sorted(before)
    assert pinned_rows(snapshot_files(team, out, 4)) == at_three == current_rows(out)
    for number in (1, 2, 3):
        one_error_line(codetape(team, "dataset", "files", str(out), "--build", str(number)), 2,
                       f"build {number} of {out.as_uri()} was ended by compaction build 4")
    listed = codetape(team, "dataset", "builds", str(out)).stdout
    assert "ended by compaction build 4" in listed.splitlines()[0]
    assert "compaction" in next(line for line in listed.splitlines() if line.startswith("build 4"))
    again = codetape(team, "dataset", "compact", str(out), "--json")
    assert json.loads(again.stdout)["build"] is None  # nothing to merge: no build made

    # a compaction that died after committing, before ending build 1 and deleting what it merged: the next
    # build finishes it
    (out / "_builds" / "b00001.json").write_text(record_one)
    merged_one.write_bytes(merged_bytes)
    assert "0 new episodes" in build(team, source, str(out))
    assert not merged_one.exists()
    assert json.loads((out / "_builds" / "b00001.json").read_text())["ended"]["build"] == 4

    # a revocation after a compaction purges the compaction's snapshot and the builds after it
    gone = signed[0]
    gone_id = str(open_episode(gone).header.episode_id)
    marks = canaries(gone, signed[1:])
    only_its = texts_named(at_three, gone_id, True) - texts_named(at_three, gone_id, False)
    revoke(alice, gone)
    assert "removed: 1 episode revoked since built" in build(team, source, str(out))
    assert pinned_rows(snapshot_files(team, out, 4)) == without(at_three, gone_id, only_its)
    assert holding(files_under(out), marks) == []
    one_error_line(codetape(team, "dataset", "compact", str(tmp_path / "nothing")), 2,
                   "is not a codetape dataset: it has no _manifest.json")
    assert not (tmp_path / "nothing").exists()


def exports_of(team: Path, out: Path, number: int) -> list[str]:
    """`codetape dataset files OUT --build N --json`: the atif export files of that build's snapshot."""
    done = codetape(team, "dataset", "files", str(out), "--build", str(number), "--json")
    assert done.returncode == 0 and done.stderr == "", done
    return [Path(path).name for path in json.loads(done.stdout)["exports"]["atif"]]


def test_a_dataset_whose_records_name_every_export_file_builds_on_and_purges(tmp_path: Path) -> None:
    """A dataset built by codetape before lists of export files (issue 107): its records (v1) name every
    export file in OUT. The next build deletes what a build of that codetape left when it died (no mark),
    lists only its own export files, and a revocation takes the episode's file out of the old record too."""
    source, out, team = (tmp_path / "source").as_uri(), tmp_path / "out", tmp_path / "team"
    alice = contributor(tmp_path, "alice")
    signed = [sign(alice, session(alice.home, seed)) for seed in (61, 62)]
    upload(alice, source)
    build(team, source, str(out), "--exports", "atif")
    ids = [str(open_episode(path).header.episode_id) for path in signed]
    listed = out / "_builds" / "b00001.exports.jsonl"
    files = dict(json.loads(line) for line in listed.read_text().splitlines())
    assert sorted(Path(path).name.split(".")[0] for path in files) == sorted(ids)
    listed.unlink()  # as codetape before lists wrote it:
    first = out / "_builds" / "b00001.json"
    old = json.loads(first.read_text())
    del old["exports_added"]
    old.update(format="codetape-dataset-build/v1", exports={"atif": files})
    first.write_text(json.dumps(old))
    assert sorted(exports_of(team, out, 1)) == sorted(f"{episode}.atif.json" for episode in ids)
    left = out / "exports" / "atif" / "someone" / "0000.atif.json"  # a build of that codetape died
    left.parent.mkdir()
    left.write_text("{}")

    revoke(alice, signed[0])
    later = sign(alice, session(alice.home, 63))
    upload(alice, source, later)
    assert "removed: 1 episode revoked since built" in build(team, source, str(out))
    assert not left.exists()
    record_one = json.loads(first.read_text())
    assert record_one["format"] == "codetape-dataset-build/v1"
    assert list(record_one["exports"]["atif"]) == [path for path in files if ids[1] in path]
    assert [item["export_files_removed"] for item in record_one["purged"]] == [1]
    record_two = json.loads((out / "_builds" / "b00002.json").read_text())
    later_id = str(open_episode(later).header.episode_id)
    assert record_two["format"] == "codetape-dataset-build/v2" and record_two["exports"] == {}
    lines = (out / "_builds" / "b00002.exports.jsonl").read_text().splitlines()
    signer = Path(next(iter(files))).parent.name
    assert [json.loads(line)[0] for line in lines] == [f"exports/atif/{signer}/{later_id}.atif.json"]
    assert exports_of(team, out, 1) == [f"{ids[1]}.atif.json"]
    assert sorted(exports_of(team, out, 2)) == sorted([f"{ids[1]}.atif.json", f"{later_id}.atif.json"])
    said = codetape(team, "dataset", "builds", str(out), "--json")
    assert [item["export_files"] for item in json.loads(said.stdout)] == [1, 2]
