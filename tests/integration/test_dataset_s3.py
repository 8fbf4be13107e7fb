"""`codetape dataset build` with s3:// in and out, on a real S3-compatible server (SeaweedFS on loopback,
the `seaweed` fixture): episodes uploaded there by the real `codetape upload`, built into the bucket and
into a directory, the same rows in both; a revocation written there after the first build removes the
episode's rows from both on the next, and the bucket holds exactly the files the manifest names."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.fs as pafs

from bench.seaweed import ACCESS_KEY, SECRET_KEY, SeaweedFS
from collector.episode import open_episode
from tests.integration.dataset_helpers import (
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
from tests.integration.upload_helpers import codetape


def configure(home: Path, seaweed: SeaweedFS) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f'[upload]\nendpoint_url = "{seaweed.endpoint}"\n', encoding="utf-8")


def bucket_files(seaweed: SeaweedFS, bucket: str, prefix: str) -> set[str]:
    return {key[len(prefix) + 1:] for key in seaweed.keys(bucket)
            if key.startswith(f"{prefix}/") and key.endswith(".parquet")}


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
