"""A directory's listing in name order without holding every name: up to HELD names are sorted in
memory; a larger listing goes through a SQLite file in a temporary folder and comes back a page at a
time (a dataset's source holds two files per episode: about 400 MB of names at a million, issue 78)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from collector.scratch_db import open_scratch

HELD = 65_536  # names sorted in memory
PAGE = 4096  # names read back at a time
_SCHEMA = "CREATE TABLE names (name BLOB PRIMARY KEY, size INTEGER NOT NULL) WITHOUT ROWID;"


def in_order(found: Iterable[tuple[str, int]], most: int = HELD) -> Iterator[tuple[str, int]]:
    """`found` (names, each once, with their sizes) sorted by name, as `sorted` would order them; more
    than `most` of them through a scratch file."""
    items = iter(found)
    held = sorted(islice(items, most))
    if len(held) < most:
        yield from held
        return
    with tempfile.TemporaryDirectory(prefix="codetape-listing-") as folder:
        db = open_scratch(Path(folder) / "names.sqlite", _SCHEMA)
        try:
            db.execute("BEGIN")
            insert = "INSERT INTO names VALUES (?, ?)"
            db.executemany(insert, ((_key(name), size) for name, size in held))
            del held
            db.executemany(insert, ((_key(name), size) for name, size in items))
            db.execute("COMMIT")
            cursor = db.execute("SELECT name, size FROM names ORDER BY name")
            while page := cursor.fetchmany(PAGE):
                yield from ((bytes(name).decode("utf-8", "surrogatepass"), size) for name, size in page)
        finally:
            db.close()


def _key(name: str) -> bytes:
    """The name's UTF-8 bytes, whose order (SQLite compares BLOBs byte by byte) is its code points' order,
    lone surrogates (a name that was not UTF-8 on disk) included."""
    return name.encode("utf-8", "surrogatepass")
