"""The split's part of a dataset build at scale (issue 78): what the driver does over every episode of the
dataset, for 1,000 episodes added to datasets of 10k, 100k and 1M synthetic episodes.

    .venv/bin/python -m bench.split_scale [--sizes 10000,100000,1000000] [--add 1000] [--work DIR]
                                          [--memory-up-to 100000] [--no-readme]

The datasets: tests/support/split_corpus.py's episodes (repositories of 1 to 50 episodes, 10 % near
duplicates of an earlier one with one word in sixty replaced, 1 % repeats of an earlier steps hash), placed
in order by the split's rule, written as the `episodes` columns the build reads for the split
(repository, steps_sha256, diff_minhash, split) to one Parquet file per size; the `--add` episodes after
them in the same corpus are the new ones. Each measurement runs in a fresh process: the dataset's rows
read a batch at a time (as output/known.py `table_rows` does), the sides they took filled in, the new
episodes placed one at a time in order, then the end-of-build counts over all of them (splits, same
steps, near duplicates, leaks); wall seconds of each phase and the process's peak RSS (VmHWM). `stored`
is the build's code (output/split_store.py, output/split_counts.py); `memory` is the in-memory
SplitIndex and split.py's `duplicates` and `leaks`, as builds did before, run up to `--memory-up-to`
episodes. Both must place the new episodes alike (checked). `--work DIR` keeps the generated datasets.

This is not a whole `codetape dataset build`: the duplicate rule's `Known`, the source's listing and the
held blob hashes are not in it (bench/README.md says which of them are still in memory).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from bench.report import command_line, machine, table, write_section
from collector.dataset.engines.allocator import frugal_memory
from collector.dataset.output.known import scan
from collector.dataset.output.split_counts import split_counts
from collector.dataset.output.split_store import StoredSplit
from collector.export.split import SplitIndex, duplicates, leaks
from tests.support.memory import peak_rss_mib
from tests.support.split_corpus import Member, corpus

SCHEMA = pa.schema([pa.field("repository", pa.string()), pa.field("steps_sha256", pa.string()),
                    pa.field("diff_minhash", pa.list_(pa.uint32())), pa.field("split", pa.string())])
BATCH = 10_000
COLUMNS = ["repository", "steps_sha256", "diff_minhash", "split"]


def prepare(work: Path, size: int, add: int) -> tuple[Path, Path]:
    """The dataset of `size` episodes and the `add` new ones (made once, kept in `work`)."""
    dataset, new = work / f"episodes-{size}.parquet", work / f"new-{size}-{add}.parquet"
    if dataset.exists() and new.exists():
        return dataset, new
    began = time.monotonic()
    members = corpus(size + add)
    with tempfile.TemporaryDirectory(prefix="codetape-bench-") as scratch:
        index = StoredSplit(Path(scratch) / "split.sqlite")
        index.fill(())
        written = 0
        with pq.ParquetWriter(dataset, SCHEMA) as writer:
            while written < size:
                chunk = list(islice(members, min(BATCH, size - written)))
                placed = [(*member, index.place(*member)) for member in chunk]
                writer.write_table(table_of(placed))
                written += len(chunk)
        index.close()
    pq.write_table(table_of([(*member, "") for member in members]), new)
    print(f"generated {size} + {add} episodes in {time.monotonic() - began:.0f} s", flush=True)
    return dataset, new


def table_of(placed: list[tuple[Any, ...]]) -> pa.Table:
    return pa.Table.from_pylist([dict(zip(COLUMNS, row, strict=True)) for row in placed], SCHEMA)


def rows(path: Path, columns: list[str]) -> Iterator[tuple[Any, ...]]:
    for batch in scan(pads.dataset(path, format="parquet"), columns):  # as output/known.py table_rows reads
        yield from zip(*(batch.column(i).to_pylist() for i in range(len(columns))), strict=True)


def child(kind: str, dataset: Path, new: Path) -> dict[str, Any]:
    """One measurement (see the module docstring), in this process."""
    frugal_memory()  # as build_dataset does
    began = time.monotonic()
    added: list[Member] = [(repository, steps, signature)
                           for repository, steps, signature, _split in rows(new, COLUMNS)]
    with tempfile.TemporaryDirectory(prefix="codetape-bench-") as scratch:
        if kind == "stored":
            stored = StoredSplit(Path(scratch) / "split.sqlite")
            stored.fill(rows(dataset, COLUMNS))
            index: StoredSplit | SplitIndex = stored
        else:
            index = SplitIndex()
            for row in rows(dataset, COLUMNS):
                index.add(*row)
        filled = time.monotonic()
        splits = [index.place(*member) for member in added]
        placed = time.monotonic()
        if isinstance(index, StoredSplit):
            index.close()
    every = ((split, steps, signature) for (_repository, steps, signature), split in
             _chain(rows(dataset, ["repository", "steps_sha256", "diff_minhash", "split"]), added, splits))
    if kind == "stored":
        counts = split_counts(every)
        found = [counts.sizes, counts.same_steps, counts.near, counts.leaks]
    else:
        listed = list(every)
        same, near = duplicates((steps, signature) for _split, steps, signature in listed)
        sizes: dict[str, int] = {}
        for split, _steps, _signature in listed:
            sizes[split] = sizes.get(split, 0) + 1
        found = [dict(sorted(sizes.items())), same, near,
                 leaks(member for member in listed if member[0] != "none")]
    counted = time.monotonic()
    return {"fill": filled - began, "place": placed - filled, "count": counted - placed,
            "peak": peak_rss_mib(), "splits": hashlib.sha256(",".join(splits).encode()).hexdigest(),
            "counts": found}


def _chain(dataset: Iterator[tuple[Any, ...]], added: list[Member],
           splits: list[str]) -> Iterator[tuple[tuple[str, str, list[int] | None], str]]:
    for repository, steps, signature, split in dataset:
        yield (repository, steps, signature), split
    yield from zip(added, splits, strict=True)


def measure(kind: str, dataset: Path, new: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.split_scale", "--child", kind, str(dataset), str(new)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the {kind} run failed: {done.stderr.strip()[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--add", type=int, default=1000)
    parser.add_argument("--work")
    parser.add_argument("--memory-up-to", type=int, default=100_000)
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        kind, dataset, new = args.child
        print(json.dumps(child(kind, Path(dataset), Path(new))))
        return
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="codetape-split-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    found = []
    for size in (int(size) for size in args.sizes.split(",")):
        dataset, new = prepare(work, size, args.add)
        for kind in ("stored", "memory") if size <= args.memory_up_to else ("stored",):
            result = measure(kind, dataset, new)
            print(size, kind, json.dumps(result), flush=True)
            found.append((size, kind, result))
        same = {result["splits"] for _size, _kind, result in found if _size == size}
        counts = {json.dumps(result["counts"]) for _size, _kind, result in found if _size == size}
        if len(same) != 1 or len(counts) != 1:
            raise SystemExit(f"the stored and in-memory splits of {size} differ: {found}")
    body = table(["episodes", "split kept", "peak RSS (MiB)", "fill (µs/episode)", "place (ms/new episode)",
                  "end counts (µs/episode)", "total (s)"],
                 [[f"{size:,}", kind, f"{result['peak']:.0f}", f"{result['fill'] / size * 1e6:.0f}",
                   f"{result['place'] / args.add * 1000:.2f}",
                   f"{result['count'] / (size + args.add) * 1e6:.0f}",
                   f"{result['fill'] + result['place'] + result['count']:.1f}"]
                  for size, kind, result in found])
    text = f"`{command_line()}` ({machine()}):\n\n{body}"
    print(text)
    if not args.no_readme:
        write_section("split-scale", text)


if __name__ == "__main__":
    main()
