"""Output size of `codetape dataset build` of one source, by table, this tree against another one (its code
on PYTHONPATH), one worker each, side by side:

    .venv/bin/python -m bench.dataset_size WORK COUNT BASELINE

WORK keeps the signed source (bench.dataset_build.prepare: COUNT episodes, a generated session each) and
both outputs; BASELINE is a tree of another commit
(`git archive COMMIT | tar -x -C DIR`). Prints the build's wall time and the Parquet bytes per table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.dataset_build import prepare

HERE = str(Path(__file__).resolve().parents[1])


def build(tree: str, source: Path, out: Path) -> float:
    """Wall seconds of one build of `source` into `out` with the code of `tree`."""
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": tree, "CODETAPE_HOME": str(out.parent / "team-home")}
    start = time.monotonic()
    command = [sys.executable, "-m", "collector", "dataset", "build", source.as_uri(), "-o", str(out),
               "--workers", "1", "--quiet"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=tree, check=False)
    assert done.returncode == 0, done.stderr
    return time.monotonic() - start


def sizes(out: Path) -> dict[str, int]:
    """Parquet bytes per table."""
    found = {}
    for table in sorted(p.name for p in out.iterdir() if p.is_dir()):
        found[table] = sum(f.stat().st_size for f in (out / table).rglob("*.parquet"))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("work", type=Path, help="keeps the signed source and both outputs")
    parser.add_argument("count", type=int, help="episodes in the source")
    parser.add_argument("baseline", help="a tree of another commit (git archive COMMIT | tar -x -C DIR)")
    args = parser.parse_args()
    work, count, baseline = args.work, args.count, args.baseline
    source = prepare(work, count)
    for name, tree in (("baseline", baseline), ("this-tree", HERE)):
        seconds = build(tree, source, work / f"out-{name}")
        s = sizes(work / f"out-{name}")
        print(name, f"{seconds:.1f}s", f"total {sum(s.values()) / 1e6:.2f} MB",
              {k: round(v / 1e6, 2) for k, v in s.items()})


if __name__ == "__main__":
    main()
