"""A fresh collector's first seal and its stop (issue 66, item 2): each run starts a collector in a fresh
CODETAPE_HOME, opts a workspace in, records a note (long enough for the redaction engine to scan it),
waits until 5 s after the collector listens, and times the `seal` request; then three more notes and
seals (the figure: the first against the median of those three). Then a second fresh collector with a
one-step episode is stopped with `codetape collector stop` (a process, as a user runs it), timed from
start to exit. Goals: the first seal at most 2x the next ones' median, the stop at most 3 s.

    .venv/bin/python -m bench.first_seal [--runs 5] [--no-readme]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import command_line, machine, median, table, write_section
from collector.protocol.client import Client
from tests.cli import codetape, environment
from tests.support.collector_harness import Daemon, start_daemon

AFTER_LISTEN_S = 5.0
FIRST_GOAL, STOP_GOAL_S = 2.0, 3.0


def _fresh(scratch: Path, name: str) -> tuple[Path, Path, Daemon, float]:
    """A fresh home and opted-in workspace, a collector listening; the time it was found listening."""
    home, ws = scratch / f"{name}-home", scratch / f"{name}-ws"
    ws.mkdir(parents=True)
    assert codetape(home, "init", str(ws)).returncode == 0
    daemon = start_daemon(home)
    return home, ws.resolve(), daemon, time.monotonic()


def _seal(client: Client, ws: Path, text: str) -> float:
    # long enough (256 characters and more) that the redaction engine scans it, as it scans most episodes
    client.request("note", workspace=str(ws), text=f"{text}: " + "the quick brown fox jumps over it " * 10)
    started = time.perf_counter()
    result = client.request("seal", workspace=str(ws))
    assert result is not None and result["steps"] >= 1, result
    return time.perf_counter() - started


def one_run(scratch: Path) -> tuple[float, list[float], float]:
    """(the first seal, the next three, the stop) in seconds."""
    home, ws, daemon, listened = _fresh(scratch, "seal")
    try:
        with Client.connect(daemon.home, autostart=False, timeout=10.0) as client:
            client.hello(ws, "bench")
            client.request("status")
            time.sleep(max(0.0, listened + AFTER_LISTEN_S - time.monotonic()))  # the measurement's definition
            first = _seal(client, ws, "first")
            later = [_seal(client, ws, f"later {i}") for i in range(3)]
    finally:
        daemon.stop()
    home, ws, daemon, _ = _fresh(scratch, "stop")
    with Client.connect(daemon.home, autostart=False, timeout=10.0) as client:
        client.hello(ws, "bench")
        client.request("note", workspace=str(ws), text="the one step")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "collector", "collector", "stop"], env=environment(home),
                          capture_output=True, text=True, timeout=300)
    stop = time.perf_counter() - started
    assert done.returncode == 0 and "sealed " in done.stdout, done.stdout + done.stderr
    daemon.proc.wait(60)
    return first, later, stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    rows, ratios, stops = [], [], []
    for run in range(args.runs):
        scratch = Path(tempfile.mkdtemp(prefix="codetape-first-seal-"))
        try:
            first, later, stop = one_run(scratch)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        ratio = first / median(later)
        ratios.append(ratio)
        stops.append(stop)
        rows.append([run + 1, f"{first:.2f} s", " ".join(f"{x:.2f}" for x in later) + " s", f"{ratio:.1f}x",
                     f"{stop:.2f} s"])
        print(*rows[-1], sep="  ", flush=True)
    met = "met" if median(ratios) <= FIRST_GOAL else "MISSED"
    stop_met = "met" if median(stops) <= STOP_GOAL_S else "MISSED"
    body = (f"Command: `{command_line()}` ({machine()}); load average {load} at the start.\n\n"
            + table(["run", "first seal (5 s after listening)", "next three seals", "first / median",
                     "`collector stop`, one-step episode"], rows)
            + f"\n\nMedian first / next: **{median(ratios):.1f}x** (goal at most {FIRST_GOAL:g}x: {met}); "
              f"median stop: **{median(stops):.2f} s** (goal at most {STOP_GOAL_S:g} s: {stop_met}).\n")
    print(body)
    if not args.no_readme:
        write_section("first-seal", body)


if __name__ == "__main__":
    main()
