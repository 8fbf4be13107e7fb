"""`codetape dataset build` with s3:// in and out, on a real S3-compatible server (SeaweedFS on loopback,
the `seaweed` fixture): episodes uploaded there by the real `codetape upload`, built into the bucket and
into a directory, the same rows in both; a revocation written there after the first build removes the
episode's rows from both on the next, and the bucket holds exactly the files the manifest names."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow.fs as pafs

from collector.episode import open_episode
from tests.cli import codetape
from tests.support.dataset_helpers import (
    TABLES,
    contributor,
    duck,
    expected_counts,
    file_sha256,
    revoke,
    rows,
    session,
    sign,
    upload,
)
from tests.support.seaweed import ACCESS_KEY, SECRET_KEY, SeaweedFS


def configure(home: Path, seaweed: SeaweedFS) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f'[upload]\nendpoint_url = "{seaweed.endpoint}"\n', encoding="utf-8")


def bucket_files(seaweed: SeaweedFS, bucket: str, prefix: str) -> set[str]:
    """The Parquet files of the tables under `prefix` (not the schemas' empty ones, as table_files)."""
    return {key[len(prefix) + 1:] for key in seaweed.keys(bucket) if key.startswith(f"{prefix}/")
            and key.endswith(".parquet") and not key.startswith(f"{prefix}/schemas/")}


def test_s3_in_and_out(seaweed: SeaweedFS, tmp_path: Path) -> None:
    bucket = seaweed.bucket("dataset-build")
    env = seaweed.env()
    source, out_s3, local = f"s3://{bucket}/team/codetape", f"s3://{bucket}/built", tmp_path / "built"
    alice = contributor(tmp_path, "alice")
    configure(alice.home.root, seaweed)
    signed = [sign(alice, session(alice.home, seed)) for seed in (31, 62, 93)]
    upload(alice, source, env=env)
    team = tmp_path / "team"
    configure(team, seaweed)
    filesystem = pafs.S3FileSystem(endpoint_override=seaweed.endpoint.removeprefix("http://"), scheme="http",
                                   access_key=ACCESS_KEY, secret_key=SECRET_KEY, region="us-east-1")

    def build_both() -> list[str]:
        said = []
        for out in (out_s3, str(local)):
            done = codetape(team, "dataset", "build", source, "-o", out, env=env)
            assert done.returncode == 0 and done.stderr == "", done
            said.append(done.stdout)
        for table in TABLES:
            in_bucket = rows(filesystem, f"{bucket}/built", table)
            assert in_bucket == rows(pafs.LocalFileSystem(), str(local), table), table
        manifest = json.loads(seaweed.client().get_object(Bucket=bucket, Key="built/_manifest.json")["Body"]
                              .read())
        assert bucket_files(seaweed, bucket, "built") == {path for files in manifest["files"].values()
                                                          for path in files}
        return said

    first = build_both()
    assert all("3 new episodes" in said and "3 accepted, 0 rejected" in said for said in first)
    con = duck(local)
    counts = expected_counts(signed)
    assert dict(con.execute("SELECT kind, count(*) FROM steps GROUP BY kind").fetchall()) == counts["kinds"]
    keys = {row[0] for row in con.execute("SELECT source_key FROM episodes").fetchall()}
    assert keys == {f"episodes/{file_sha256(path)}.ctape" for path in signed}

    revoke(alice, signed[0], env=env)
    second = build_both()
    assert all("removed: 1 episode revoked since built" in said for said in second)
    gone = str(open_episode(signed[0]).header.episode_id)
    con = duck(local)
    assert con.execute("SELECT count(*) FROM steps WHERE episode_id = ?", [gone]).fetchone() == (0,)
    reasons = con.execute("SELECT reason FROM rejected WHERE episode_id = ?", [gone]).fetchall()
    assert reasons == [("revoked",)]
    kinds = dict(con.execute("SELECT kind, count(*) FROM steps GROUP BY kind").fetchall())
    assert kinds == expected_counts(signed[1:])["kinds"]


def test_the_dataset_is_written_with_the_upload_profile_that_reads_the_source(seaweed: SeaweedFS,
                                                                             tmp_path: Path) -> None:
    """The team's config.toml names `[upload] profile`; its keys are in the AWS credentials file under that
    profile alone, none in the environment. The build reads the source and writes the dataset into the
    bucket with them."""
    bucket = seaweed.bucket("dataset-profile")
    source, out = f"s3://{bucket}/team/codetape", f"s3://{bucket}/built"
    alice = contributor(tmp_path, "alice")
    configure(alice.home.root, seaweed)
    upload(alice, source, sign(alice, session(alice.home, 34)), env=seaweed.env())
    team = tmp_path / "team"
    team.mkdir()
    (team / "config.toml").write_text(f'[upload]\nendpoint_url = "{seaweed.endpoint}"\nprofile = "codetape"\n'
                                      'region = "us-east-1"\n', encoding="utf-8")
    keys = tmp_path / "aws-credentials"
    keys.write_text(f"[codetape]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n",
                    encoding="utf-8")
    assert not {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"} & set(os.environ)
    done = codetape(team, "dataset", "build", source, "-o", out,
                    env={"AWS_SHARED_CREDENTIALS_FILE": str(keys)})  # (AWS_CONFIG_FILE: none)
    assert done.returncode == 0 and done.stderr == "", done
    assert "1 accepted, 0 rejected" in done.stdout
    stored = seaweed.client().get_object(Bucket=bucket, Key="built/_manifest.json")
    manifest = json.loads(stored["Body"].read())
    assert manifest["rows"]["episodes"] == 1
    assert bucket_files(seaweed, bucket, "built") == {path for files in manifest["files"].values()
                                                      for path in files}


def test_one_build_at_a_time_in_an_s3_out(seaweed: SeaweedFS, tmp_path: Path) -> None:
    """Issue 29, item 13's guard: a build holds `OUT/.build.lock`, made by a conditional write; another build
    meanwhile (here: the lock another one left, as a crash leaves it) is refused and names the holder; a
    build leaves no lock behind."""
    bucket = seaweed.bucket("dataset-lock")
    env = seaweed.env()
    source, out = f"s3://{bucket}/source", f"s3://{bucket}/built"
    alice = contributor(tmp_path, "alice")
    configure(alice.home.root, seaweed)
    sign(alice, session(alice.home, 7))
    upload(alice, source, env=env)
    team = tmp_path / "team"
    configure(team, seaweed)
    client = seaweed.client()
    held = {"host": "builder-2", "pid": 4242, "since": "2026-11-25T03:00:00+00:00"}
    client.put_object(Bucket=bucket, Key="built/.build.lock", Body=json.dumps(held).encode())
    refused = codetape(team, "dataset", "build", source, "-o", out, env=env)
    assert refused.returncode == 2, refused
    assert refused.stderr.strip() == (
        f"codetape: {out} is being built by another build (host builder-2, pid 4242, since "
        f"2026-11-25T03:00:00+00:00); if none runs (one crashed), delete {out}/.build.lock and build again")
    assert "built/_manifest.json" not in seaweed.keys(bucket)  # nothing written under another's lock
    client.delete_object(Bucket=bucket, Key="built/.build.lock")
    done = codetape(team, "dataset", "build", source, "-o", out, env=env)
    assert done.returncode == 0, done.stderr
    keys = seaweed.keys(bucket)
    assert "built/_manifest.json" in keys and "built/.build.lock" not in keys


def test_the_ray_engine_builds_into_an_s3_out(seaweed: SeaweedFS, tmp_path: Path) -> None:
    """`--engine ray` (the local Ray the build starts): its tasks read the bucket and write their Parquet
    files into it themselves, with the endpoint of the build's `[upload]` and the credentials of their
    own environment; the rows are the local engine's, and the bucket holds what the manifest names."""
    bucket = seaweed.bucket("dataset-ray")
    env = seaweed.env()
    source = f"s3://{bucket}/team/codetape"
    alice = contributor(tmp_path, "alice")
    configure(alice.home.root, seaweed)
    for seed in (34, 65):
        sign(alice, session(alice.home, seed))
    upload(alice, source, env=env)
    team = tmp_path / "team"
    configure(team, seaweed)
    for out, engine in ((f"s3://{bucket}/built", "ray"), (str(tmp_path / "built"), "local")):
        done = codetape(team, "dataset", "build", source, "-o", out, "--engine", engine, env=env)
        assert done.returncode == 0 and done.stderr == "", done
    filesystem = pafs.S3FileSystem(endpoint_override=seaweed.endpoint.removeprefix("http://"), scheme="http",
                                   access_key=ACCESS_KEY, secret_key=SECRET_KEY, region="us-east-1")
    for table in TABLES:
        in_bucket = rows(filesystem, f"{bucket}/built", table)
        assert in_bucket == rows(pafs.LocalFileSystem(), str(tmp_path / "built"), table), table
    stored = seaweed.client().get_object(Bucket=bucket, Key="built/_manifest.json")["Body"].read()
    named = {path for files in json.loads(stored)["files"].values() for path in files}
    assert bucket_files(seaweed, bucket, "built") == named
    assert any("/part-b00001-r0-" in path for path in named)  # written by Ray's tasks
