"""A SQLite file for scratch work that must not live in memory (a build's split and duplicate rule, a
large listing put in order): no journal, no sync, a page cache of CACHE_KIB, all the memory it keeps."""

from __future__ import annotations

import sqlite3
from pathlib import Path

CACHE_KIB = 16384  # SQLite's page cache: the store's memory, whatever its size


def open_scratch(path: Path, schema: str) -> sqlite3.Connection:
    """A new SQLite file at `path` with `schema` (statements), in autocommit mode: the caller opens its
    transactions; it is thrown away with its folder, so nothing is journaled or synced."""
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(f"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE; "
                     f"PRAGMA cache_size=-{CACHE_KIB}; {schema}")
    return db
