"""What keys running low cost a signing: `codetape sign --unlinkable` (a subprocess, as a contributor runs
it) in a home whose signing leaves fewer than 5 keys (it then gives the top-up a random time of its own:
the upload run at that time fetches the batch of 20, collector/consent/enrol.py's top_up, never the
signing) against one with plenty left, against a real `codetape issuer serve` process on loopback.

    .venv/bin/python -m bench.key_top_up [--runs 5] [--no-readme]

Each run enrols two fresh homes (5 keys, and 30), copies the golden `full.ctape` and times the signing's
wall time, the two alternating; the medians and maxima are reported.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import command_line, machine, table, write_section
from tests.cli import environment
from tests.fixtures.make_golden import DIRECTORY
from tests.support.issuer import Issuer

CASES = (("leaves 4 keys: gives the top-up a time of its own", 5), ("leaves 29 keys: nothing to do", 30))


def measure(runs: int) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {label: [] for label, _count in CASES}
    with tempfile.TemporaryDirectory(prefix="codetape-bench-top-up-") as scratch:
        base = Path(scratch)
        issuer = Issuer(base).init().start()
        try:
            for run in range(runs):
                for number, (label, count) in enumerate(CASES):
                    home = base / f"home-{run}-{number}"
                    issuer.enrol(home, f"member-{run}-{number}", quota=200, count=count)
                    episode = base / f"episode-{run}-{number}.ctape"
                    shutil.copy(DIRECTORY / "full.ctape", episode)
                    started = time.perf_counter()
                    done = subprocess.run([sys.executable, "-m", "collector", "sign", str(episode),
                                           "--unlinkable", "--yes"], env=environment(home),
                                          capture_output=True, text=True, check=False)
                    found[label].append(time.perf_counter() - started)
                    if done.returncode != 0:
                        raise SystemExit(f"signing failed: {done.stderr.strip()}")
        finally:
            issuer.stop()
    return found


def render(found: dict[str, list[float]]) -> str:
    rows = [(label, f"{statistics.median(times):.2f} s", f"{max(times):.2f} s")
            for label, times in found.items()]
    runs = len(next(iter(found.values())))
    return (f"`{command_line()}`; {machine()}; {runs} runs each.\n\n"
            + table(["`codetape sign --unlinkable` that", "median", "max"], rows) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    body = render(measure(args.runs))
    print(body)
    if not args.no_readme:
        write_section("key-top-up", body)


if __name__ == "__main__":
    main()
