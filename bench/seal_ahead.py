"""The developer's wait at the end of a task: the seal of a 60,000-step journal, sealed ahead or not.

Sealed ahead: the journal is written at a live pace (RATE steps a second, in batches, each batch
followed by the word the collector sends: how far the journal holds whole frames) while a
`collector.seal.ahead` process follows it, as the collector runs it (niced). Once every step is written
the seal is asked (`finish`): the wait is from there to the process's answer (episode written, fsynced,
renamed, summary beside it), and its CPU is the process's CPU over that time (/proc/PID/stat).
From the journal: the same journal sealed by `seal_redacted` in a fresh process with the scanning
engine loaded first, as the running collector has it (bench/episode_speed.py's "warm" seal).
The two alternate, RUNS times each; every run checks that both episodes are the same bytes.

With --collector the steps go through a real collector instead (`codetape init` on an empty workspace,
one client sending them at the pace, the collector starting and telling the process itself), and the
wait is the `seal` request's round trip: the collector's settle, the journal's close, the process's
tail, the journal's removal. The journal is kept for the seal from scratch through a hard link.

    .venv/bin/python -m bench.seal_ahead [--runs 5] [--rate 1000] [--collector] [--no-readme]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.episode_speed import SEAL_STEPS, run_child
from bench.live_env import code_state
from bench.report import command_line, machine, median, table, write_section
from collector.home import Home
from collector.journal import JournalWriter
from collector.protocol.client import Client
from collector.seal.ahead import identity
from schemas import EpisodeHeader, Step, step_to_dict
from tests.support.sessions import generate

GOAL_S = 2.0
BATCH = 50
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    """User + system CPU of a running (or not yet reaped) process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def ahead_run(header: EpisodeHeader, steps: list[Step], work: Path, rate: float) -> dict[str, Any]:
    """Record the steps at `rate` with a seal-ahead process following; then time the seal."""
    workspace = work / "ws"
    workspace.mkdir(exist_ok=True)
    (workspace / ".codetape.toml").write_text("")
    journal, out = work / "ahead.journal", work / "ahead"
    writer = JournalWriter.create(journal, header, fsync=lambda fd: None)
    proc = subprocess.Popen([sys.executable, "-m", "collector.seal.ahead", str(journal), str(out),
                             str(workspace), identity(), str(os.getpid())], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, bufsize=0)
    assert proc.stdin is not None and proc.stdout is not None
    started = time.perf_counter()
    for n in range(0, len(steps), BATCH):
        writer.append_many(steps[n : n + BATCH])
        proc.stdin.write(b"%d\n" % writer.end)
        ahead_of_pace = started + (n + BATCH) / rate - time.perf_counter()
        if ahead_of_pace > 0:
            time.sleep(ahead_of_pace)  # the live pace: a bench, not a test
    recorded = time.perf_counter() - started
    writer.close()
    cpu_before, asked = cpu_s(proc.pid), time.perf_counter()
    proc.stdin.write(b"finish\n")
    answer = proc.stdout.readline()
    wait, cpu = time.perf_counter() - asked, cpu_s(proc.pid) - cpu_before
    proc.stdin.close()
    proc.wait()
    if b'"path"' not in answer:
        raise SystemExit(f"the seal-ahead process failed: {answer.decode(errors='replace')}")
    shutil.copyfile(journal, work / "scratch.journal")  # the same journal for the seal from scratch
    journal.unlink()
    behind = json.loads(answer)["behind"]
    return {"seconds": wait, "cpu": cpu, "recorded_s": recorded, "behind": f"{behind} steps behind",
            "episode": next(out.glob("*.ctape"))}


