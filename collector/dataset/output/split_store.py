"""The split's sides taken so far, on disk: what a build places its new episodes against.

`StoredSplit` keeps `SplitRule`'s order and rule (collector/export/split.py) and holds its three maps in a
SQLite file in the build's scratch folder, not in the driver's memory: SQLite's page cache
(collector/scratch_db.py) is all it keeps, however many episodes the dataset has (bench/README.md, "The
split out of memory", says why SQLite and not DuckDB, and what it costs).

    repositories(repository PRIMARY KEY, side)   the first side each repository took
    steps(steps PRIMARY KEY, side)               the first side each steps_sha256 took
    signatures(id PRIMARY KEY, signature, side)  every remembered signature (PERMUTATIONS big-endian u32)
    bands(band, id)                              each signature's BANDS band keys, as a 64-bit hash

A band's hash only finds candidates: a candidate whose band keys (recomputed from its signature) share
none with the episode's is dropped before its estimate, so a hash collision changes nothing and the rule
is the in-memory one's exactly.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable
from pathlib import Path

from collector.export.split import NEAR, PERMUTATIONS, SplitRule, band_keys, estimate
from collector.scratch_db import open_scratch

SIGNATURE = struct.Struct(f">{PERMUTATIONS}I")
_SCHEMA = """
CREATE TABLE repositories (repository TEXT PRIMARY KEY, side TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE steps (steps TEXT PRIMARY KEY, side TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE signatures (id INTEGER PRIMARY KEY, signature BLOB NOT NULL, side TEXT NOT NULL);
CREATE TABLE bands (band INTEGER NOT NULL, id INTEGER NOT NULL);
"""

Row = tuple[str, str, list[int] | None, str]  # repository, steps_sha256, signature, split


def band_hash(key: bytes) -> int:
    """A band key as a signed 64-bit integer (SQLite's INTEGER)."""
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big", signed=True)


class StoredSplit(SplitRule):
    """SplitRule over a SQLite file at `path` (made here; the caller deletes it with its folder)."""

    def __init__(self, path: Path) -> None:
        self._db = open_scratch(path, _SCHEMA)
        self._next = 0

    def fill(self, rows: Iterable[Row]) -> None:
        """`add` each of `rows` (the dataset's episodes, in their order), in one transaction, the band
        index made once they are in."""
        self._db.execute("BEGIN")
        for repository, steps, signature, split in rows:
            self.add(repository, steps, signature, split)
        self._db.execute("COMMIT")
        self._db.execute("CREATE INDEX bands_band ON bands (band)")

    def repository_side(self, repository: str) -> str | None:
        return self._one("SELECT side FROM repositories WHERE repository = ?", repository)

    def steps_side(self, steps_sha256: str) -> str | None:
        return self._one("SELECT side FROM steps WHERE steps = ?", steps_sha256)

    def near(self, signature: list[int] | None) -> set[str]:
        if signature is None:
            return set()
        keys = band_keys(signature)
        hashes = [band_hash(key) for key in keys]
        found = self._db.execute(
            f"SELECT signature, side FROM signatures WHERE id IN (SELECT id FROM bands WHERE band IN "
            f"({','.join('?' * len(hashes))}))",
            hashes,
        )
        wanted, sides = set(keys), set()
        for blob, side in found:
            other = list(SIGNATURE.unpack(blob))
            if wanted.isdisjoint(band_keys(other)):
                continue  # a band hash's collision, not a shared band
            if estimate(signature, other) >= NEAR:
                sides.add(side)
        return sides

    def remember(self, repository: str, steps_sha256: str, signature: list[int] | None, split: str) -> None:
        self._db.execute("INSERT OR IGNORE INTO repositories VALUES (?, ?)", (repository, split))
        self._db.execute("INSERT OR IGNORE INTO steps VALUES (?, ?)", (steps_sha256, split))
        if signature is not None:
            index, self._next = self._next, self._next + 1
            self._db.execute(
                "INSERT INTO signatures VALUES (?, ?, ?)", (index, SIGNATURE.pack(*signature), split)
            )
            self._db.executemany(
                "INSERT INTO bands VALUES (?, ?)", [(band_hash(key), index) for key in band_keys(signature)]
            )

    def close(self) -> None:
        self._db.close()

    def _one(self, query: str, value: str) -> str | None:
        row = self._db.execute(query, (value,)).fetchone()
        return None if row is None else str(row[0])
