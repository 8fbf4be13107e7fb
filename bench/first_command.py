"""A newcomer's first command on a fresh machine: how long `scripts/demo` takes from a clean checkout with
nothing cached, and what its install costs with pip beside uv (which scripts/setup --demo uses).

    .venv/bin/python -m bench.first_command [--runs 3] [--no-readme]

Each run clones this checkout's HEAD into a scratch directory (no .venv) and, with pip's and uv's caches
off (PIP_NO_CACHE_DIR, UV_NO_CACHE: every package comes from the index again, as on a fresh machine):
installs `.[demo]` into a fresh venv with pip, then with uv (pip installing uv first), then runs
`scripts/demo` whole. Runs alternate, so a slow moment of the machine hits all three alike; the table
gives the medians and the ratio. Issue 30's goal: scripts/demo cold in under 60 s on the 2-core machine.

Each run records the machine's load average (1 minute) as it starts and ends, and how long `scripts/demo`
took to print its first line and its longest silence (every phase is to say what it does within 2 s).
The README keeps two figures, as docs/contributing.md and docs/index.md quote them: runs that started at
load under
1 go to the idle section, runs that started at load 4 or more to the loaded one; a set of runs in
between, or mixed, is printed and not written. `--demo-only` times `scripts/demo` alone (the installs'
comparison left out). `--idle` waits before each run (up to 10 minutes) until the load is under 1, as the
previous run's own load would otherwise carry into the next.
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

REPO = Path(__file__).resolve().parents[1]
GOAL_S = 60.0


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    began = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    took = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    return took


def _watched(command: list[str], cwd: Path, env: dict[str, str]) -> dict[str, float]:
    """Run `command` with its output (stdout and stderr as one stream) read line by line: how long it took,
    when its first line came and the longest wait between two lines (or before the first, or after the
    last), in seconds."""
    began = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, bufsize=1)
    assert proc.stdout is not None
    last, longest = began, 0.0
    first: float | None = None
    tail: list[str] = []
    for line in proc.stdout:
        now = time.perf_counter()
        first = now - began if first is None else first
        longest, last = max(longest, now - last), now
        tail = [*tail[-20:], line]
    code = proc.wait()
    ended = time.perf_counter()
    if code != 0:
        raise SystemExit(f"{' '.join(command)} failed: {''.join(tail)}")
    return {"took": ended - began, "first line after": first if first is not None else ended - began,
            "longest silence": max(longest, ended - last)}


def _fresh(scratch: Path, name: str) -> Path:
    clone = scratch / name
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    return clone


IDLE_BELOW, LOADED_FROM = 1.0, 4.0  # the 1-minute load average a run starts at, for each section
DEMO = "scripts/demo (uv's install, then the demo)"


def load() -> float:
    """The 1-minute load average now."""
    return os.getloadavg()[0]


def section(loads: list[float]) -> str | None:
    """The README section runs that started at these loads belong to (None: neither idle nor loaded)."""
    if all(value < IDLE_BELOW for value in loads):
        return "first-command-idle"
    if all(value >= LOADED_FROM for value in loads):
        return "first-command-loaded"
    return None


def settle(limit_s: float = 600.0) -> None:
    """Wait until the 1-minute load average is under IDLE_BELOW, saying so every 30 s (up to limit_s)."""
    waited = 0.0
    while load() >= IDLE_BELOW and waited < limit_s:
        if waited % 30 == 0:
            print(f"waiting for the load to fall under {IDLE_BELOW:g} (now {load():.2f})", flush=True)
        time.sleep(5)
        waited += 5


def one_run(scratch: Path, python: str, *, demo_only: bool = False) -> dict[str, float]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "CODETAPE"))}
    env |= {"PIP_NO_CACHE_DIR": "1", "UV_NO_CACHE": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    found: dict[str, float] = {"load at start": load()}
    if not demo_only:
        found |= _installs(scratch, python, env)
    clone = _fresh(scratch, "demo")
    demo = ["scripts/demo", "--dir", str(scratch / "d")]
    watched = _watched(demo, clone, env | {"PYTHON": python})
    found[DEMO] = watched["took"]
    found["scripts/demo: its first line after"] = watched["first line after"]
    found["scripts/demo: its longest silence"] = watched["longest silence"]
    found["load at end"] = load()
    for name in ("pip", "uv", "demo", "d"):
        shutil.rmtree(scratch / name, ignore_errors=True)
    return found


def _installs(scratch: Path, python: str, env: dict[str, str]) -> dict[str, float]:
    found: dict[str, float] = {}
    clone = _fresh(scratch, "pip")
    subprocess.run([python, "-m", "venv", ".venv"], cwd=clone, check=True)
    found["pip install .[demo]"] = _timed([".venv/bin/python", "-m", "pip", "install", "-q", "-e", ".[demo]"],
                                          clone, env)
    clone = _fresh(scratch, "uv")
    subprocess.run([python, "-m", "venv", ".venv"], cwd=clone, check=True)
    found["uv pip install .[demo]"] = (
        _timed([".venv/bin/python", "-m", "pip", "install", "-q", "uv"], clone, env)
        + _timed([".venv/bin/uv", "pip", "install", "-q", "--python", ".venv/bin/python", "-e", ".[demo]"],
                 clone, env))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--demo-only", action="store_true", help="time scripts/demo alone")
    parser.add_argument("--idle", action="store_true", help="wait for a load under 1 before each run")
    args = parser.parse_args()
    python = shutil.which("python3") or sys.executable
    runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="codetape-first-") as scratch:
        for number in range(args.runs):
            if args.idle:
                settle()
            runs.append(one_run(Path(scratch), python, demo_only=args.demo_only))
            said = ", ".join(f"{name} {value:.1f}{'' if name.startswith('load') else ' s'}"
                             for name, value in runs[-1].items())
            print(f"run {number + 1}: {said}", flush=True)
    loads = [run["load at start"] for run in runs]
    timed = [name for name in runs[0] if not name.startswith("load")]
    medians = {name: median([run[name] for run in runs]) for name in timed}
    demo = medians[DEMO]
    rows = [(name, f"{value:.1f} s", ", ".join(f"{run[name]:.1f}" for run in runs))
            for name, value in medians.items()]
    rows += [(f"{name} (1 min)", f"{median([run[name] for run in runs]):.1f}",
              ", ".join(f"{run[name]:.1f}" for run in runs)) for name in ("load at start", "load at end")]
    where = section(loads)
    kind = {"first-command-idle": "idle", "first-command-loaded": "loaded", None: "neither idle nor loaded"}
    ratio = ""
    if not args.demo_only:
        pip, uv = medians["pip install .[demo]"], medians["uv pip install .[demo]"]
        ratio = f"uv installs the demo's packages in {uv / pip:.2f}x pip's time; "
    body = "\n".join([
        f"`{command_line()}`: {machine()}, {kind[where]} (load average at each run's start: "
        f"{', '.join(f'{value:.1f}' for value in loads)}); {args.runs} runs, alternating; "
        "no pip or uv cache.",
        "", table(["what", "median", "runs"], rows), "",
        f"{ratio}`scripts/demo` cold takes {demo:.0f} s "
        f"(goal: under {GOAL_S:.0f} s: {'met' if demo < GOAL_S else 'NOT met'}).",
    ])
    print(body)
    if args.no_readme:
        return
    if where is None:
        print(f"not written to bench/README.md: runs started at load {loads}, neither all under "
              f"{IDLE_BELOW:g} nor all {LOADED_FROM:g} or more")
        return
    write_section(where, body)


if __name__ == "__main__":
    main()
