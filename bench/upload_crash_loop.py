"""`codetape upload` run again and again against a real S3 store, counting how each run ended (issue 36,
item 12: the upload died of a segmentation fault, once in a full test run).

    .venv/bin/python -m bench.upload_crash_loop [--runs 200] [--episodes 2] [--baseline DIR]

SeaweedFS on loopback (tests/support/seaweed.py) and one contributor with `--episodes` signed episodes in
the outbox; each run uploads all of them to a fresh prefix, as `python -m collector upload`, in a fresh
process with faulthandler on, so a crash prints its stack. With --baseline DIR (a checkout of another
commit: `git worktree add DIR COMMIT`) the same upload also runs from that tree, alternating run by run,
so both see the same load. Prints, per tree, how many runs ended with each exit code (-11: SIGSEGV), and
the first lines of each crash's stack.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from tests.cli import NO_AWS_OF_THE_USERS
from tests.support.dataset_helpers import contributor, session, sign
from tests.support.seaweed import SeaweedFS

HERE = Path(__file__).resolve().parent.parent


def upload(tree: Path, env: dict[str, str], to: str) -> subprocess.CompletedProcess[str]:
    """One `python -m collector upload --to TO` from `tree`, faulthandler on."""
    return subprocess.run([sys.executable, "-m", "collector", "upload", "--to", to], cwd=tree, check=False,
                          env={**env, "PYTHONPATH": str(tree), "PYTHONFAULTHANDLER": "1"},
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--episodes", type=int, default=2)
    parser.add_argument("--baseline", type=Path)
    args = parser.parse_args()
    trees = {"this tree": HERE}
    if args.baseline is not None:
        trees[f"baseline {args.baseline}"] = args.baseline.resolve()
    with tempfile.TemporaryDirectory() as scratch:
        weed = SeaweedFS(Path(scratch) / "seaweed").start()
        try:
            alice = contributor(Path(scratch), "alice")
            (alice.home.root / "config.toml").write_text(f'[upload]\nendpoint_url = "{weed.endpoint}"\n')
            for seed in range(34, 34 + args.episodes):
                sign(alice, session(alice.home, seed))
            bucket = weed.bucket("crash-loop")
            env = {**os.environ, **NO_AWS_OF_THE_USERS, **weed.env(), "CODETAPE_HOME": str(alice.home.root)}
            ended = {name: Counter[int]() for name in trees}
            started = time.monotonic()
            for run in range(args.runs):
                if run and run % 50 == 0:
                    print(f"{run} runs: " + "; ".join(f"{n} {dict(c)}" for n, c in ended.items()), flush=True)
                for number, (name, tree) in enumerate(trees.items()):
                    done = upload(tree, env, f"s3://{bucket}/run{run}-{number}")
                    ended[name][done.returncode] += 1
                    if done.returncode != 0:
                        stack = [line for line in done.stderr.splitlines() if line.strip()][:6]
                        said = "\n  ".join(stack)
                        print(f"{name}, run {run}: exit {done.returncode}\n  {said}", flush=True)
            took = time.monotonic() - started
            print(f"{args.runs} runs per tree, {args.episodes} episodes each, {took:.0f} s")
            for name, codes in ended.items():
                counts = ", ".join(f"exit {code}: {count}" for code, count in sorted(codes.items()))
                print(f"{name}: {counts}")
        finally:
            weed.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
