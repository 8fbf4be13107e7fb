"""The local and the ray engine build the same rows from the same source: every table, refusals included,
and the same export files, over a first build and an incremental one with a revocation in between. Ray
runs for real: a local instance this module starts (2 CPUs, no dashboard) and stops."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.fs as pafs
import pytest
import ray

from collector.dataset.build import BuildOptions, build_dataset
from schemas.settings import UploadSettings
from tests.integration.dataset_helpers import (
    TABLES,
    contributor,
    file_sha256,
    place,
    revoke,
    rows,
    session,
    sign,
    upload,
)


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False)
    try:
        yield
    finally:
        ray.shutdown()


def build(source: Path, out: Path, engine: str) -> None:
    options = BuildOptions(str(source), str(out), engine=engine, workers=2,  # type: ignore[arg-type]
                           exports=("atif", "zeta"))
    build_dataset(options, UploadSettings())


def same_rows(first: Path, second: Path) -> None:
    filesystem = pafs.LocalFileSystem()
    for table in TABLES:
        found = rows(filesystem, str(first), table)
        assert found == rows(filesystem, str(second), table), table
        assert found or table == "commands", table
    for fmt in ("atif", "zeta"):
        files = [{path.relative_to(out).as_posix(): path.read_bytes()
                  for path in (out / "exports" / fmt).rglob("*") if path.is_file()}
                 for out in (first, second)]
        assert files[0] and files[0] == files[1], fmt


def test_both_engines_build_the_same_rows(local_ray: None, tmp_path: Path) -> None:
    source = tmp_path / "source"
    alice = contributor(tmp_path, "alice")
    signed = [sign(alice, session(alice.home, seed, profile))
              for seed, profile in ((21, "mixed"), (52, "edit-heavy"), (83, "mixed"))]  # three months
    twice = session(alice.home, 24)
    sign(alice, twice, now=datetime(2026, 6, 1, tzinfo=UTC))
    upload(alice, source.as_uri())
    place(source, sign(alice, twice, target=tmp_path / "again.ctape", now=datetime(2026, 6, 2, tzinfo=UTC)))
    place(source, session(alice.home, 25))  # unsigned
    local, on_ray = tmp_path / "local", tmp_path / "ray"
    build(source, local, "local")
    build(source, on_ray, "ray")
    same_rows(local, on_ray)
    assert {row["reason"] for row in rows(pafs.LocalFileSystem(), str(local), "rejected")} == {"duplicate",
                                                                                               "unsigned"}
    assert len({row["month"] for row in rows(pafs.LocalFileSystem(), str(on_ray), "episodes")}) == 3

    upload(alice, source.as_uri(), sign(alice, session(alice.home, 26)))
    revoke(alice, signed[1])
    build(source, local, "local")
    build(source, on_ray, "ray")
    same_rows(local, on_ray)
    episodes = rows(pafs.LocalFileSystem(), str(on_ray), "episodes")
    assert len(episodes) == 4 and file_sha256(signed[1]) not in {row["sha256"] for row in episodes}
    assert len([path for path in (on_ray / "exports" / "atif").rglob("*") if path.is_file()]) == 4
    assert [path.name for path in (on_ray / "steps").rglob("part-b00002-r-*.parquet")]  # Ray wrote build 2


def test_without_ray_the_ray_engine_is_one_line(tmp_path: Path) -> None:
    """`codetape` works without Ray; asking for its engine says how to get it."""
    source = tmp_path / "source"
    alice = contributor(tmp_path, "alice")
    upload(alice, source.as_uri(), sign(alice, session(alice.home, 27)))
    hide_ray = ("import sys; sys.modules['ray'] = None; from collector.cli.main import main; "
                "sys.exit(main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", hide_ray, "dataset", "build", str(source), "-o",
                           str(tmp_path / "out"), "--engine", "ray"], capture_output=True, text=True,
                          env={"CODETAPE_HOME": str(tmp_path / "team"), "PATH": "/usr/bin:/bin"}, check=False)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == ("codetape: the ray engine needs Ray, which is not installed: "
                           "pip install 'codetape[ray]'\n")
