"""Cold start of `codetape` commands: wall time from exec to exit, median of N runs, beside the floor
(the interpreter alone, and `import collector`). Issue 14's goal: <= 100 ms for every command.

    .venv/bin/python -m bench.cli_start [--runs 15] [--baseline DIR] [--no-readme]

With --baseline DIR (a checkout of another commit: `git worktree add DIR COMMIT`), every command also
runs from that tree (PYTHONPATH=DIR), alternating run by run with this one, and the table shows both.

Each command runs in a fresh scratch CODETAPE_HOME with an opted-in workspace (so `run` records into a
real collector, started once before timing), the way a developer's shell runs it. Last, the collector's
own start: `codetape collector` in a home of its own each time, from exec until its socket takes a
connection (what an editor's bridge that starts it waits for), then stopped.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.live_env import Live, code_state, live_codetape
from bench.report import command_line, machine, table, write_section
from collector.cli.commands.collector import listening
from collector.home import Home

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
SIGNED = "{signed}"  # the signed episode in the outbox (its header, statement and signature read)
# Then with an upload destination in config.toml and one sealed episode, then a second one signed and
# uploaded (the outbox holds it and receipts/ its receipt), the way a developer who uploads sees them;
# then that signed episode verified and inspected (the header and consent statement models loaded).
LATER: list[tuple[str, list[str]]] = [
    ("codetape status ([upload] to in config.toml)", ["status"]),
    ("codetape episodes (+1 sealed episode)", ["episodes"]),
    ("codetape episodes (+1 signed, uploaded: a receipt)", ["episodes"]),
    ("codetape episodes (+ a 60,000-step journal being recorded)", ["episodes"]),
    ("codetape verify (the signed episode)", ["verify", SIGNED]),
    ("codetape inspect (the signed episode)", ["inspect", SIGNED]),
]
RECORDING_STEPS = 60_000
COLLECTOR = "codetape collector (exec until its socket takes a connection)"


def recording_journal(live: Live) -> None:
    """A long session's journal in the journals folder, as `episodes` finds one while it is recorded."""
    from bench.episode_speed import write_journal
    from tests.support.sessions import generate

    session = generate(1, "edit-heavy", scale=3.5)
    journals = live.home / "journals"
    journals.mkdir(mode=0o700, exist_ok=True)
    write_journal(session, RECORDING_STEPS, journals / f"{session.header.episode_id}.journal")


def sign_and_upload(live: Live, codetape: list[str]) -> None:
    """Record and seal a second episode, sign it with a new key and upload it: a receipt in receipts/."""
    def run(*argv: str) -> None:
        subprocess.run([*codetape, *argv], env=live.env, cwd=live.workspace, check=True, capture_output=True)

    run("run", "--", "true")
    sealed = live.seal()
    if sealed is None:
        raise SystemExit("the second episode recorded nothing")
    run("keys", "init")
    run("sign", str(sealed["path"]), "--yes")
    run("upload")
    if not any((live.home / "receipts").glob("*-*.json")):
        raise SystemExit("the upload left no receipt")


def once(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter() - start) * 1000


def collector_start(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    """Wall ms from exec of a collector in a new CODETAPE_HOME until its socket takes a connection."""
    with tempfile.TemporaryDirectory(prefix="ct-bench-collector-") as scratch:
        home = Home(Path(scratch))
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env={**env, "CODETAPE_HOME": scratch}, cwd=cwd,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while not listening(home):
                if proc.poll() is not None:
                    raise SystemExit(f"the collector exited with status {proc.returncode} before listening")
                time.sleep(0.001)
            return (time.perf_counter() - start) * 1000
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def measure(argv: list[str], envs: list[dict[str, str]], cwd: Path, runs: int,
            run: Callable[[list[str], dict[str, str], Path], float] = once) -> list[float]:
    """The median wall ms of `argv` under each environment, the environments alternating run by run."""
    times: list[list[float]] = [[] for _ in envs]
    for env in envs:  # untimed: the modules' bytecode is written and the files are in the page cache
        run(argv, env, cwd)
    for _ in range(runs):
        for n, env in enumerate(envs):
            times[n].append(run(argv, env, cwd))
    return [statistics.median(t) for t in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--baseline", type=Path, help="also run every command from the codetape tree at DIR")
    parser.add_argument("--no-readme", action="store_true", help="print only, leave bench/README.md alone")
    args = parser.parse_args()
    load = os.getloadavg()
    with live_codetape("ct-bench-start-") as live:
        env, ws = live.env, live.workspace
        codetape = [sys.executable, "-m", "collector"]
        subprocess.run([*codetape, "run", "--", "true"], env=env, cwd=ws, check=True, capture_output=True)
        envs = [env] if args.baseline is None else [
            env, {**env, "PYTHONPATH": str(args.baseline.resolve())}]
        rows = []
        for label, argv in [*COMMANDS, *LATER, (COLLECTOR, ["collector"])]:
            if label == LATER[0][0]:
                destination = (live.home / "dest").as_uri()
                (live.home / "config.toml").write_text(f'[upload]\nto = "{destination}"\n')
                live.seal()
            elif label == LATER[2][0]:
                sign_and_upload(live, codetape)
            elif label == LATER[3][0]:
                recording_journal(live)
            if SIGNED in argv:
                (signed,) = (live.home / "outbox").glob("*.ctape")
                argv = [str(signed) if part == SIGNED else part for part in argv]
            full = argv if argv[0] == sys.executable else [*codetape, *argv]
            medians = measure(full, envs, ws, args.runs, collector_start if label == COLLECTOR else once)
            if label.startswith("codetape pause"):  # the mean of the two, each measured alike
                resumes = measure([*codetape, "resume"], envs, ws, args.runs)
                medians = [(p + r) / 2 for p, r in zip(medians, resumes, strict=True)]
            shown = [f"{m:.0f}" for m in medians]
            if len(medians) == 2:
                shown = [shown[1], shown[0], f"{medians[1] / medians[0]:.1f}x"]
            rows.append((f"`{label}`", *shown))
            print(f"{label}: {' / '.join(shown)}", flush=True)
        body = (f"Command: `{command_line()}` ({machine()}; {code_state()}; load average "
                f"{load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end).\n\n"
                + table(["command", f"median wall ms ({args.runs} runs)"] if args.baseline is None else
                        ["command", f"baseline {args.baseline.name} ms", "now ms", "speed-up"], rows))
        print(body)
        if not args.no_readme:
            write_section("cli-start", body)


if __name__ == "__main__":
    main()
