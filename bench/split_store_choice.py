"""SQLite or DuckDB for the split's on-disk store (issue 78): the index's access pattern, per episode placed
one at a time in order (output/split_store.py): a point lookup by repository and one by steps hash, a
lookup of 16 band hashes and the candidates' signatures, then an insert into each of the four tables.

    .venv/bin/python -m bench.split_store_choice [--episodes 5000]

Both run on a file in a temporary folder, the same generated corpus (tests/support/split_corpus.py); the
figure is the wall ms per episode placed and the process's peak RSS after each, in one process (SQLite
first: its peak is the lower one)."""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb

from collector.dataset.output.split_store import SIGNATURE, StoredSplit, band_hash
from collector.export.split import band_keys
from tests.support.memory import peak_rss_mib
from tests.support.split_corpus import corpus


def duck(path: Path, members: list[tuple[str, str, list[int] | None]]) -> float:
    db = duckdb.connect(str(path))
    db.execute("CREATE TABLE repositories (repository TEXT PRIMARY KEY, side TEXT)")
    db.execute("CREATE TABLE steps (steps TEXT PRIMARY KEY, side TEXT)")
    db.execute("CREATE TABLE signatures (id INTEGER PRIMARY KEY, signature BLOB, side TEXT)")
    db.execute("CREATE TABLE bands (band BIGINT, id INTEGER)")
    db.execute("CREATE INDEX bands_band ON bands (band)")
    began = time.monotonic()
    for index, (repository, steps, signature) in enumerate(members):
        db.execute("SELECT side FROM repositories WHERE repository = ?", [repository]).fetchall()
        db.execute("SELECT side FROM steps WHERE steps = ?", [steps]).fetchall()
        db.execute("INSERT OR IGNORE INTO repositories VALUES (?, ?)", [repository, "train"])
        db.execute("INSERT OR IGNORE INTO steps VALUES (?, ?)", [steps, "train"])
        if signature is not None:
            hashes = [band_hash(key) for key in band_keys(signature)]
            db.execute("SELECT signature, side FROM signatures WHERE id IN (SELECT id FROM bands WHERE "
                       f"band IN ({','.join('?' * len(hashes))}))", hashes).fetchall()
            packed = SIGNATURE.pack(*signature)
            db.execute("INSERT INTO signatures VALUES (?, ?, ?)", [index, packed, "train"])
            db.executemany("INSERT INTO bands VALUES (?, ?)", [[value, index] for value in hashes])
    db.close()
    return time.monotonic() - began


def sqlite(path: Path, members: list[tuple[str, str, list[int] | None]]) -> float:
    index = StoredSplit(path)
    index.fill(())
    began = time.monotonic()
    for member in members:
        index.place(*member)
    index.close()
    return time.monotonic() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=5000)
    args = parser.parse_args()
    members = list(corpus(args.episodes))
    with tempfile.TemporaryDirectory(prefix="codetape-store-") as scratch:
        for name, run in (("SQLite", sqlite), ("DuckDB", duck)):
            seconds = run(Path(scratch) / name, members)
            print(f"{name}: {seconds / len(members) * 1000:.2f} ms per episode placed, "
                  f"peak RSS {peak_rss_mib():.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
