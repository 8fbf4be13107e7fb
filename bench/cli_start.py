"""Cold start of `codetape` commands: wall time from exec to exit, median of N runs, beside the floor
(the interpreter alone, and `import collector`). Issue 14's goal: <= 100 ms for every command.

    .venv/bin/python -m bench.cli_start [--runs 15]

Each command runs in a fresh scratch CODETAPE_HOME with an opted-in workspace (so `run` records into a
real collector, started once before timing), the way a developer's shell runs it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from collector.home import Home
from collector.protocol.client import Client

COMMANDS: list[tuple[str, list[str]]] = [
    ("python -c pass (floor)", [sys.executable, "-c", "pass"]),
    ("python -c 'import collector'", [sys.executable, "-c", "import collector"]),
    ("codetape --help", ["--help"]),
    ("codetape --version", ["--version"]),
    ("codetape inspect --help", ["inspect", "--help"]),
    ("codetape status", ["status"]),
    ("codetape episodes", ["episodes"]),
    ("codetape note x", ["note", "x"]),
    ("codetape pause; resume", ["pause"]),
    ("codetape run -- true", ["run", "--", "true"]),
    ("codetape dataset --help", ["dataset", "--help"]),
    ("codetape export --help", ["export", "--help"]),
]


def measure(argv: list[str], env: dict[str, str], cwd: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="ct-bench-start-"))
    try:
        home, ws = scratch / "home", scratch / "ws"
        ws.mkdir()
        env = {**os.environ, "CODETAPE_HOME": str(home)}
        codetape = [sys.executable, "-m", "collector"]
        subprocess.run([*codetape, "init", str(ws)], env=env, check=True, capture_output=True)
        subprocess.run([*codetape, "collector", "--detach"], env=env, check=True, capture_output=True)
        subprocess.run([*codetape, "run", "--", "true"], env=env, cwd=ws, check=True, capture_output=True)
        print(f"| command | median wall ms ({args.runs} runs) |\n|---|---:|")
        for label, argv in COMMANDS:
            full = argv if argv[0] == sys.executable else [*codetape, *argv]
            if label.startswith("codetape pause"):
                pause = measure(full, env, ws, 1)
                resume = measure([*codetape, "resume"], env, ws, 1)
                median = statistics.median([pause, resume] + [
                    measure([*codetape, verb], env, ws, 1) for _ in range(args.runs // 2)
                    for verb in ("pause", "resume")])
            else:
                median = measure(full, env, ws, args.runs)
            print(f"| `{label}` | {median:.0f} |", flush=True)
        with Client.connect(Home(home.resolve()), autostart=False) as client:
            client.request("shutdown")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
