"""A newcomer's first command on a fresh machine: how long `scripts/demo` takes from a clean checkout with
nothing cached, and what its install costs with pip beside uv (which scripts/setup --demo uses).

    .venv/bin/python -m bench.first_command [--runs 3] [--no-readme]

Each run clones this checkout's HEAD into a scratch directory (no .venv) and, with pip's and uv's caches
off (PIP_NO_CACHE_DIR, UV_NO_CACHE: every package comes from the index again, as on a fresh machine):
installs `.[demo]` into a fresh venv with pip, then with uv (pip installing uv first), then runs
`scripts/demo` whole. Runs alternate, so a slow moment of the machine hits all three alike; the table
gives the medians and the ratio. Issue 30's goal: scripts/demo cold in under 60 s on the 2-core machine.
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


def _fresh(scratch: Path, name: str) -> Path:
    clone = scratch / name
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    return clone


def one_run(scratch: Path, python: str) -> dict[str, float]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "CODETAPE"))}
    env |= {"PIP_NO_CACHE_DIR": "1", "UV_NO_CACHE": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
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
    clone = _fresh(scratch, "demo")
    demo = ["scripts/demo", "--dir", str(scratch / "d")]
    found["scripts/demo (uv's install, then the demo)"] = _timed(demo, clone, env | {"PYTHON": python})
    for name in ("pip", "uv", "demo", "d"):
        shutil.rmtree(scratch / name, ignore_errors=True)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    python = shutil.which("python3") or sys.executable
    runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="codetape-first-") as scratch:
        for number in range(args.runs):
            runs.append(one_run(Path(scratch), python))
            said = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in runs[-1].items())
            print(f"run {number + 1}: {said}", flush=True)
    medians = {name: median([run[name] for run in runs]) for name in runs[0]}
    pip, uv = medians["pip install .[demo]"], medians["uv pip install .[demo]"]
    demo = medians["scripts/demo (uv's install, then the demo)"]
    rows = [(name, f"{value:.1f} s", ", ".join(f"{run[name]:.1f}" for run in runs))
            for name, value in medians.items()]
    body = "\n".join([
        f"`{command_line()}`: {machine()}; {args.runs} runs each, alternating; no pip or uv cache.", "",
        table(["what", "median", "runs (s)"], rows), "",
        f"uv installs the demo's packages in {uv / pip:.2f}x pip's time; `scripts/demo` cold takes "
        f"{demo:.0f} s (goal: under {GOAL_S:.0f} s: {'met' if demo < GOAL_S else 'NOT met'}).",
    ])
    print(body)
    if not args.no_readme:
        write_section("first-command", body)


if __name__ == "__main__":
    main()
