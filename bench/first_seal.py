"""A fresh collector's first seal and its stop (issue 66, item 2): each run starts a collector in a fresh
CODETAPE_HOME, opts a workspace in, records a note (long enough for the redaction engine to scan it),
waits until 5 s after the collector listens, and times the `seal` request; then three more notes and
seals (the figure: the first against the median of those three). Then a second fresh collector with a
one-step episode (a note as long) is stopped with `codetape collector stop` (a process, as a user runs
it), timed from start to exit (tests/support/first_seal.py, which the evaluation
tests/integration/daemon/test_first_seal_goals.py runs too). Goals: the first seal at most 2x the next
ones' median, the stop at most 3 s.

    .venv/bin/python -m bench.first_seal [--runs 5] [--no-readme]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from bench.report import command_line, machine, median, table, write_section
from tests.support.first_seal import FIRST_GOAL, STOP_GOAL_S, one_run


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
