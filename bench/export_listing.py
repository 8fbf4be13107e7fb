"""The driver's memory for one pass over OUT/exports/ (issue 107): listing every export file at once
(`Output.sizes`, as the build's passes did) against walking them a folder at a time (`Output.walk`, as they
do now), and the twins' pass (output/twins.py) over a dataset whose files all have their twins.

The dataset is N earlier episodes of SIGNERS signers, each with a file in every per-episode format and a
twin in every training format (21 files), hard links to one small file per format and ending (as
bench/dataset_scale.py's state links them to real exports: a listing holds names, not bytes). Each pass runs
in a fresh process; its memory is the process's peak RSS (`resource.getrusage`) less the peak once its
imports are done.

    .venv/bin/python -m bench.export_listing --sizes 5000 20000 --work /tmp/listing
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

SIGNERS = 1000
PASSES = ("sizes", "walk", "twins")


def endings() -> dict[str, list[str]]:
    """Per per-episode format, the endings of an episode's files after its id (its file, and its twin)."""
    # (collector's export registry: only where the dataset is made, not when the module is imported)
    from collector.dataset.output.twins import SCHEMAS, twin_suffix
    from collector.export import FORMATS, per_episode_formats

    return {fmt: [(FORMATS[fmt].suffix or "").lstrip("."),
                  *([twin_suffix(fmt).lstrip(".")] if fmt in SCHEMAS else [])]
            for fmt in per_episode_formats()}


def make(out: Path, size: int) -> int:
    """OUT/exports/ of `size` episodes, every file a hard link to one per format and ending; the links."""
    made = 0
    templates = out.parent / f"templates-{size}"
    for fmt, names in endings().items():
        (templates / fmt).mkdir(parents=True, exist_ok=True)
        for ending in names:
            (templates / fmt / f"x.{ending}").write_bytes(b'{"split": "train"}\n')
        for k in range(size):
            folder = out / "exports" / fmt / f"signer-{k % SIGNERS:04d}"
            if k < SIGNERS:
                folder.mkdir(parents=True, exist_ok=True)
            episode = uuid.UUID(int=k + 1, version=4)
            for ending in names:
                os.link(templates / fmt / f"x.{ending}", folder / f"{episode}.{ending}")
                made += 1
    return made


def child(out: str, name: str) -> None:
    """Run one pass over `out` in this process; print the files it saw (written: the twins') and its peak
    RSS above the start (MiB)."""
    from collector.dataset.output.output import open_output
    from collector.dataset.output.twins import SCHEMAS, write_twins
    from schemas.config import UploadSettings

    dataset = open_output(out, UploadSettings(), create=False)
    start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.monotonic()
    if name == "sizes":
        seen = len(dataset.sizes("exports", suffix=""))
    elif name == "walk":
        seen = sum(1 for _item in dataset.walk("exports", ""))
    else:
        seen = len(write_twins(dataset, tuple(SCHEMAS)))  # every file has its twin: none written
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"files": seen, "mib": (peak - start) / 1024, "peak": peak / 1024,
                      "seconds": time.monotonic() - began}))


def measure(out: Path, name: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-m", "bench.export_listing", "--child", str(out), name],
                          check=True, capture_output=True, text=True)
    found: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/codetape-export-listing"))
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print("| earlier episodes | files | pass | peak RSS above start (MiB) | peak RSS (MiB) | seconds |")
    print("|---:|---:|---|---:|---:|---:|")
    for size in args.sizes:
        out = args.work / f"out-{size}"
        if not (out / "exports").exists():
            make(out, size)
        files = size * sum(len(names) for names in endings().values())
        for name in PASSES:
            found = measure(out, name)
            print(f"| {size:,} | {files:,} | {name} | {found['mib']:.1f} | {found['peak']:.0f} | "
                  f"{found['seconds']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
