"""What the manifest and the card count over every episode's split, steps and signature, on disk.

At the end of a build the dataset's `episodes` rows are counted: episodes per split, those whose steps
another episode has too (`near_duplicates`: the same steps), those with a near-duplicate signature and
other steps (`near_diff_duplicates`, split.py `duplicates`), and those with a duplicate or near duplicate
on the other side (`split_leaks`, split.py `leaks`: none unless the rule was broken). The rows go into a
SQLite file in a scratch folder (output/split_store.py's signature and band hash), and each episode is
then looked up by its steps and its bands, so the driver holds one batch of rows, not the dataset; a
band hash only finds candidates, a shared band is checked on the candidate's own band keys, so the counts
are the in-memory functions' exactly.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from collector.dataset.output.split_store import SIGNATURE, band_hash
from collector.export.split import NEAR, band_keys, estimate
from collector.scratch_db import open_scratch

Member = tuple[str, str, list[int] | None]  # split, steps_sha256, signature
OTHER = {"train": "eval", "eval": "train"}
_SCHEMA = """
CREATE TABLE members (id INTEGER PRIMARY KEY, split TEXT NOT NULL, steps TEXT NOT NULL, signature BLOB);
CREATE TABLE bands (band INTEGER NOT NULL, id INTEGER NOT NULL);
"""


@dataclass
class SplitCounts:
    sizes: dict[str, int] = field(default_factory=dict)  # episodes per split
    same_steps: int = 0  # episodes whose steps_sha256 another one has
    near: int = 0  # episodes with a near-duplicate signature of another with other steps
    leaks: int = 0  # episodes on a side with a duplicate or near duplicate on the other


def split_counts(members: Iterable[Member]) -> SplitCounts:
    """The counts over `members` (see the module docstring)."""
    with tempfile.TemporaryDirectory(prefix="codetape-split-") as scratch:
        db = open_scratch(Path(scratch) / "counts.sqlite", _SCHEMA)
        try:
            _fill(db, members)
            return _count(db)
        finally:
            db.close()


def _fill(db: sqlite3.Connection, members: Iterable[Member]) -> None:
    db.execute("BEGIN")
    for index, (split, steps, signature) in enumerate(members):
        packed = None if signature is None else SIGNATURE.pack(*signature)
        db.execute("INSERT INTO members VALUES (?, ?, ?, ?)", (index, split, steps, packed))
        if signature is not None:
            db.executemany(
                "INSERT INTO bands VALUES (?, ?)", [(band_hash(key), index) for key in band_keys(signature)]
            )
    db.execute("COMMIT")
    db.execute("CREATE INDEX bands_band ON bands (band)")
    db.execute("CREATE INDEX members_steps ON members (steps, split)")


def _count(db: sqlite3.Connection) -> SplitCounts:
    counts = SplitCounts()
    counts.sizes = {
        str(split): int(count)
        for split, count in db.execute("SELECT split, count(*) FROM members GROUP BY split ORDER BY split")
    }
    counts.same_steps = int(
        db.execute(
            "SELECT coalesce(sum(c), 0) FROM (SELECT count(*) AS c FROM members GROUP BY steps HAVING c > 1)"
        ).fetchone()[0]
    )
    for index, split, steps, packed in db.execute("SELECT id, split, steps, signature FROM members"):
        other = OTHER.get(split)
        same, across = db.execute(
            "SELECT count(*), coalesce(sum(split = ?), 0) FROM members WHERE steps = ?", (other or "", steps)
        ).fetchone()
        if packed is None:
            counts.leaks += other is not None and across > 0
            continue
        signature = list(SIGNATURE.unpack(packed))
        keys = band_keys(signature)
        near_other = near_different = False
        for candidate, candidate_split, candidate_steps, candidate_packed in db.execute(
            f"SELECT id, split, steps, signature FROM members WHERE id IN (SELECT id FROM bands WHERE "
            f"band IN ({','.join('?' * len(keys))}))",
            [band_hash(key) for key in keys],
        ):
            near_other_wanted = other is not None and candidate_split == other and not near_other
            near_different_wanted = (
                same == 1 and candidate != index and candidate_steps != steps and not near_different
            )
            if not (near_other_wanted or near_different_wanted):
                continue
            found = list(SIGNATURE.unpack(candidate_packed))
            if set(keys).isdisjoint(band_keys(found)) or estimate(signature, found) < NEAR:
                continue  # a band hash's collision, or not near enough
            near_other = near_other or near_other_wanted
            near_different = near_different or near_different_wanted
        counts.leaks += other is not None and (across > 0 or near_other)
        counts.near += near_different
    return counts
