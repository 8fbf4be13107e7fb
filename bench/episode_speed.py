"""Seal and checkout speed on long generated sessions, each run in a fresh process for time and peak RSS.

- seal: a 60,000-step journal (collector.journal) sealed into an episode the way the collector seals
  (collector.seal.redacted.seal_redacted: seal_journal with secret redaction over every channel)
  (read, validate every step, encode, zstd -17 on a background thread, write, fsync). Goal < 5 s
  (issue 14: < 2 s).
- checkout: open_episode on a 100,000-step episode and replay to step 50,000 with
  collector.reconstruct.workspace.workspace_at (container check, decode, validate, apply). Goal < 1 s.
Both steps lists come from one long edit-heavy session (tests/support/sessions.py, ~10 simulated hours).

    .venv/bin/python -m bench.episode_speed [--runs 5] [--no-readme]
    .venv/bin/python -m bench.episode_speed --baseline DIR [--runs 5]

`--baseline DIR` measures only the seal, alternating runs of this tree's and of the codetape tree at DIR
(another commit, say `git worktree add DIR COMMIT`) on the same journal, and prints both and their
ratio, also into the README's own section for it (`episode-speed-baseline`; not with --no-readme): on a
shared machine only a side-by-side ratio means much. This
tree is measured twice: in a fresh process, and "warm", with its secret-scanning engine loaded before
the clock starts, as in the running collector, which loads it once.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.report import command_line, machine, median, table, write_section
from collector.episode import open_episode, write_episode_file
from collector.reconstruct.workspace import workspace_at
from tests.support.memory import peak_rss_mib
from tests.support.sessions import Session, generate

SEAL_STEPS, EPISODE_STEPS, CHECKOUT_AT = 60_000, 100_000, 50_000
SEAL_GOAL, CHECKOUT_GOAL = 5.0, 1.0


def write_journal(session: Session, count: int, path: Path) -> None:
    from collector.journal import JournalWriter

    with JournalWriter.create(path, session.header, fsync=lambda fd: None) as journal:
        for step in session.steps[:count]:
            journal.append(step)


def seal(journal: Path, out: Path) -> None:
    """The collector's own seal: validation, redaction of every channel, encoding, the atomic write."""
    from collector.seal.redacted import seal_redacted

    out.mkdir(parents=True, exist_ok=True)
    seal_redacted(journal, out)


def checkout(episode: Path, stop: int) -> None:
    opened = open_episode(episode)
    workspace_at(opened.header.position_encoding, opened.steps(), stop)


def child(argv: list[str]) -> None:
    """In a fresh process: run one operation, print its seconds and peak RSS (or its profile) as JSON."""
    what, path, arg = argv[:3]
    run: Callable[[], None] = ((lambda: seal(Path(path), Path(arg))) if what == "seal"
                               else (lambda: checkout(Path(path), int(arg))))
    if argv[3:] == ["profile"]:
        print(json.dumps({"profile": profile(run)}))
        return
    if argv[3:] == ["warm"]:  # as in the running collector: the secret-scanning engine already loaded
        from collector.redact import RuleSet

        RuleSet.default().scanner  # noqa: B018
    before = peak_rss_mib()
    start, cpu = time.perf_counter(), time.process_time()
    run()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_mib": peak_rss_mib(), "rss_before_mib": before}))


