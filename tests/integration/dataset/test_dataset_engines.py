"""The local and the ray engine build the same rows from the same source: every table, refusals included,
and the same export files, over a first build and an incremental one with a revocation in between (and
the first build, pinned, then reads the same rows less the revoked episode's from either). Ray
runs for real: a local instance this module starts as a build starts one (2 CPUs, loopback only, its
token) and stops; and first, the local Ray a build starts itself, looked at while it runs: what listens,
where its token is, who may connect."""

from __future__ import annotations

import ipaddress
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
import pyarrow.fs as pafs
import pytest
import ray

from collector.dataset.build import BuildOptions, build_dataset
from collector.dataset.check.source import entries, locate, reader_for
from collector.dataset.engines.batches import batches, check_batch
from collector.dataset.engines.exports import export_formats
from collector.dataset.engines.sink import Tally
from collector.dataset.engines.transform import Context
from collector.episode import open_episode
from schemas.config import UploadSettings
from tests.support.dataset_helpers import (
    ROW_TABLES,
    TABLES,
    contributor,
    export_files,
    file_sha256,
    local_ray,
    pinned_rows,
    place,
    revoke,
    rows,
    session,
    sign,
    snapshot_files,
    upload,
)

__all__ = ["local_ray"]


def test_the_local_ray_of_a_build_listens_on_loopback_only_and_wants_its_token(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While `--engine ray` without --ray-address builds: every socket a Ray process listens on is a loopback
    address (none on 0.0.0.0 or ::), no dashboard runs (Ray's head process runs without one and listens
    nowhere), token authentication is on with the token in a 0600 file (nothing readable by others under
    ~/.ray either), and a client on this machine without the token is turned away. Afterwards the token
    file is gone and this process's environment is as it was."""
    assert not ray.is_initialized(), "this test starts its own Ray: it must run before the module's Ray"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # where Ray would put ~/.ray/auth_token
    before = {name: os.environ.get(name) for name in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN_PATH")}
    source, alice = tmp_path / "source", contributor(tmp_path, "alice")
    upload(alice, source.as_uri(), sign(alice, session(alice.home, 28)))
    seen: dict[str, Any] = {}

    def look(_tally: Tally) -> None:  # called once the source is listed, with Ray running
        if seen:
            return
        processes = [psutil.Process(), *psutil.Process().children(recursive=True)]
        seen["listening"] = {(process.name(), connection.laddr.ip, connection.laddr.port)
                             for process in processes for connection in process.net_connections("inet")
                             if connection.status == psutil.CONN_LISTEN}
        commands = {process: " ".join(process.cmdline()) for process in processes}
        seen["dashboards"] = {command: process.net_connections("inet")
                              for process, command in commands.items() if "dashboard/dashboard.py" in command}
        gcs = next(process for process in processes if process.name() == "gcs_server")
        seen["environment"] = environment = gcs.environ()
        tokens = list((tmp_path / "home").rglob("*token*"))
        tokens += [Path(environment["RAY_AUTH_TOKEN_PATH"])] if "RAY_AUTH_TOKEN_PATH" in environment else []
        seen["tokens"] = {path: stat.S_IMODE(path.stat().st_mode) for path in tokens}
        address = ray.get_runtime_context().gcs_address
        without = {name: value for name, value in os.environ.items() if not name.startswith("RAY_AUTH")}
        # asked 2 times, not Ray's 20 a second apart: each refusal is the same (2.4 s, not 20 s)
        stranger = {**without, "HOME": str(tmp_path / "stranger"), "RAY_NUM_REDIS_GET_RETRIES": "2"}
        seen["stranger"] = subprocess.run(  # on this machine, as the build's Ray is, without its token
            [sys.executable, "-c", f"import ray; ray.init(address={address!r}); print('connected')"],
            env=stranger, capture_output=True, text=True, timeout=180, check=False)

    build_dataset(BuildOptions(str(source), str(tmp_path / "out"), engine="ray"), UploadSettings(),
                  progress=look)
    assert {name for name, _ip, _port in seen["listening"]} >= {"gcs_server", "raylet"}, seen["listening"]
    for name, ip, port in seen["listening"]:
        address = ipaddress.ip_address(ip)
        mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
        assert (mapped or address).is_loopback, (name, ip, port)
        assert port != 8265, name  # the dashboard's
    for command, connections in seen["dashboards"].items():  # Ray's head process, started for usage stats:
        assert "--minimal" in command and "--disable-frontend" in command, command  # no dashboard in it
        assert not [found for found in connections if found.status == psutil.CONN_LISTEN], connections
    assert seen["environment"].get("RAY_AUTH_MODE") == "token"
    assert seen["tokens"] and set(seen["tokens"].values()) == {0o600}, seen["tokens"]
    assert seen["stranger"].returncode != 0 and "connected" not in seen["stranger"].stdout
    assert "Authentication token is missing or incorrect" in seen["stranger"].stderr
    assert not any(path.exists() for path in seen["tokens"])  # removed with the build's Ray
    assert {name: os.environ.get(name) for name in before} == before and not ray.is_initialized()


def build(source: Path, out: Path, engine: str) -> None:
    options = BuildOptions(str(source), str(out), engine=engine, workers=2,  # type: ignore[arg-type]
                           exports=tuple(export_formats()))
    build_dataset(options, UploadSettings())


def same_rows(first: Path, second: Path) -> None:
    filesystem = pafs.LocalFileSystem()
    for table in TABLES:
        found = rows(filesystem, str(first), table)
        assert found == rows(filesystem, str(second), table), table
        assert found or table in ("commands", "cursor", "agent_events", "tasks", "offers", "preferences"), \
            table  # (the mixed and edit-heavy generated sessions have no cursor, agent, task or offer steps)
    files = [export_files(out) for out in (first, second)]  # every format's, made in the build's pass
    assert {path.split("/")[0] for path in files[0]} == set(export_formats())
    assert files[0] == files[1]


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
    at_one = pinned_rows(snapshot_files(tmp_path / "team", on_ray, 1))

    upload(alice, source.as_uri(), sign(alice, session(alice.home, 26)))
    revoke(alice, signed[1])
    build(source, local, "local")
    build(source, on_ray, "ray")
    same_rows(local, on_ray)
    pinned = [pinned_rows(snapshot_files(tmp_path / "team", out, 1)) for out in (local, on_ray)]
    assert pinned[0] == pinned[1]  # build 1 as a run pinned it, less the episode revoked since
    gone = str(open_episode(signed[1]).header.episode_id)
    for table in ROW_TABLES:
        assert pinned[1][table] == [row for row in at_one[table] if row["episode_id"] != gone], table
    episodes = rows(pafs.LocalFileSystem(), str(on_ray), "episodes")
    assert len(episodes) == 4 and file_sha256(signed[1]) not in {row["sha256"] for row in episodes}
    assert len([path for path in (on_ray / "exports" / "atif").rglob("*") if path.is_file()]) == 4
    assert [path.name for path in (on_ray / "steps").rglob("part-b00002-r*.parquet")]  # Ray wrote build 2


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


def test_the_ray_engine_checks_several_episodes_a_task_with_the_local_engines_rows(
        local_ray: None, tmp_path: Path) -> None:
    """Ten new episodes on two CPUs go out as batches of two (batches.py): five accepted, five left out
    (four unsigned, one a duplicate), so at least one batch holds an episode left out beside one kept;
    every table has the rows the local engine builds."""
    source, alice = tmp_path / "source", contributor(tmp_path, "alice")
    for seed in (31, 62, 93, 34):
        sign(alice, session(alice.home, seed, "edit-heavy" if seed % 2 else "mixed"))
    twice = session(alice.home, 35)
    sign(alice, twice, now=datetime(2026, 6, 1, tzinfo=UTC))
    upload(alice, source.as_uri())
    place(source, sign(alice, twice, target=tmp_path / "again.ctape", now=datetime(2026, 6, 2, tzinfo=UTC)))
    for seed in (36, 37, 38, 39):
        place(source, session(alice.home, seed))
    listing = [entry for entry in entries(reader_for(locate(str(source), UploadSettings()))) if entry.present]
    plan = batches(listing, 2)
    assert len(listing) == 10 and [end - start for start, end in plan] == [2] * 5
    reports = {engine: build_dataset(BuildOptions(str(source), str(tmp_path / engine), engine=engine,
                                                  workers=2), UploadSettings())
               for engine in ("local", "ray")}
    # each batch a task, each saying where it ran: this Ray's one node (the cluster test has two)
    placed = reports["ray"].ray_tasks
    node = ray.get_runtime_context().get_node_id()
    assert placed.total() == 5 and {where for where, _worker in placed} == {node}, placed
    assert not reports["local"].ray_tasks
    filesystem = pafs.LocalFileSystem()
    for table in TABLES:
        found = rows(filesystem, str(tmp_path / "ray"), table)
        assert found == rows(filesystem, str(tmp_path / "local"), table), table
    left_out = {row["sha256"]: row["reason"] for row in rows(filesystem, str(tmp_path / "ray"), "rejected")}
    assert sorted(left_out.values()) == ["duplicate", *["unsigned"] * 4]
    assert len(rows(filesystem, str(tmp_path / "ray"), "episodes")) == 5
    mixed = [(start, end) for start, end in plan
             if len({listing[i].sha256 in left_out for i in range(start, end)}) == 2]
    assert mixed, plan  # (five kept in pairs: one pair at least is mixed)


def test_a_checking_task_stops_once_its_rows_pass_its_budget(tmp_path: Path) -> None:
    """check_batch (what a Ray task runs) with no room for rows: the episode left out and the first
    accepted one are done, counted and packed; the episode after them is not (the driver sends it
    again)."""
    source, alice = tmp_path / "source", contributor(tmp_path, "alice")
    upload(alice, source.as_uri(), sign(alice, session(alice.home, 41)), sign(alice, session(alice.home, 42)))
    unsigned = place(source, session(alice.home, 43))
    where = locate(str(source), UploadSettings())
    listing = sorted(entries(reader_for(where)), key=lambda entry: entry.sha256 != unsigned)  # it first
    counted: list[tuple[int, bool]] = []
    checked = check_batch(listing, Context(where, 1), lambda size, rejected: counted.append((size, rejected)),
                          hold=0)
    assert [(outcome.sha256, outcome.reason) for outcome in checked.verdicts] == [
        (unsigned, "unsigned"), (listing[1].sha256, None)]
    assert [rejected for _size, rejected in counted] == [True, False]
    assert not any(outcome.tables for outcome in checked.verdicts)  # the rows travel apart
    assert checked.rows.episodes == checked.blobs.episodes == [listing[1].sha256]
    assert checked.rows.table("steps", {listing[1].sha256}).num_rows > 0
    # its row of `episodes` travels with its verdict: the driver decides its split (sink.py)
    assert checked.verdicts[1].episode_row is not None and checked.verdicts[1].episode_row.num_rows == 1
    assert checked.rows.table("steps", set()).num_rows == 0
    assert sum(rows.num_rows for _sha, rows in checked.blobs.by_episode("blobs")) > 0
