"""The cold start of the commands a developer's shell and editor run most, against the interpreter alone
(issue 108, item 8): `status`, `note` and `run -- true` through the installed `codetape` script, with a
collector running for an opted-in workspace, each timed in turn with `python -c pass` (pairs, so a drift
of the machine's speed moves both), the median of RUNS pairs. The modules' bytecode is cached, as on a
developer's machine (this sandbox sets PYTHONDONTWRITEBYTECODE; setup compiles codetape's modules).

The goal is 4x the interpreter at idle, and it is not met. With the collector running, at load 0.6-0.8
here: `status` 92 ms against 12 ms (7.9x; 9.8x before this change), `note` 6.4x, `run -- true` 7.2x;
without a collector `status` is 6.7x (78 ms; `farm-bench -n 21 --vs '.venv/bin/python -c pass' --
.venv/bin/codetape status`). What is left is what a command needs: the standard library (pathlib,
argparse, socket, dataclasses with inspect: ~25 ms), msgspec for the collector's protocol (~9 ms) and
codetape's own modules. BOUND is a guard against a gross slip, not the goal; what `status` leaves
unloaded is checked exactly in test_cli_start.py."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import environment, opted_in_repository, running_collector

pytestmark = [pytest.mark.eval, pytest.mark.alone]  # a timing goal: nothing beside it
RUNS = 15
BOUND = 10.0  # times `python -c pass`: a gross slip (above), not the 4x goal
CODETAPE = Path(sys.executable).parent / "codetape"
COMMANDS = (["status"], ["note", "a cold start"], ["run", "--", "true"])


def wall_ms(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - start) * 1000


def test_status_note_and_run_start_within_the_bound_of_the_bare_interpreter(tmp_path: Path) -> None:
    env = environment(tmp_path)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    ws = opted_in_repository(tmp_path / "ws", env)
    floor = [sys.executable, "-c", "pass"]
    ratios: dict[str, float] = {}
    with running_collector(env, tmp_path / "collector.log"):
        for command in COMMANDS:
            argv = [str(CODETAPE), *command]
            wall_ms(argv, env, ws), wall_ms(floor, env, ws)  # untimed: bytecode written, files cached
            pairs = [(wall_ms(argv, env, ws), wall_ms(floor, env, ws)) for _ in range(RUNS)]
            ratios[" ".join(command)] = statistics.median(a / b for a, b in pairs)
            print(f"codetape {' '.join(command)}: {statistics.median(a for a, _ in pairs):.0f} ms, "
                  f"python -c pass {statistics.median(b for _, b in pairs):.0f} ms, "
                  f"{ratios[' '.join(command)]:.1f}x (load {os.getloadavg()[0]:.1f})")
    assert all(ratio <= BOUND for ratio in ratios.values()), ratios
