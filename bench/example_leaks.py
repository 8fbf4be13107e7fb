"""Eval examples identical to a train example in a dataset build's exports (issue 55, item 4): 200
episodes from 50 generated sessions over 160 repositories (tests/support/dataset_helpers.copies: the
sessions, then every fourth episode an exact copy of one, the others its first 40, 50 or 60 %), built with
`--exports zeta,zeta2,swe-messages --workers 2`; per format, the distinct eval examples and those
identical to a train example (collector/export/edits/base/examples.py's keys), read from the published files.

    .venv/bin/python -m bench.example_leaks [--work DIR] [--baseline DIR]

`--baseline DIR`: the same build with another tree's code too (PYTHONPATH=DIR; `git archive COMMIT | tar
-x -C DIR`), its figures beside this tree's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from collector.export.edits.base.examples import keyed
from tests.support.dataset_helpers import contributor, copies, sign, upload

FORMATS = ("zeta", "zeta2", "swe-messages")


def prepare(work: Path) -> Path:
    source = work / "source"
    if not (source / "episodes").is_dir():
        alice = contributor(work, "alice")
        for path in copies(alice.home, 200, 160, 50):
            sign(alice, path)
        upload(alice, source.as_uri())
    return source


def build(source: Path, out: Path, team: Path, tree: Path | None) -> dict[str, object]:
    env = {**os.environ, "CODETAPE_HOME": str(team)}
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    done = subprocess.run([sys.executable, "-m", "collector", "dataset", "build", str(source), "-o", str(out),
                           "--workers", "2", "--exports", ",".join(FORMATS)], env=env, check=False,
                          capture_output=True, text=True, cwd=tree or Path.cwd())
    if done.returncode != 0:
        raise SystemExit(f"the build failed: {done.stderr}")
    manifest = json.loads((out / "_manifest.json").read_text(encoding="utf-8"))
    return {"splits": manifest["splits"], "split_leaks": manifest["split_leaks"],
            "left_out": manifest.get("examples_left_out", {}), **{fmt: crossing(out, fmt) for fmt in FORMATS}}


def crossing(out: Path, fmt: str) -> tuple[int, int, int]:
    """(distinct train examples, distinct eval examples, those of them identical to a train example)."""
    sides: dict[str, set[bytes]] = {"train": set(), "eval": set(), "none": set()}
    for path in (out / "exports" / fmt).rglob("*.jsonl"):
        for line in path.read_bytes().splitlines():
            split, key = keyed(fmt, line)
            sides[split].add(key)
    return len(sides["train"]), len(sides["eval"]), len(sides["eval"] & sides["train"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path)
    parser.add_argument("--baseline", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="codetape-leaks-") as scratch:
        work = args.work or Path(scratch)
        source = prepare(work)
        trees = [("baseline", args.baseline)] if args.baseline else []
        for name, tree in [*trees, ("this tree", None)]:
            out = work / f"out-{name.replace(' ', '-')}"
            if out.exists():
                subprocess.run(["rm", "-rf", str(out)], check=True)
            found = build(source, out, work / "team", tree)
            print(f"{name}: episodes by split {found['splits']}, split leaks {found['split_leaks']}")
            for fmt in FORMATS:
                train, evaluated, both = found[fmt]  # type: ignore[misc]
                print(f"  {fmt}: {train} train, {evaluated} eval examples (distinct), {both} eval identical "
                      f"to a train example")
            print(f"  left out: {found['left_out']}")


if __name__ == "__main__":
    main()
