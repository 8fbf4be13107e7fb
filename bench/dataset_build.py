"""Dataset build speed and memory (`codetape dataset build`): 1,000 signed episodes from the session
generator, built by the local engine (one process, then one per core) and by the ray engine.

    .venv/bin/python -m bench.dataset_build [--episodes 1000] [--small 100,300] [--work DIR] [--baseline DIR]
                                            [--engines local,ray] [--repeat 1] [--exports FMT,...]
                                            [--no-readme]

The episodes: a session each from tests/support/sessions.py (episode n is seed n, taking PROFILES in turn, at
SCALE: a few hundred to two thousand steps each, minutes of work; `training` sessions carry origins, carets,
a task, a snapshot, an AI agent's steps and the mistakes of tests/support/mistakes.py, so the build fills
every table and its labels have negatives), no two the same (before issue 72, 40 sessions were copied under
many headers, and most training rows repeated another: figures from then are not comparable), each under a
header of its own (episode id n + 1, starts spread over a year; REPOSITORIES repositories taken in turn,
`repository`, so that about a tenth of them are on the eval side of the split), signed by the real signing
code (collector.consent.sign_episode) and uploaded to a file:// source by `codetape upload`; the first
`--small` of them (by content address) form the smaller sources. Each build runs in a fresh process: wall
and CPU seconds, the build process's own peak RSS (VmHWM) and the peak of the summed RSS of its process
tree (psutil, sampled every 0.2 s: the workers; for the ray engine Ray's own processes too, shared
object-store pages counted in each process that maps them), and CPU time: the pool's from the kernel
once it has exited, Ray's processes' from the same samples. `--work DIR` keeps the signed source
between runs. With --baseline DIR (a checkout of another commit: `git worktree add DIR COMMIT`), every
build also runs with that tree's code (PYTHONPATH=DIR), alternating build by build with this one, and a
second table sets both side by side (the build is measured by this tree's code, the baseline's
`collector` doing the build). `--engines local` leaves the ray builds out; `--repeat N` runs every
build N times (alternating with the baseline's) and reports the one of median wall time; `--exports
FMT,...` (or `all`: every format a build can export) makes every build export its episodes in those
formats too (`dataset build --exports`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil
from msgspec.structs import replace

from bench.report import command_line, machine, python_ms, table, write_section
from collector.consent import init_keys, sign_episode
from collector.episode import write_episode_file
from collector.home import Home
from collector.policy.sharing import SigningPolicy
from schemas import WorkspaceIdentity
from tests.support.memory import peak_rss_mib
from tests.support.sessions import generate

REPOSITORIES = 40
SCALE = 0.02
PROFILES = ("mixed", "edit-heavy", "training")
GOAL = 50.0  # episodes/s per core
SAMPLE_S = 0.2


def prepare(work: Path, count: int) -> Path:
    """A file:// source of `count` signed episodes (kept in `work`)."""
    source = work / "source"
    if len(list((source / "episodes").glob("*.ctape"))) != count:
        home = Home(work / "home")
        home.ensure(home.root)
        if not (home.keys / "ed25519.key").exists():
            init_keys(home)
        home.ensure(home.episodes)
        with ProcessPoolExecutor(os.cpu_count(), mp_context=multiprocessing.get_context("spawn")) as pool:
            made = list(pool.map(_episode, range(count), [home.episodes] * count, chunksize=8))
            steps = sum(steps for _, steps in made) // max(count, 1)
            print(f"generated {count} sessions: {steps} steps each on average", flush=True)
            unsigned = [path for path, _ in made]
            list(pool.map(_sign, unsigned, [home.root] * count, chunksize=16))
        upload = [sys.executable, "-m", "collector", "upload", "--quiet", "--to", source.as_uri()]
        done = subprocess.run(upload, env={**os.environ, "CODETAPE_HOME": str(home.root)}, check=False,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"codetape upload failed: {done.stderr}")
    return source


def _episode(n: int, folder: Path) -> tuple[Path, int]:
    """Episode `n` of the source, unsigned, in `folder` (module docstring): its path and step count."""
    session = generate(n, PROFILES[n % len(PROFILES)], scale=SCALE)
    start = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
    header = replace(session.header, episode_id=uuid.UUID(int=n + 1, version=4),
                     started_at=start + timedelta(hours=8.77 * n), workspace=repository(n % REPOSITORIES))
    path = folder / f"{header.episode_id}.ctape"
    write_episode_file(path, header, session.steps, level=3)
    return path, len(session.steps)


