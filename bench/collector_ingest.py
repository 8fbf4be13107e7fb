"""The collector's ingest of a bridge's keystrokes, in process: CPU per step from the bytes of its messages
through `Session.add_many`.

    .venv/bin/python -m bench.collector_ingest [--steps 20480] [--runs 7] [--baseline DIR] [--no-readme]

What observe mode's collector does with each `steps` message a bridge sends (512 keystrokes each, as the
bridge batches them): the decoding of its bytes as the socket does, admission, the journal frame (written
to a real journal in a scratch home), the open-documents tracker; no socket, no asyncio, so a busy machine
disturbs it less than the live benchmark (bench/throughput.py), which this explains. Each run is a fresh
process. With `--baseline DIR` (a worktree of another commit) the runs alternate between that tree and this
one; the table gives each run's CPU time per step (process time, so what other processes take is not
counted) and the medians.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.live_env import code_during, code_state, load
from bench.report import command_line, machine, median, table, write_section

BATCH = 512  # steps per `steps` message, as the bridge's recorder sends them
#   (lsp_bridge/recording/recorder.py)
LINE = 60  # characters typed before each line break


def keystrokes(path: str, count: int, start_ms: int, *, timed: bool) -> list[list[Any]]:
    """`count` didChange steps typing lines of LINE characters, as the bridge records them: with `timed`,
    in the plain form of its `EditStep` (`t_ms` 0), which the socket decodes straight into the struct."""
    items: list[list[Any]] = []
    for i in range(count):
        line, character = divmod(i, LINE)
        text = "\n" if character == LINE - 1 else "abcdefghij"[i % 10]
        position = {"line": line + 1, "character": character}
        step: dict[str, Any] = {"kind": "edit", "t_ms": 0} if timed else {"kind": "edit"}
        step.update(source="bridge", path=path, version=i + 2,
                    changes=[{"range": {"start": position, "end": position}, "text": text}])
        items.append([start_ms + i // 20, step])
    return items


def one_run(steps: int) -> float:
    """(in the child process) CPU µs per step from the message's bytes through Session.add_many, in a
    scratch home: decoded as the socket does (straight into the step structs where the tree can, issue 59
    item 6; else into maps, step by step)."""
    from collector.daemon.server import _pair
    from collector.daemon.session import Session
    from collector.home import Home
    from collector.protocol.clock import now_ms
    from collector.protocol.framing import decode_body, encode
    from collector.workspace.registry import Registry

    try:
        messages: Any = importlib.import_module("collector.protocol.messages")
    except ImportError:  # a tree from before the one decode at the socket: maps, as it read them
        messages = None

    with tempfile.TemporaryDirectory() as scratch:
        home, workspace = Home(Path(scratch) / "h"), Path(scratch) / "ws"
        workspace.mkdir()
        (workspace / ".codetape.toml").write_text("", encoding="utf-8")
        Registry(home).add(workspace.resolve())
        session = Session(workspace.resolve(), home, start_watchers=None, clock=now_ms)
        path = str(workspace.resolve() / "typed.py")
        start = now_ms()
        session.add_many([(start, {"kind": "open", "path": path, "language_id": "python", "version": 1,
                                   "text": "import os\n"})], source="bridge")
        items = keystrokes(path, steps, start, timed=messages is not None)
        bodies = [encode({"op": "steps", "items": items[at:at + BATCH]})[4:]
                  for at in range(0, len(items), BATCH)]
        began = time.process_time()
        for body in bodies:
            typed = None if messages is None else messages.decoded(body)
            if typed is not None:
                session.add_many(typed.items, source="bridge")
            else:
                session.add_many(map(_pair, decode_body(body)["items"]), source="bridge")
        spent = time.process_time() - began
        if session.status()["steps"] != steps + 1:
            raise SystemExit(f"bench.collector_ingest: {session.status()['steps']} steps recorded, "
                             f"not {steps + 1}")
        session.close()
    return spent / steps * 1e6


def spawn(tree: Path | None, steps: int) -> float:
    """One run in a fresh process, with the code of `tree` (None: this one) first on the path."""
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(tree), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    # by path, from elsewhere: the tree on PYTHONPATH comes before the working tree's editable install
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", str(steps)]
    done = subprocess.run(argv, env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench.collector_ingest: a run failed: {done.stderr.strip()[-500:]}")
    return float(json.loads(done.stdout)["us_per_step"])


def measure(args: argparse.Namespace) -> str:
    code = code_state()
    loads = [load()]
    trees: list[tuple[str, Path | None]] = [("now", None)]
    if args.baseline is not None:
        trees.insert(0, (args.baseline.name, args.baseline))
    results: dict[str, list[float]] = {name: [] for name, _ in trees}
    for run in range(args.runs):
        for name, tree in trees if run % 2 == 0 else list(reversed(trees)):
            results[name].append(spawn(tree, args.steps))
            print(f"run {run + 1} {name}: {results[name][-1]:.1f} µs/step", flush=True)
    loads.append(load())
    head = ["run", *(f"{name} CPU µs/step" for name, _ in trees)]
    rows: list[list[object]] = [[run + 1, *(f"{results[name][run]:.1f}" for name, _ in trees)]
                                for run in range(args.runs)]
    rows.append(["**median**", *(f"{median(results[name]):.1f}" for name, _ in trees)])
    lines = [f"Command: `{command_line()}` ({machine()}; now: {code_during(code)}); load average "
             f"{loads[0]} at the start, {loads[1]} at the end. {args.steps:,} keystrokes a run in "
             f"`steps` messages of {BATCH}, each run a fresh process.", "", table(head, rows)]
    if args.baseline is not None:
        ratio = median(results["now"]) / median(results[args.baseline.name])
        lines += ["", f"now / {args.baseline.name}: {ratio:.2f}x the CPU per step (medians)."]
    return "\n".join(lines)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps({"us_per_step": one_run(int(sys.argv[2]))}))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=20_480)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline", type=Path, help="a worktree of another commit, run alternately")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    body = measure(args)
    print(body)
    if not args.no_readme:
        write_section("collector-ingest", body)


if __name__ == "__main__":
    main()
