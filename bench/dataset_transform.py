"""The dataset build's per-episode transform on one core, this tree against another, in alternating runs:
the CPU of the fastest of many short rounds, the figure a machine busy with other work disturbs least.

    .venv/bin/python -m bench.dataset_transform SOURCE --baseline DIR [--episodes 6] [--rounds 25] [--runs 3]

SOURCE is a source `bench.dataset_build --work DIR` left (DIR/source-100, say); DIR a checkout of another
commit (`git worktree add DIR COMMIT`). Each run is a fresh process (PYTHONPATH=DIR for the baseline) that
transforms the first `--episodes` episodes once to warm up, then `--rounds` times, and reports its fastest
round: CPU per step and per episode of `collector.dataset.engines.transform` (fetch, hash, container,
signature, consent, replay, rows; not the writing). Runs alternate: baseline, this tree, baseline, ...
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path


def child(source: Path, episodes: int, rounds: int) -> dict[str, float]:
    """The fastest round in this process, with whichever codetape PYTHONPATH gives it (run as a script, so
    that it imports nothing of this tree's bench/ a baseline may not have)."""
    from collector.dataset.check.source import entries, locate, reader_for
    from collector.dataset.engines.transform import Context, transform
    try:
        from schemas.config import UploadSettings
    except ImportError:  # a baseline from before schemas/config.py (issue 26)
        from schemas.settings import UploadSettings  # type: ignore[attr-defined,no-redef]

    where = locate(str(source), UploadSettings())
    listing = list(entries(reader_for(where)))[:episodes]
    outcomes = [transform(entry, Context(where, 1)) for entry in listing]
    steps = sum(outcome.tables["steps"].num_rows for outcome in outcomes if outcome.accepted)
    best = float("inf")
    for _ in range(rounds):
        began = time.process_time()
        for entry in listing:
            transform(entry, Context(where, 1))
        best = min(best, time.process_time() - began)
    return {"us_per_step": best / steps * 1e6, "ms_per_episode": best / len(listing) * 1e3}


def run(tree: Path | None, args: argparse.Namespace) -> dict[str, float]:
    env = os.environ if tree is None else {**os.environ, "PYTHONPATH": str(tree)}
    script = Path(__file__).resolve()
    done = subprocess.run([sys.executable, str(script), "--child", str(args.source.resolve()),
                           str(args.episodes), str(args.rounds)], check=False, capture_output=True,
                          text=True, env=env, cwd=tree)
    if done.returncode != 0:
        raise SystemExit(f"the transform run failed: {done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(child(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))))
        return
    from bench.report import command_line, machine, median, table

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--episodes", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    before, after = [], []
    for _ in range(args.runs):
        before.append(run(args.baseline.resolve(), args))
        after.append(run(None, args))
    rows = [[f"{n + 1}", f"{was['us_per_step']:.1f} µs", f"**{now['us_per_step']:.1f} µs**",
             f"{was['us_per_step'] / now['us_per_step']:.2f}x"]
            for n, (was, now) in enumerate(zip(before, after, strict=True))]
    old, new = median([r["us_per_step"] for r in before]), median([r["us_per_step"] for r in after])
    rows.append(["median", f"{old:.1f} µs", f"**{new:.1f} µs**", f"{old / new:.2f}x"])
    print(f"Command: `{command_line()}` ({machine()}); load average {load} at the start.\n")
    print(table(["run", f"baseline ({args.baseline.name}) CPU per step", "now", "speed-up"], rows))


if __name__ == "__main__":
    main()