def repository(number: int) -> WorkspaceIdentity:
    """Repository `number` of REPOSITORIES: the build's split falls by the repository's hash (5 of the 40 on
    the eval side), and a session typing what another typed is held on its side (split.py)."""
    return WorkspaceIdentity(root_name=f"repo-{number}",
                             git_remote=f"https://github.com/codetape-bench/repo-{number}")


def subset(source: Path, count: int) -> Path:
    """A source of the first `count` episodes of `source` (by content address), hard links to its files."""
    few = source.with_name(f"source-{count}")
    names = sorted(path.name.split(".")[0] for path in (source / "episodes").glob("*.ctape"))[:count]
    (few / "episodes").mkdir(parents=True, exist_ok=True)
    for name in names:
        for suffix in (".ctape", ".json"):
            target = few / "episodes" / f"{name}{suffix}"
            if not target.exists():
                os.link(source / "episodes" / f"{name}{suffix}", target)
    return few


def _sign(path: Path, home: Path) -> None:
    target = Home(home).ensure(Home(home).outbox) / path.name
    if not target.exists():
        sign_episode(path, target, Home(home), workspace_policy=SigningPolicy(purpose="training",
                                                                              licence="CC-BY-4.0"))


def child(engine: str, workers: int, source: str, out: str, issuer: str | None = None,
          exports: tuple[str, ...] = ()) -> dict[str, Any]:
    """One build in this fresh process, measured (Arrow's allocator chosen as `codetape dataset` does); with
    `issuer` (an ISSUER.pub), as `--trust-issuer ISSUER.pub --min-contributors 1` builds
    (bench/unlinkable.py); exporting its episodes in `exports`."""
    from collector.dataset.engines.allocator import arrow_environment

    os.environ.update(arrow_environment(os.environ))  # before pyarrow is imported
    from collector.dataset.build import BuildOptions, build_dataset
    from collector.dataset.engines.allocator import freeze_loaded
    from schemas.config import UploadSettings

    ray_start = 0.0
    local_ray = None
    if engine == "ray":  # as a build starts one (loopback only, its token), with `workers` CPUs
        from collector.dataset.engines.ray_local import LocalRay

        began = time.perf_counter()
        local_ray = LocalRay(num_cpus=workers)
        ray_start = time.perf_counter() - began
    peak = [0]
    cpu_seen: dict[int, float] = {}  # pid -> CPU seconds when last sampled (the Ray engine's processes)
    stop = threading.Event()

    def tree_sample() -> None:
        me = psutil.Process()
        total = 0
        for process in [me, *me.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):  # a worker that has just exited
                total += process.memory_info().rss
                times = process.cpu_times()
                cpu_seen[process.pid] = times.user + times.system
        peak[0] = max(peak[0], total)

    def sample() -> None:
        while not stop.wait(SAMPLE_S):
            tree_sample()

    tree_sample()
    cpu_before = dict(cpu_seen)  # Ray's processes, started before the build
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    began, cpu = time.perf_counter(), time.process_time()
    from collector.dataset.check.issuers import parse_issuer

    trusted = None if issuer is None else parse_issuer(Path(issuer), 1)
    options = BuildOptions(source, out, engine=engine, workers=workers,  # type: ignore[arg-type]
                           issuer=trusted, exports=exports)
    freeze_loaded()  # (as `codetape dataset build` does)
    report = build_dataset(options, UploadSettings())
    seconds = time.perf_counter() - began
    stop.set()
    sampler.join()
    tree_sample()  # (Ray is still up: its processes' CPU time, to the end of the build)
    import resource

    workers_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool's, once it has exited
    if engine == "local":
        used = time.process_time() - cpu + workers_cpu.ru_utime + workers_cpu.ru_stime
    else:  # Ray's workers are not this process's children: the process tree's, as sampled
        used = sum(seconds_ - cpu_before.get(pid, 0.0) for pid, seconds_ in cpu_seen.items())
    if local_ray is not None:
        local_ray.close()
    return {"engine": engine, "workers": workers, "episodes": report.tally.done, "bytes": report.tally.bytes,
            "accepted": report.tally.accepted, "steps": report.rows.get("steps", 0), "seconds": seconds,
            "cpu": used, "rss_mib": peak_rss_mib(),
            "tree_mib": peak[0] / 2**20, "ray_start": ray_start, "withdrawn": sum(report.withdrawn.values()),
            "exported": sum(report.exported.episodes.values())}