def run_child(*args: str, cwd: Path | None = None) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "bench.episode_speed", "--child", *args],
                          check=True, capture_output=True, text=True, cwd=cwd)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def profile(fn: Callable[[], None], top: int = 8) -> str:
    """The `top` functions by own time of one in-process run."""
    profiler = cProfile.Profile()
    profiler.runcall(fn)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    lines = out.getvalue().splitlines()
    first = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return "\n".join(line.replace(str(Path.cwd()) + "/", "") for line in lines[first : first + top + 1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--baseline", type=Path, help="seal only, alternating with the codetape tree at DIR")
    args = parser.parse_args()
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    started = time.perf_counter()
    session = generate(1, "edit-heavy", scale=3.5)
    if len(session.steps) < EPISODE_STEPS:
        raise SystemExit(f"the long session has only {len(session.steps)} steps; raise its scale")
    source = (f"{session.name} at scale 3.5: {len(session.steps):,} steps, {len(session.expected)} files, "
              f"{session.duration_s / 3600:.1f} simulated hours")
    print(f"generated {source} in {time.perf_counter() - started:.0f} s", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        journal = work / "bench.journal"
        write_journal(session, SEAL_STEPS, journal)
        if args.baseline is not None:
            compared = compare(journal, work, args.baseline.resolve(), args.runs, load)
            print(compared)
            if not args.no_readme:
                write_section("episode-speed-baseline", compared)
            return
        episode = work / "bench.ctape"
        write_episode_file(episode, session.header, session.steps[:EPISODE_STEPS])
        seals, checkouts = [], []
        for run in range(args.runs):
            copy = work / f"run{run}.journal"
            shutil.copyfile(journal, copy)
            seals.append(run_child("seal", str(copy), str(work / f"out{run}")))
            checkouts.append(run_child("checkout", str(episode), str(CHECKOUT_AT)))
            print(f"run {run + 1}: seal {seals[-1]['seconds']:.2f} s, "
                  f"checkout {checkouts[-1]['seconds']:.2f} s", flush=True)
        shutil.copyfile(journal, work / "prof.journal")
        seal_profile = run_child("seal", str(work / "prof.journal"), str(work / "prof"), "profile")["profile"]
        checkout_profile = run_child("checkout", str(episode), str(CHECKOUT_AT), "profile")["profile"]
        body = render(seals, checkouts, episode.stat().st_size, journal.stat().st_size, seal_profile,
                      checkout_profile, args.runs, load, source)
    print(body)
    if not args.no_readme:
        write_section("episode-speed", body)


def compare(journal: Path, work: Path, baseline: Path, runs: int, load: str) -> str:
    """Seal the same journal with the baseline tree and with this one, alternating, in fresh processes."""
    results: dict[str, list[dict[str, Any]]] = {"baseline": [], "this tree": [], "this tree, warm": []}
    for run in range(runs):
        for name, cwd, mode in (("baseline", baseline, ()), ("this tree", None, ()),
                                ("this tree, warm", None, ("warm",))):
            copy = work / f"{name.replace(' ', '-').replace(',', '')}{run}.journal"
            shutil.copyfile(journal, copy)
            results[name].append(run_child("seal", str(copy), str(work / f"out-{copy.stem}"), *mode, cwd=cwd))
            print(f"run {run + 1} {name}: seal {results[name][-1]['seconds']:.2f} s", flush=True)
    rows = [[name, f"{median([r['seconds'] for r in rs]):.2f} s", f"{min(r['seconds'] for r in rs):.2f} s",
             f"{max(r['seconds'] for r in rs):.2f} s", f"{median([r['cpu'] for r in rs]):.2f} s"]
            for name, rs in results.items()]
    def ratio(key: str, name: str = "this tree") -> float:
        return median([r[key] for r in results[name]]) / median([r[key] for r in results["baseline"]])
    return "\n".join([
        f"Command: `{command_line()}` ({machine()}); baseline {baseline}; {runs} alternating runs each, "
        f"fresh processes, load average {load} at the start.\n",
        table(["seal of a 60,000-step journal", "median wall", "min", "max", "median CPU"], rows), "",
        f"this tree / baseline: {ratio('seconds'):.2f} x wall, {ratio('cpu'):.2f} x CPU (medians); warm: "
        f"{ratio('seconds', 'this tree, warm'):.2f} x wall, {ratio('cpu', 'this tree, warm'):.2f} x CPU"])


def render(seals: list[dict[str, Any]], checkouts: list[dict[str, Any]], episode_bytes: int,
           journal_bytes: int, seal_profile: str, checkout_profile: str, runs: int, load: str,
           source: str) -> str:
    def row(name: str, what: str, results: list[dict[str, Any]], goal: float) -> list[str]:
        times = [r["seconds"] for r in results]
        seconds = median(times)
        return [name, what, f"**{seconds:.2f} s**", f"{min(times):.2f} s", f"{max(times):.2f} s",
                f"{median([r['cpu'] for r in results]):.2f} s",
                f"< {goal:g} s: {'met' if seconds < goal else 'MISSED'}",
                f"{median([r['rss_mib'] for r in results]):.0f} MiB",
                f"{median([r['rss_before_mib'] for r in results]):.0f} MiB"]
    journal = f"{SEAL_STEPS:,}-step journal ({journal_bytes / 2**20:.1f} MiB) -> episode"
    episode = (f"{EPISODE_STEPS:,}-step episode ({episode_bytes / 2**10:.0f} KiB), "
               f"replay to step {CHECKOUT_AT:,}")
    rows = [row("seal", journal, seals, SEAL_GOAL), row("checkout", episode, checkouts, CHECKOUT_GOAL)]
    head = ["operation", "input", "median wall", "min", "max", "median CPU", "goal (wall)", "peak RSS",
            "RSS after imports"]
    return "\n".join([
        f"Command: `{command_line()}` ({machine()}). {runs} runs, each in a fresh process; load average "
        f"{load} when it started (the CPU time says what an idle machine would see). Steps from {source}.\n",
        table(head, rows), "",
        "<details><summary>Profiles (one run each in a fresh process under cProfile, "
        "top functions by own time)</summary>\n",
        "seal:\n```", seal_profile, "```\ncheckout:\n```", checkout_profile, "```\n</details>"])


if __name__ == "__main__":
    main()
