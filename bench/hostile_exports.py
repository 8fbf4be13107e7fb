"""Hostile episodes through the real exports and the real dataset build (issue 25, items 5 and 6): the CPU
seconds, the bytes left on disk and the peak RSS each costs, with this tree's code and, given --baseline
DIR (a checkout of another commit: `git worktree add DIR COMMIT`), with that tree's (PYTHONPATH=DIR).

    .venv/bin/python -m bench.hostile_exports [--work DIR] [--baseline DIR] [--only NAME,...] [--no-readme]

Every input is a few kilobytes, crafted as plain steps and signed by the real signing code in
tests/support/hostile_episodes.py (the tests' bombs: tests/integration/export/test_export_bombs.py,
tests/integration/dataset/test_dataset_bombs.py):

- `quadratic`: a file of 160,000 lines drawn from 101 distinct ones, then edit bursts changing one line
  each. difflib's first longest-match search visits every pair of equal lines (~1.6e8) at every burst.
- `growing`: a 4 MiB file, then 100 bursts typing one character: 101 distinct code states of 4 MiB each.
- `shared`: 20 files of 100 KB that never change and one small file edited in 30 bursts: each code state
  copied all 21 files.
- `renamed`: a 10 MB file created outside the editor and renamed 40 times: 41 code states, each holding
  the file under another name (one file on disk, hard-linked, but 41 full copies in any copy or archive
  of the export).
- `links`: 1,000 symbolic links with 4,095-character targets and a small file renamed 60 times: 61 code
  states of 1,000 links each (a link's target takes a disk block of its own).
- `big-opens`: a 16 MiB file opened and closed 8 times: 8 lines of 16 MiB of JSON.
- `saved-again`: a 60 MiB file saved 20 times: a dataset build's rows held its text at every save
  (`saved-again-6`: 6 MiB, a file a worker can rebuild).
- `escaped`: 6 MiB of control characters, each of which a step's JSON row writes as six.
- `many-tests`: one test run of 100,000 tests with 170-character names.
- `astral`: 4 MB of ASCII lines and one emoji: Python holds every character of the text in 4 bytes.
- `two-files`: two 4 MiB files edited and saved, as large an episode as a build takes (`-x8`: eight).

Each command runs in a fresh process tree under a CPU limit of LIMIT_S seconds per process (RLIMIT_CPU;
a row says when it was reached). Peak RSS is each process's VmHWM, sampled every 20 ms (the largest
worker's for a build); bytes are what the output directory holds afterwards, on disk (hard links counted
once) and in a copy (every name of a file counted at its full size, as a copy or an archive holds it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.report import command_line, machine, table, write_section
from collector.consent import load_public
from collector.home import Home
from tests.support.hostile_episodes import (
    Steps,
    astral,
    big_opens,
    escaped,
    growing,
    links,
    many_tests,
    quadratic,
    renamed,
    saved_again,
    shared,
    signed,
    signer,
    source_of,
    two_files,
)

LIMIT_S = 300
SAMPLE_S = 0.02


# -- running ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    what: str  # the input, for the table
    steps: Callable[[], Steps]
    command: str  # export FORMAT, or build [OPTIONS]
    copies: int = 1  # episodes of these steps in the build's source (each signed under its own id)


CASES = (
    Case("quadratic", "160,000-line file, 3 one-line bursts", quadratic, "export atif"),
    Case("quadratic-zeta", "the same", quadratic, "export zeta"),
    Case("growing", "4 MiB file, 100 one-character bursts", growing, "export progsnap2"),
    Case("shared", "20 unchanged 100 KB files, 30 bursts to a 6-byte one", shared, "export progsnap2"),
    Case("renamed", "10 MB file created, renamed 40 times", renamed, "export progsnap2"),
    Case("links", "1,000 links of 4,095 characters, a file renamed 60 times", links, "export progsnap2"),
    Case("big-opens", "16 MiB file opened 8 times", big_opens, "export jsonl"),
    Case("saved-again", "60 MiB file saved 20 times", saved_again, "build"),
    Case("saved-again-6", "6 MiB file saved 20 times", lambda: saved_again(6 << 20), "build"),
    Case("escaped", "6 MiB of control characters, saved", escaped, "build"),
    Case("many-tests", "a test run of 100,000 tests", many_tests, "build"),
    Case("astral", "4 MB of ASCII lines and one emoji, edited and saved", astral,
         "build --exports atif,zeta,jsonl"),
    Case("two-files", "two 4 MiB files edited and saved", two_files, "build --exports atif,zeta,jsonl"),
    Case("two-files-x8", "8 such episodes in one build", two_files, "build", copies=8),
)


@dataclass
class Run:
    code: int
    cpu_s: float
    peak_mb: float  # the largest process's (a worker's for a build)
    out_bytes: int
    copy_bytes: int
    said: str
    killed: bool


def run(case: Case, episodes: list[Path], work: Path, tree: Path) -> Run:
    home = work / "home"
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    if case.command.startswith("build"):
        trust = work / "trust.pub"
        trust.write_text(load_public(Home(home)).public_b64 + "\n", encoding="utf-8")
        args = ["dataset", "build", str(source_of(episodes, work / "source")), "-o", str(out), "--trust",
                str(trust), "--workers", "2", *case.command.split()[1:]]
    else:
        args = ["export", *map(str, episodes), "--format", case.command.split()[1], "-o", str(out)]
    env = {**os.environ, "PYTHONPATH": str(tree), "CODETAPE_HOME": str(work / "team")}
    spent = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen([sys.executable, "-m", "collector", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_limit_cpu,
                            cwd=work)  # (not this tree's folder: `-m` would import from there first)
    peaks = _sample(proc.pid, lambda: proc.poll() is not None)
    stdout, stderr = proc.communicate()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime - spent.ru_utime - spent.ru_stime  # the workers' too: joined
    verdict = re.search(r"(\d+) accepted, (\d+) rejected(?: \((.*?)\))?", stdout)  # (a build's)
    last = (stderr.strip().splitlines() or stdout.strip().splitlines() or [""])[-1]
    said = verdict.group() if verdict else last
    disk, copy = _bytes(out)
    return Run(proc.returncode, cpu, max(peaks.values(), default=0.0), disk, copy, said, proc.returncode < 0)


def _limit_cpu() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (LIMIT_S, LIMIT_S))


def _sample(pid: int, done: Callable[[], bool]) -> dict[int, float]:
    """Each process's peak RSS in MiB (VmHWM), the tree sampled until `done`."""
    peaks: dict[int, float] = {}
    root = psutil.Process(pid)
    while not done():
        try:
            processes = [root, *root.children(recursive=True)]
        except psutil.Error:
            processes = []
        for process in processes:
            if "resource_tracker" in " ".join(_cmdline(process)):
                continue
            try:
                status = Path(f"/proc/{process.pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks[process.pid] = max(peaks.get(process.pid, 0.0), int(line.split()[1]) / 1024)
        time.sleep(SAMPLE_S)
    return peaks


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


def _bytes(folder: Path) -> tuple[int, int]:
    """Bytes under `folder`: each file's once however many names it has (and each link's target), and
    each name's (what a copy holds)."""
    seen: set[int] = set()
    disk = copy = 0
    for path in folder.rglob("*") if folder.exists() else ():
        info = path.lstat()
        if path.is_symlink() or path.is_file():
            copy += info.st_size
            if info.st_ino not in seen:
                seen.add(info.st_ino)
                disk += info.st_size
    return disk, copy


# -- the report -----------------------------------------------------------------------------------------


def _cell(result: Run) -> tuple[str, str, str, str, str]:
    cpu = f"> {LIMIT_S} (killed)" if result.killed else f"{result.cpu_s:.1f}"
    built = re.fullmatch(r"(\d+) accepted, (\d+) rejected(?: \((\w+) \d+\))?", result.said)
    outcome = "killed" if result.killed else f"refused (exit {result.code})" if result.code else \
        "written" if not built else f"{built[1]} built" if built[2] == "0" else f"refused: {built[3]}"
    return (cpu, f"{result.out_bytes / (1 << 20):,.1f}", f"{result.copy_bytes / (1 << 20):,.1f}",
            f"{result.peak_mb:,.0f}", outcome)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.hostile_exports", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/codetape-hostile-exports"))
    parser.add_argument("--baseline", type=Path, help="another tree to run the same inputs with")
    parser.add_argument("--only", help="comma-separated case names")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    here = Path(__file__).resolve().parents[1]
    chosen = [case for case in CASES if not args.only or case.name in args.only.split(",")]
    args.work.mkdir(parents=True, exist_ok=True)
    home = signer(args.work / "home")
    rows = []
    for case in chosen:
        steps = case.steps()
        episodes = [signed(home, args.work / f"{case.name}-{n}.ctape", steps) for n in range(case.copies)]
        size = sum(episode.stat().st_size for episode in episodes)
        after = run(case, episodes, args.work, here)
        before = run(case, episodes, args.work, args.baseline) if args.baseline else None
        print(json.dumps({"case": case.name, "bytes": size, "after": vars(after),
                          "before": vars(before) if before else None}), flush=True)
        row = [case.name, case.what, f"{size:,}", case.command.replace("build", "dataset build")]
        for result in (before, after) if before else (after,):
            row += _cell(result)
        rows.append(row)
    columns = ["CPU s", "output MiB", "copy MiB", "peak RSS MiB", "outcome"]
    head = ["case", "input", "episode bytes", "command"]
    head += [f"before: {c}" for c in columns] + [f"after: {c}" for c in columns] if args.baseline else columns
    body = (f"{machine()}\n\n`{command_line()}`\n\n{table(head, rows)}\n")
    print(body)
    if not args.no_readme:
        write_section("hostile-exports", body)


if __name__ == "__main__":
    main()
