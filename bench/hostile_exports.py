"""Hostile episodes through the real exports and the real dataset build (issue 25, items 5 and 6): the CPU
seconds, the bytes left on disk and the peak RSS each costs, with this tree's code and, given --baseline
DIR (a checkout of another commit: `git worktree add DIR COMMIT`), with that tree's (PYTHONPATH=DIR).

    .venv/bin/python -m bench.hostile_exports [--work DIR] [--baseline DIR] [--only NAME,...] [--no-readme]

Every input is a few kilobytes, crafted here as plain steps and signed by the real signing code (the
tests craft theirs with the same functions: tests/integration/test_export_bombs.py,
tests/integration/test_dataset_bombs.py):

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
import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from bench.report import command_line, machine, table, write_section
from collector.consent import init_keys, load_public, sign_episode
from collector.episode import write_episode_file
from collector.home import Home
from collector.policy.sharing import SigningPolicy
from schemas import EpisodeHeader, WorkspaceIdentity, step_from_dict

LIMIT_S = 300
SAMPLE_S = 0.02
Steps = list[dict[str, Any]]


# -- the inputs -------------------------------------------------------------------------------------


def edit(t_ms: int, path: str, line: int, character: int, text: str) -> dict[str, Any]:
    at = {"line": line, "character": character}
    return {"kind": "edit", "t_ms": t_ms, "source": "bridge", "path": path,
            "changes": [{"range": {"start": at, "end": at}, "text": text}]}


def opened(t_ms: int, path: str, text: str) -> dict[str, Any]:
    return {"kind": "open", "t_ms": t_ms, "source": "bridge", "path": path, "text": text}


def quadratic(bursts: int = 3, lines: int = 160_000, distinct: int = 101) -> Steps:
    """A file no line of which is common enough for difflib to skip, then `bursts` one-line changes."""
    text = "".join(f"line {n % distinct}\n" for n in range(lines))
    return [opened(0, "big.txt", text),
            *(edit(10_000 * (burst + 1), "big.txt", lines // 2 + burst, 0, "x") for burst in range(bursts))]


def growing(size: int = 4 << 20, bursts: int = 100) -> Steps:
    """One large file changed a character at a time, in bursts 10 s apart."""
    return [opened(0, "big.txt", "a" * size),
            *(edit(10_000 * (burst + 1), "big.txt", 0, 0, "x") for burst in range(bursts))]


def shared(files: int = 20, size: int = 100_000, bursts: int = 30) -> Steps:
    """Files that never change, and one small file edited in bursts."""
    steps = [opened(0, f"lib/{n:02}.txt", f"{n}\n" * (size // (len(str(n)) + 1))) for n in range(files)]
    steps.append(opened(1, "main.py", "x = 0\n"))
    steps += [edit(10_000 * (burst + 1), "main.py", 0, 0, "#") for burst in range(bursts)]
    return steps


def renamed(size: int = 10_000_000, renames: int = 40) -> Steps:
    """A file created on disk (a watcher's `file_change`), then renamed again and again."""
    steps: Steps = [{"kind": "file_change", "t_ms": 0, "source": "watcher", "path": "f0.txt",
                     "change": "created", "text": "a" * size}]
    steps += [{"kind": "file_change", "t_ms": 1000 * n, "source": "watcher", "path": f"f{n - 1}.txt",
               "change": "renamed", "new_path": f"f{n}.txt"} for n in range(1, renames + 1)]
    return steps


def links(count: int = 1000, depth: int = 2047, renames: int = 60) -> Steps:
    """Symbolic links with long targets (inside the workspace), then a small file renamed again and again."""
    target = "d/" * depth + "f"
    steps: Steps = [{"kind": "file_change", "t_ms": 0, "source": "watcher", "path": f"l{n:04}",
                     "change": "created", "link": target} for n in range(count)]
    steps.append({"kind": "file_change", "t_ms": 1, "source": "watcher", "path": "g0.txt",
                  "change": "created", "text": "x"})
    steps += [{"kind": "file_change", "t_ms": 1000 * n, "source": "watcher", "path": f"g{n - 1}.txt",
               "change": "renamed", "new_path": f"g{n}.txt"} for n in range(1, renames + 1)]
    return steps


def big_opens(size: int = 16 << 20, times: int = 8) -> Steps:
    steps: Steps = []
    for n in range(times):
        steps.append(opened(2 * n, "big.txt", "a" * size))
        steps.append({"kind": "close", "t_ms": 2 * n + 1, "source": "bridge", "path": "big.txt"})
    return steps


def saved_again(size: int = 60 << 20, saves: int = 20) -> Steps:
    return [opened(0, "big.txt", "a" * size), *(saved(1000 * (n + 1), "big.txt") for n in range(saves))]


def saved(t_ms: int, path: str) -> dict[str, Any]:
    return {"kind": "save", "t_ms": t_ms, "source": "bridge", "path": path}


def escaped(size: int = 6 << 20) -> Steps:
    """A file of control characters, each of which JSON writes as six."""
    return [opened(0, "ctl.txt", "\x01" * size), saved(1, "ctl.txt")]


def many_tests(tests: int = 100_000, length: int = 150) -> Steps:
    """One test run of many tests with long names."""
    outcomes = [{"nodeid": f"tests/test_{n:07}.py::" + "t" * length, "outcome": "passed"}
                for n in range(tests)]
    return [{"kind": "test_run", "t_ms": 0, "source": "pytest", "framework": "pytest", "tests": outcomes}]


def astral(size: int = 4_000_000) -> Steps:
    """ASCII lines and one emoji: Python holds every character of the whole text in 4 bytes."""
    text = "".join("x" * 99 + "\n" for _ in range(size // 100)) + "\U0001F600\n"
    return [opened(0, "wide.txt", text), saved(1, "wide.txt"), edit(10_000, "wide.txt", 3, 0, "y"),
            saved(10_001, "wide.txt")]


def two_files(size: int = 4 << 20) -> Steps:
    """Two large files opened, edited and saved: an episode as large as a build takes."""
    lines = "".join(f"{n:09} " + "x" * 90 + "\n" for n in range(size // 100))
    return [opened(0, "a.txt", lines), opened(1, "b.txt", lines.replace("x", "y")),
            edit(10_000, "a.txt", 5, 0, "z"), saved(10_001, "a.txt"), edit(20_000, "b.txt", 7, 0, "w"),
            saved(20_001, "b.txt")]


def signer(home: Path) -> Home:
    """A home with a signing key (made the first time)."""
    made = Home(home)
    if not (made.keys.exists() and any(made.keys.iterdir())):
        made.ensure(made.root)
        init_keys(made)
    return made


def signed(home: Home, path: Path, steps: Steps) -> Path:
    """`steps` written as an episode and signed by `home`'s key into `path` (its unsigned copy beside)."""
    header = EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.uuid4(),
                           started_at=datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC),
                           workspace=WorkspaceIdentity(root_name="hostile"))
    unsigned = path.with_name(path.name + ".unsigned")
    unsigned.unlink(missing_ok=True)
    path.unlink(missing_ok=True)
    write_episode_file(unsigned, header, [step_from_dict(step) for step in steps])
    policy = SigningPolicy(purpose="training", licence="CC-BY-4.0")
    sign_episode(unsigned, path, home, workspace_policy=policy)
    unsigned.unlink()
    return path


def source_of(episodes: list[Path], source: Path) -> Path:
    """A file:// dataset source holding `episodes` under their content addresses."""
    shutil.rmtree(source, ignore_errors=True)
    folder = source / "episodes"
    folder.mkdir(parents=True)
    for episode in episodes:
        shutil.copyfile(episode, folder / f"{hashlib.sha256(episode.read_bytes()).hexdigest()}.ctape")
    return source


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
