"""Whether two trees build the same dataset: one file:// source built by each tree's code (local engine, two
processes, each in a fresh interpreter), then every table compared with DuckDB `EXCEPT ALL` both ways, on
every column both have but `build` (the build's own number); a table only the after tree writes is named,
not compared. Issue 26's check that the step structs change no row:

    .venv/bin/python -m bench.rows_same SOURCE BEFORE_TREE AFTER_TREE WORK

SOURCE is a file:// source directory (bench.dataset_build --work DIR keeps one in DIR/source); WORK
receives the two datasets (a build already there is kept).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

BUILD = """\
from collector.dataset.build import BuildOptions, build_dataset
try:
    from schemas.config import UploadSettings
except ImportError:  # (a tree from before schemas/config.py)
    from schemas.settings import UploadSettings
report = build_dataset(BuildOptions({source!r}, {out!r}, engine="local", workers=2), UploadSettings())
print(report.tally.done, "episodes,", report.rows)
"""


def build(source: Path, tree: Path, out: Path) -> None:
    if out.exists():
        return
    code = BUILD.format(source=str(source), out=str(out))
    done = subprocess.run([sys.executable, "-c", code], cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)},
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the build with {tree} failed: {done.stderr[-2000:]}")
    print(f"{tree}: {done.stdout.strip()}")


NOT_TABLES = {"schemas", "exports"}  # OUT's folders of other files (and `_builds`, `_...`)


def compare(before: Path, after: Path) -> bool:
    con = duckdb.connect()
    same = True
    tables = {side: {path.name for path in root.iterdir()
                     if path.is_dir() and path.name not in NOT_TABLES and not path.name.startswith("_")}
              for side, root in (("before", before), ("after", after))}
    for table in sorted(tables["after"] - tables["before"]):
        print(f"{table}: a table only after")
    for table in sorted(tables["before"]):
        if table not in tables["after"]:
            print(f"{table}: a table only before")
            same = False
            continue
        scans = {side: f"read_parquet('{root / table}/**/*.parquet', hive_partitioning = true)"
                 for side, root in (("before", before), ("after", after))}
        columns = {side: [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()]
                   for side, scan in scans.items()}
        shared = ", ".join(f'"{name}"' for name in columns["before"]
                           if name in columns["after"] and name != "build")
        rows = con.execute(f"SELECT count(*) FROM {scans['before']}").fetchone()
        counts = [con.execute(f"SELECT count(*) FROM (SELECT {shared} FROM {scans[a]} EXCEPT ALL "
                              f"SELECT {shared} FROM {scans[b]})").fetchone() for a, b in
                  (("before", "after"), ("after", "before"))]
        left = [int(count[0]) if count else -1 for count in counts]
        same = same and left == [0, 0]
        print(f"{table}: {rows[0] if rows else '?'} rows; before EXCEPT ALL after: {left[0]}, "
              f"after EXCEPT ALL before: {left[1]}")
    return same


def main() -> None:
    source, before_tree, after_tree, work = map(Path, sys.argv[1:5])
    outs = work / "before", work / "after"
    build(source, before_tree, outs[0])
    build(source, after_tree, outs[1])
    raise SystemExit(0 if compare(*outs) else 1)


if __name__ == "__main__":
    main()
