"""A transcript's lines, each a JSON object, read one bounded line at a time.

A transcript can be hundreds of megabytes (Claude Code keeps a file's whole text beside an edit), so it is
never read whole: a line longer than MAX_LINE_BYTES is skipped unread to its end, and a line that is not a
JSON object is skipped too; both are counted (`Lines.skipped`), and the importer records them as a `gap`,
so the hole shows in the review.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

MAX_LINE_BYTES = 64 << 20
_CHUNK = 1 << 20


class Lines:
    """The JSON objects of the transcript at `path`, in the file's order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.skipped = 0  # lines too long, or not a JSON object
        self.read = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        with self.path.open("rb") as stream:
            for line in _bounded_lines(stream):
                if line is None:
                    self.skipped += 1
                    continue
                if not line.strip():
                    continue
                self.read += 1
                try:
                    entry = json.loads(line)
                except (ValueError, RecursionError):
                    self.skipped += 1
                    continue
                if isinstance(entry, dict):
                    yield entry
                else:
                    self.skipped += 1


def _bounded_lines(stream: IO[bytes]) -> Iterator[bytes | None]:
    """Each line (without its end), or None for one longer than MAX_LINE_BYTES (read past, not kept)."""
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) <= MAX_LINE_BYTES or line.endswith(b"\n"):
            yield line.rstrip(b"\r\n")
            continue
        while line and not line.endswith(b"\n"):  # too long: the rest of it, a chunk at a time
            line = stream.readline(_CHUNK)
        yield None
