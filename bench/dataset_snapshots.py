"""Snapshots over many builds: what each build's record costs, how the files grow without compaction, how
fast a pinned build is read, and what a revocation's purge of every snapshot costs:

    .venv/bin/python -m bench.dataset_snapshots WORK BUILDS PER_BUILD

WORK keeps the signed source (bench.dataset_build.prepare: BUILDS x PER_BUILD episodes) and the dataset.
Each build adds PER_BUILD episodes (a source growing by hard links, as subset() makes them); then one
episode of build 1 is revoked and one more build purges it from every snapshot. Prints per build its wall
time, the Parquet files and the record's bytes; then DuckDB reading build 1 pinned against the whole
dataset globbed, and the purging build against a build with nothing to do. Last, `codetape dataset compact`:
its time and peak RSS, the files before and after, and the whole dataset globbed by DuckDB before and after
(median of 5 reads each, every table).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from bench.dataset_build import prepare


def codetape(work: Path, *args: str, home: Path | None = None) -> str:
    env = {**os.environ, "CODETAPE_HOME": str(home or work / "team-home")}
    done = subprocess.run([sys.executable, "-m", "collector", *args], env=env, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def timed_build(work: Path, source: Path, out: Path) -> float:
    start = time.monotonic()
    codetape(work, "dataset", "build", source.as_uri(), "-o", str(out), "--quiet")
    return time.monotonic() - start


def read(files: list[str]) -> tuple[int, float]:
    start = time.monotonic()
    found = duckdb.sql(f"SELECT count(*) FROM read_parquet({files!r}, hive_partitioning = true)").fetchall()
    return found[0][0], time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("work", type=Path, help="keeps the signed source and the dataset (start fresh)")
    parser.add_argument("builds", type=int, help="how many builds")
    parser.add_argument("per_build", type=int, help="new episodes each build adds")
    args = parser.parse_args()
    work, builds, per_build = args.work, args.builds, args.per_build
    source = prepare(work, builds * per_build)
    names = sorted(path.name.split(".")[0] for path in (source / "episodes").glob("*.ctape"))
    growing, out = work / "growing", work / "out"
    shutil.rmtree(growing, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    (growing / "episodes").mkdir(parents=True)
    print("build  seconds  parquet-files  record-bytes")
    for number in range(1, builds + 1):
        for name in names[(number - 1) * per_build:number * per_build]:
            for suffix in (".ctape", ".json"):
                os.link(source / "episodes" / f"{name}{suffix}", growing / "episodes" / f"{name}{suffix}")
        seconds = timed_build(work, growing, out)
        parquet = len([path for path in out.rglob("*.parquet") if path.parts[-2] != "schemas"])
        record = (out / "_builds" / f"b{number:05d}.json").stat().st_size
        print(f"{number:5d}  {seconds:7.2f}  {parquet:13d}  {record:12d}", flush=True)
    pinned = json.loads(codetape(work, "dataset", "files", str(out), "--build", "1", "--json"))["tables"]
    rows, seconds = read([item["path"] for item in pinned["steps"]])
    print(f"build 1 pinned: {rows} steps in {len(pinned['steps'])} files, {seconds * 1000:.0f} ms")
    rows, seconds = read([f"{out}/steps/**/*.parquet"])
    print(f"the dataset globbed: {rows} steps, {seconds * 1000:.0f} ms")
    print(f"a build with nothing new: {timed_build(work, growing, out):.2f} s")
    outbox = work / "home" / "outbox"
    first = next(path for path in outbox.glob("*.ctape")
                 if subprocess.run(["sha256sum", str(path)], capture_output=True, text=True,
                                   check=True).stdout.split()[0] in names[:per_build])
    codetape(work, "revoke", str(first), home=work / "home")
    for record in source.glob("episodes/*.revocation.json"):
        shutil.copyfile(record, growing / "episodes" / record.name)
        record.unlink()  # (the next run's source stays unrevoked)
    seconds = timed_build(work, growing, out)
    purged = sum(1 for path in (out / "_builds").glob("*.json") if json.loads(path.read_text())["purged"])
    print(f"the build purging one episode of build 1 from {purged} snapshots: {seconds:.2f} s")
    compaction(work, out)


def parquet_files(out: Path) -> int:
    return len([path for path in out.rglob("*.parquet") if path.parts[-2] != "schemas"])


def globbed(out: Path) -> float:
    """Median seconds of 5 DuckDB reads of every table of the dataset, globbed."""
    tables = sorted(path.name for path in out.iterdir() if path.is_dir() and not path.name.startswith("_")
                    and path.name not in ("schemas", "exports"))
    times = []
    for _ in range(5):
        start = time.monotonic()
        for table in tables:
            duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}/{table}/**/*.parquet', "
                       "hive_partitioning = true)").fetchall()
        times.append(time.monotonic() - start)
    return statistics.median(times)


def compaction(work: Path, out: Path) -> None:
    files, read_before = parquet_files(out), globbed(out)
    env = {**os.environ, "CODETAPE_HOME": str(work / "team-home")}
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "collector", "dataset", "compact", str(out), "--json"],
                            env=env, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    said = json.loads(proc.stdout.read())
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - start
    assert os.waitstatus_to_exitcode(status) == 0
    merged = f"{said['merged']} files of {said['folders']} folders merged into {said['written']}"
    print(f"compaction (build {said['build']}): {merged} in {seconds:.2f} s, peak RSS "
          f"{usage.ru_maxrss / 1024:.0f} MiB; Parquet files {files} -> {parquet_files(out)}; every table "
          f"globbed by DuckDB: {read_before * 1000:.0f} -> {globbed(out) * 1000:.0f} ms (median of 5)")


if __name__ == "__main__":
    main()
