"""A fresh collector's first seal and its stop (issue 66, item 2), as `bench/first_seal.py` measures them and
`tests/integration/daemon/test_first_seal_goals.py` holds them: a collector in a fresh CODETAPE_HOME, a
workspace opted in, a note long enough for the redaction engine to scan it, the `seal` request timed 5 s
after the collector listens, then three more; then a second fresh collector holding a one-step episode (a
note as long) stopped with `codetape collector stop`, a process as a user runs it, timed from start to
exit. Goals: the first seal at most FIRST_GOAL times the next ones' median, the stop at most STOP_GOAL_S.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

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


def long_note(text: str) -> str:
    """`text`, made long enough (256 characters and more) that the redaction engine scans it, as it scans
    most episodes (a 12-character note never needs it: the stop took half the time with one)."""
    return f"{text}: " + "the quick brown fox jumps over it " * 10


def _seal(client: Client, ws: Path, text: str) -> float:
    client.request("note", workspace=str(ws), text=long_note(text))
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
        client.request("note", workspace=str(ws), text=long_note("the one step"))
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "collector", "collector", "stop"], env=environment(home),
                          capture_output=True, text=True, timeout=300)
    stop = time.perf_counter() - started
    assert done.returncode == 0 and "sealed " in done.stdout, done.stdout + done.stderr
    daemon.proc.wait(60)
    return first, later, stop