# a baseline's build, measured by this file's `child` (the baseline's may not know all its arguments)
_THIS_CHILD = ("import importlib.util, sys; sys.argv = sys.argv[1:]; "
               "spec = importlib.util.spec_from_file_location('bench_dataset_build', sys.argv[0]); "
               "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module); "
               "module.main()")


def run_child(engine: str, workers: int, source: Path, out: Path, tree: Path | None = None,
              issuer: Path | None = None, exports: tuple[str, ...] = ()) -> dict[str, Any]:
    """One build in a fresh process, with this tree's code or (`tree`) another's."""
    env = os.environ if tree is None else {**os.environ, "PYTHONPATH": str(tree)}
    start = [sys.executable, "-m", "bench.dataset_build"] if tree is None else \
        [sys.executable, "-c", _THIS_CHILD, str(Path(__file__).resolve())]
    done = subprocess.run([*start, "--child", engine, str(workers), str(source), str(out),
                           "" if issuer is None else str(issuer), ",".join(exports)], check=False,
                          capture_output=True, text=True, env=env, cwd=tree)
    if done.returncode != 0:
        raise SystemExit(f"the {engine} build failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    print(f"{'baseline ' if tree else ''}{engine} x{workers}: {result['episodes']} episodes in "
          f"{result['seconds']:.1f} s", flush=True)
    return result


