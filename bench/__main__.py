"""Every benchmark in one command, and a regression check against the committed figures.

    .venv/bin/python -m bench all [--only NAME ...]     rerun every benchmark; each rewrites its tables
                                                        in bench/README.md (one commit, named in each)
    .venv/bin/python -m bench check [--only NAME ...]   rerun them into a scratch copy of the README and
                                                        print what got more than 20 % worse, as ratios
    .venv/bin/python -m bench list                      the benchmarks, in the order they run

`check` compares, table by table, each number of the fresh run with the committed one in the same row
and column: a column whose header names a rate (`/s`, recall, `x` faster) should not drop, one naming a
time, a size or a count of misses or false positives should not grow; other columns are not compared.
Where a table has a median row, only that row is. It is a tool for people, not part of CI: the machines
CI runs on are too noisy for a 20 % threshold.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.report import README

THRESHOLD = 1.2


@dataclass(frozen=True)
class Bench:
    name: str
    args: tuple[str, ...] = ()


BENCHES = tuple(Bench(name) for name in (
    "cli_start", "bridge_start", "episode_size", "episode_speed", "seal_ahead", "replay_seek", "long_line",
    "throughput", "collector_ingest", "framing_codec", "lsp_overhead", "client_cost", "collector_memory",
    "redaction", "redaction_engines", "fresh_recall", "dataset_build", "rhythm", "habits", "timing_labels",
    "export_inside",
    "narrow", "format_lines",
))


def run(benches: list[Bench], readme: Path) -> list[str]:
    """Run each benchmark writing into `readme`; the names of those that failed."""
    failed = []
    env = {**os.environ, "CODETAPE_BENCH_README": str(readme)}
    for bench in benches:
        started = time.monotonic()
        print(f"== bench.{bench.name} {' '.join(bench.args)}", flush=True)
        argv = [sys.executable, "-m", f"bench.{bench.name}", *bench.args]
        done = subprocess.run(argv, env=env, check=False)
        print(f"   exit {done.returncode} after {time.monotonic() - started:.0f} s", flush=True)
        if done.returncode != 0:
            failed.append(bench.name)
    return failed


Cells = dict[tuple[str, int, str, str], tuple[float, str]]
_SECTION = re.compile(r"<!-- ([\w.-]+):start -->\n(.*?)<!-- \1:end -->", re.S)
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
HIGHER = re.compile(r"/s\b|per s|recall|rate|faster|speed-?up|throughput", re.I)
LOWER = re.compile(r"\bms\b|\bs\b|seconds|time|rss|\bmb\b|\bkb\b|bytes|size|false pos|fp\b|miss", re.I)


def cells(text: str) -> Cells:
    """Every numeric cell of every table in every marked section: (section, table, row, column)."""
    found: Cells = {}
    for section, body in _SECTION.findall(text):
        for number, table in enumerate(_tables(body)):
            head, rows = table[0], table[1:]
            medians = [row for row in rows if "median" in row[0].lower()]
            for row in medians or rows:
                for column, cell in zip(head[1:], row[1:], strict=False):
                    match = _NUMBER.search(cell.replace("**", ""))
                    if match:
                        found[(section, number, row[0].strip("* "), column)] = (
                            float(match.group().replace(",", "")), cell)
    return found


def _tables(body: str) -> list[list[list[str]]]:
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*body.splitlines(), ""]:
        if line.startswith("|"):
            row = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not all(set(cell) <= set("-: ") for cell in row):
                current.append(row)
        elif current:
            tables.append(current)
            current = []
    return [table for table in tables if len(table) > 1]


def worse(before: Cells, after: Cells) -> list[str]:
    """What got more than THRESHOLD worse, one line each."""
    lines = []
    for key, (old, shown_old) in before.items():
        if key not in after or old == 0:
            continue
        new, shown_new = after[key]
        section, _, row, column = key
        if HIGHER.search(column):
            ratio = old / new if new else float("inf")
        elif LOWER.search(column):
            ratio = new / old
        else:
            continue
        if ratio > THRESHOLD:
            lines.append(f"{section}: {row} / {column}: {shown_old} -> {shown_new} ({ratio:.2f}x worse)")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["all", "check", "list"])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="these benchmarks only")
    args = parser.parse_args()
    known = {bench.name: bench for bench in BENCHES}
    unknown = sorted(set(args.only or ()) - set(known))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)} (see: python -m bench list)")
    chosen = [known[name] for name in args.only] if args.only else list(BENCHES)
    if args.what == "list":
        print("\n".join(f"bench.{bench.name} {' '.join(bench.args)}".strip() for bench in chosen))
        return 0
    if args.what == "all":
        failed = run(chosen, README)
        print(f"bench/README.md rewritten by {len(chosen) - len(failed)} benchmark(s)"
              + (f"; failed: {', '.join(failed)}" if failed else ""))
        return 1 if failed else 0
    scratch = Path(tempfile.mkdtemp(prefix="codetape-bench-check-"))
    try:
        copy = scratch / "README.md"
        shutil.copyfile(README, copy)
        failed = run(chosen, copy)
        regressions = worse(cells(README.read_text("utf-8")), cells(copy.read_text("utf-8")))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print("\n".join(regressions) if regressions else
          f"nothing more than {THRESHOLD - 1:.0%} worse than the committed figures")
    if failed:
        print(f"failed to run: {', '.join(failed)}")
    return 1 if regressions or failed else 0


if __name__ == "__main__":
    sys.exit(main())