def collector_run(steps: list[Step], work: Path, rate: float) -> dict[str, Any]:
    """Send the steps at `rate` through a real collector (which seals ahead); then time `seal`."""
    home, workspace = Home(work / "home"), work / "ws"
    workspace.mkdir()
    env = {**os.environ, "CODETAPE_HOME": str(home.root)}
    subprocess.run([sys.executable, "-m", "collector", "init", str(workspace)], env=env, check=True,
                   capture_output=True)
    home.root.chmod(0o700)
    started_ms = 1_000
    with Client.connect(home, autostart=True, timeout=30.0) as client:
        client.hello(workspace.resolve(), "bridge", position_encoding="utf-16")
        started = time.perf_counter()
        for n in range(0, len(steps), BATCH):
            client.send_steps([(started_ms + step.t_ms, _plain(step)) for step in steps[n : n + BATCH]])
            ahead_of_pace = started + (n + BATCH) / rate - time.perf_counter()
            if ahead_of_pace > 0:
                time.sleep(ahead_of_pace)  # the live pace: a bench, not a test
        client.request("status")  # every step is in the journal
        recorded = time.perf_counter() - started
        journals = list(home.journals.glob("*.journal"))
        os.link(journals[0], work / "scratch.journal")
        asked = time.perf_counter()
        sealed = client.request("seal", workspace=str(workspace.resolve()))
        wait = time.perf_counter() - asked
        client.request("shutdown")
    log = home.root / "run" / "collector.log"
    ahead = log.exists() and f"{journals[0].stem}: sealed ahead" in log.read_text(errors="replace")
    return {"seconds": wait, "cpu": float("nan"), "recorded_s": recorded,
            "behind": "sealed ahead" if ahead else "NOT sealed ahead", "episode": Path(sealed["path"])}


def _plain(step: Step) -> dict[str, Any]:
    return {key: value for key, value in step_to_dict(step).items() if key != "t_ms"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rate", type=float, default=1000.0, help="steps a second while recording")
    parser.add_argument("--collector", action="store_true", help="through a real collector")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    code = code_state()
    session = generate(1, "edit-heavy", scale=3.5)  # bench/episode_speed.py's session
    steps = session.steps[:SEAL_STEPS]
    aheads: list[dict[str, Any]] = []
    scratches: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            work = Path(tmp) / f"run{run}"
            work.mkdir()
            aheads.append(collector_run(steps, work, args.rate) if args.collector
                          else ahead_run(session.header, steps, work, args.rate))
            scratches.append(run_child("seal", str(work / "scratch.journal"), str(work / "scratch"), "warm"))
            same = (aheads[-1]["episode"].read_bytes()
                    == next((work / "scratch").glob("*.ctape")).read_bytes())
            if not same:
                raise SystemExit(f"run {run + 1}: the episode sealed ahead is not the seal from scratch")
            print(f"run {run + 1}: sealed ahead {aheads[-1]['seconds']:.2f} s (recorded in "
                  f"{aheads[-1]['recorded_s']:.1f} s; {aheads[-1]['behind']}), "
                  f"from the journal {scratches[-1]['seconds']:.2f} s; "
                  "same bytes", flush=True)
            shutil.rmtree(work)
    body = render(aheads, scratches, args, f"load average {load} at the start, {code}")
    print(body)
    if not args.no_readme:
        write_section("seal-ahead-collector" if args.collector else "seal-ahead", body)


def render(aheads: list[dict[str, Any]], scratches: list[dict[str, Any]], args: argparse.Namespace,
           state: str) -> str:
    def row(name: str, results: list[dict[str, Any]]) -> list[str]:
        times = [r["seconds"] for r in results]
        seconds = median(times)
        return [name, f"**{seconds:.2f} s**", f"{min(times):.2f} s", f"{max(times):.2f} s",
                _seconds(median([r["cpu"] for r in results])),
                f"< {GOAL_S:g} s: {'met' if seconds < GOAL_S else 'MISSED'}"]
    ahead = ("the `seal` request through the collector" if args.collector
             else "sealed ahead (the tail, after the last step)")
    per_run = "Per run" if args.collector else "When the seal was asked, per run"
    rows = [row(ahead, aheads),
            row("from the journal (warm, fresh process)", scratches)]
    return "\n".join([
        f"Command: `{command_line()}` ({machine()}); {args.runs} alternating runs each, {state}; "
        f"the first {SEAL_STEPS:,} steps of bench/episode_speed.py's session, recorded at "
        f"{args.rate:,.0f} steps/s (median {median([r['recorded_s'] for r in aheads]):.1f} s) in batches "
        f"of {BATCH}{' through a real collector' if args.collector else ''}; every run's two episodes are "
        f"the same bytes. {per_run}: {', '.join(str(r['behind']) for r in aheads)}.\n",
        table([f"seal of a {SEAL_STEPS:,}-step journal, with redaction: the wait", "median wall", "min",
               "max", "median CPU", "goal"], rows)])


def _seconds(value: float) -> str:
    return "n/a" if value != value else f"{value:.2f} s"  # NaN: not measured


if __name__ == "__main__":
    main()
