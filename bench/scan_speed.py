"""The redaction scan's speed on the standard library: this tree against another, in alternating rounds.

    .venv/bin/python -m bench.scan_speed --baseline /work/notes/base9 --rounds 6
    .venv/bin/python -m bench.scan_speed --baseline DIR --no-readme

Every `.py` file of the standard library is scanned as one text by `collector.redact.scan`, as
`bench.redaction_engines` and `bench.fresh_recall` time it: each tree in a child process in that tree
(`bench.redaction_engines.baseline`: the engine is loaded before the clock starts, only `scan` is
timed), the trees taken in turn round after round so that other work on the machine weighs on each
alike. MB/s is the files' UTF-8 size over the summed scan time, the fastest and the median round; the
CPU time (the child's process time over the scans) is what load moves least; the load average is read
before every round. The findings of every round must be the same spans (the full
comparison of what each tree finds is `bench.redaction_same`).
"""

from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path

from bench.redaction_engines import Run, baseline, stdlib_texts
from bench.report import command_line, machine, table, write_section

HERE = Path(__file__).parent
GOAL = 20.0  # MB/s, issue 10


def rounds(trees: list[Path], texts: list[str], count: int) -> tuple[list[list[Run]], list[float]]:
    """`count` rounds, each tree once a round in turn: every tree's runs, and the 1-minute load average
    before each run."""
    runs: list[list[Run]] = [[] for _ in trees]
    loads = []
    for n in range(count):
        for t, tree in enumerate(trees):
            loads.append(os.getloadavg()[0])
            runs[t].append(baseline(tree, texts))
            print(f"round {n + 1}: {tree}: {runs[t][-1].size / 1e6 / runs[t][-1].seconds:.1f} MB/s "
                  f"(load {loads[-1]:.2f})", flush=True)
    return runs, loads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, required=True, help="the other tree (a worktree)")
    parser.add_argument("--rounds", type=int, default=6, help="scans of the standard library per tree")
    parser.add_argument("--no-readme", action="store_true", help="print only, leave bench/README.md alone")
    args = parser.parse_args()
    texts, lines = stdlib_texts(1)
    trees = [args.baseline, HERE.parent]
    runs, loads = rounds(trees, texts, args.rounds)
    rows = []
    speeds = []
    for name, tree_runs in zip(("baseline", "this tree"), runs, strict=True):
        if any(r.spans != tree_runs[0].spans for r in tree_runs):
            raise SystemExit(f"{name}: the rounds found different spans")
        rates = [r.size / 1e6 / r.seconds for r in tree_runs]
        speeds.append(rates)
        rows.append([name, f"**{max(rates):.1f}**", f"{statistics.median(rates):.1f}", f"{min(rates):.1f}",
                     f"{statistics.median(r.seconds for r in tree_runs):.2f} s",
                     f"{statistics.median(r.cpu for r in tree_runs):.2f} s",
                     sum(len(spans) for spans in tree_runs[0].spans)])
    ratio = statistics.median(speeds[1]) / statistics.median(speeds[0])
    cpu = statistics.median(r.cpu for r in runs[1]) / statistics.median(r.cpu for r in runs[0])
    best = max(speeds[1])
    body = f"""Command: `{command_line()}` ({machine()}); baseline `{args.baseline}`; {args.rounds} rounds,
the trees in turn, each scan in a fresh child process; load average (1 min) {min(loads):.1f}-{max(loads):.1f}
before the runs. {len(texts):,} files, {lines:,} lines, {runs[0][0].size / 1e6:.1f} MB.

{table(["tree", "MB/s, fastest", "MB/s, median", "MB/s, slowest", "scan time, median", "CPU time, median",
        "findings"], rows)}

this tree / baseline: {ratio:.2f} x (median MB/s), {cpu:.2f} x the CPU time (medians); \
goal >= {GOAL:.0f} MB/s: \
{"met" if statistics.median(speeds[1]) >= GOAL else "fastest only" if best >= GOAL else "MISSED"}
"""
    print(body)
    if not args.no_readme:
        write_section("scan-speed", body)


if __name__ == "__main__":
    main()