def _median_run(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The build of median wall time among repeats of one (the lower middle one of an even count)."""
    return sorted(results, key=lambda result: result["seconds"])[(len(results) - 1) // 2]


def compare(before: list[dict[str, Any]], after: list[dict[str, Any]], baseline: Path) -> str:
    """The baseline's builds and this tree's, side by side."""
    rows = []
    for old, new in zip(before, after, strict=True):
        old_rate = old["episodes"] / old["seconds"] / old["workers"]
        new_rate = new["episodes"] / new["seconds"] / new["workers"]
        cpu = "-" if new["cpu"] != new["cpu"] else \
            f"{old['cpu'] / old['episodes'] * 1000:.0f} / {new['cpu'] / new['episodes'] * 1000:.0f} ms"
        rows.append([new["engine"], f"{new['workers']}", f"{new['episodes']:,}", f"{old_rate:.1f}",
                     f"**{new_rate:.1f}**", f"{new_rate / old_rate:.2f}x", cpu,
                     f"{old['rss_mib']:.0f} / {new['rss_mib']:.0f} MiB"])
    head = ["engine", "processes / Ray CPUs", "episodes", f"baseline ({baseline.name}) episodes/s per core",
            "now episodes/s per core", "speed-up", "CPU per episode (baseline / now)",
            "peak RSS of the build process (baseline / now)"]
    return "\n".join([f"The same builds with the code of {baseline} (`git -C {baseline} rev-parse --short "
                      f"HEAD`: {_head(baseline)}), alternating build by build with this tree's:\n",
                      table(head, rows)])


def _head(tree: Path) -> str:
    done = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], check=False,
                          capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def render(results: list[dict[str, Any]], load: str, steps: int, size: float) -> str:
    rows = []
    for r in results:
        rate = r["episodes"] / r["seconds"]
        per_core = rate / r["workers"]
        rows.append([f"{r['engine']}", f"{r['workers']}", f"{r['episodes']:,}", f"{r['bytes'] / 1e6:.1f} MB",
                     f"{r['seconds']:.1f} s", f"{rate:.1f}", f"**{per_core:.1f}**",
                     f"{r['bytes'] / 1e6 / r['seconds'] / r['workers']:.2f}",
                     f"{r['steps'] / r['seconds'] / r['workers']:,.0f}",
                     "-" if r["cpu"] != r["cpu"] else f"{r['cpu'] / r['episodes'] * 1000:.0f} ms",
                     f"{r['rss_mib']:.0f} MiB",
                     f"{r['tree_mib']:.0f} MiB"])
    head = ["engine", "processes / Ray CPUs", "episodes", "bytes", "wall", "episodes/s",
            "episodes/s per core", "MB/s per core", "steps/s per core", "CPU per episode",
            "peak RSS (build process)",
            "peak RSS (process tree)"]
    local = [r for r in results if r["engine"] == "local"] or results  # (--engines ray: the best of Ray's)
    best = max(r["episodes"] / r["seconds"] / r["workers"] for r in local)
    by_workers: dict[int, float] = {}  # the best per-core rate of each pool size: a pool's own verdict
    for r in local:
        rate = r["episodes"] / r["seconds"] / r["workers"]
        by_workers[r["workers"]] = max(by_workers.get(r["workers"], 0.0), rate)
    verdicts = "; ".join(f"{workers} process{'es' if workers > 1 else ''} {rate:.1f} "
                         f"{'met' if rate >= GOAL else 'MISSED'}"
                         for workers, rate in sorted(by_workers.items()))
    most = max(r["episodes"] for r in local)  # the pool against one process over the largest source:
    rates = {r["workers"]: r["episodes"] / r["seconds"] / r["workers"]
             for r in local if r["episodes"] == most}
    scaling = "".join(f" Per core, {workers} processes give {rate / rates[1]:.0%} of one process's rate over "
                      f"{most:,} episodes." for workers, rate in sorted(rates.items())
                      if workers > 1 and 1 in rates)
    ray_start = max(r["ray_start"] for r in results)
    ray = f" Ray's own start ({ray_start:.1f} s) is not in the ray rows' wall time." \
        if any(r["engine"] == "ray" for r in results) else ""
    return "\n".join([
        f"Command: `{command_line()}` ({machine()}); load average {load} at the start. Episodes of "
        f"{steps:,} steps and {size / 1e3:.0f} KB on average (signed, zstd).{ray}\n",
        table(head, rows), "",
        f"Goal >= {GOAL:g} episodes/s per core: {'met' if best >= GOAL else 'MISSED'} "
        f"(best {local[0]['engine']}: {best:.1f}; by pool size, {local[0]['engine']}: {verdicts}).{scaling}"])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        issuer, formats = [*sys.argv[6:8], "", ""][:2]
        print(json.dumps(child(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], issuer or None,
                               tuple(name for name in formats.split(",") if name))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--small", default="100,300", help="smaller sources for the local engine, "
                        "comma-separated (the first one for Ray too)")
    parser.add_argument("--work", type=Path, help="keep the signed source here between runs")
    parser.add_argument("--baseline", type=Path, help="also run every build with the codetape tree at DIR")
    parser.add_argument("--engines", default="local,ray", help="comma-separated: local, ray")
    parser.add_argument("--repeat", type=int, default=1, help="each build this many times: the median")
    parser.add_argument("--exports", default="", help="comma-separated formats every build exports "
                        "(`all`: every format a build can export)")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    exports = _exports(args.exports)
    load = "/".join(f"{x:.1f}" for x in os.getloadavg()) + f", bench.report.python_ms {python_ms():.0f} ms"
    with tempfile.TemporaryDirectory(prefix="codetape-bench-dataset-") as scratch:
        work = args.work or Path(scratch)
        source = prepare(work, args.episodes)
        smaller = [subset(source, int(count)) for count in args.small.split(",") if count]
        cores = os.cpu_count() or 1
        engines = args.engines.split(",")
        runs: list[tuple[str, int, Path]] = [
            *(("local", 1, few) for few in smaller), ("local", 1, source),
            *(("local", cores, few) for few in smaller), ("local", cores, source),
            *(("ray", cores, few) for few in smaller[:1]), ("ray", cores, source)]
        runs = [run for run in runs if run[0] in engines]
        results: list[dict[str, Any]] = []
        before: list[dict[str, Any]] = []
        for n, (kind, processes, where) in enumerate(runs):
            mine: list[dict[str, Any]] = []
            theirs: list[dict[str, Any]] = []
            for round_ in range(args.repeat):
                if args.baseline is not None:
                    theirs.append(run_child(kind, processes, where, Path(scratch) / f"base-{n}-{round_}",
                                            args.baseline.resolve(), exports=exports))
                mine.append(run_child(kind, processes, where, Path(scratch) / f"out-{n}-{round_}",
                                      exports=exports))
                for out in Path(scratch).glob(f"*-{n}-{round_}"):  # (measured: its rows are not kept)
                    shutil.rmtree(out)
            if theirs:
                before.append(_median_run(theirs))
            results.append(_median_run(mine))
        full = max(results, key=lambda result: result["episodes"])  # the whole source's first build
        body = render(results, load, full["steps"] // max(1, full["accepted"]),
                      full["bytes"] / max(1, full["episodes"]))
        if exports:
            body = f"Every build exports its episodes as {', '.join(exports)}.\n\n" + body
        if args.baseline is not None:
            body += "\n\n" + compare(before, results, args.baseline.resolve())
    print(body)
    if not args.no_readme:
        write_section("dataset-build", body)


def _exports(text: str) -> tuple[str, ...]:
    if text != "all":
        return tuple(name for name in text.split(",") if name)
    from collector.dataset.engines.exports import export_formats

    return tuple(export_formats())


if __name__ == "__main__":
    main()
