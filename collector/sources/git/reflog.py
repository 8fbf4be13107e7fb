"""Reflogs: git's own account of every ref update, read incrementally as plain append-only files.

A reflog line is `OLD NEW NAME <EMAIL> SECONDS TZ<TAB>MESSAGE`. Reading the files directly takes no
lock and starts no process. `ReflogTail` remembers where it stopped and notices when git rewrote the
file (`git stash drop`, `git reflog expire`, a branch deleted and created again). A reflog is read below
its git directory through collector.workspace.beneath: one that is a link (or lies behind one) reads as
empty, so nothing a link points to is read.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from collector.platform.files import NONBLOCK
from collector.sources.git.gitread import null_sha
from collector.workspace.beneath import open_beneath

_LINE = re.compile(rb"^([0-9a-f]{40,64}) ([0-9a-f]{40,64}) .*? (\d+) [+-]\d{4}\t?(.*)$", re.DOTALL)


@dataclass(frozen=True)
class ReflogEntry:
    old: str | None
    new: str | None
    seconds: int
    message: str


def parse_line(line: bytes) -> ReflogEntry | None:
    match = _LINE.match(line.rstrip(b"\n"))
    if match is None:
        return None
    old, new, seconds, message = match.groups()
    return ReflogEntry(null_sha(old.decode()), null_sha(new.decode()), int(seconds),
                       message.decode("utf-8", "replace"))


def parse(data: bytes) -> list[ReflogEntry]:
    return [entry for line in data.splitlines() if (entry := parse_line(line)) is not None]


class ReflogTail:
    """The entries appended to one reflog file (`relpath` in the git directory `git_dir`, its real path)
    since the last read."""

    def __init__(self, git_dir: Path, relpath: str) -> None:
        self.git_dir = git_dir
        self.relpath = relpath
        self.path = git_dir / relpath
        self._offset = 0
        self._last_line = b""

    def skip_to_end(self) -> None:
        """Forget what is in the file now: only later entries will be read."""
        data = self._read_from(0)
        self._remember(data, 0, data.rfind(b"\n") + 1)

    def read_new(self) -> list[ReflogEntry] | None:
        """New complete entries, or None when the file was rewritten or removed since the last read."""
        if not self.path.exists():
            gone = self._offset > 0
            self._offset, self._last_line = 0, b""  # when it comes back, all of it is new
            return None if gone else []
        start = self._offset - len(self._last_line)
        data = self._read_from(start)
        if data[:len(self._last_line)] != self._last_line:
            whole = self._read_from(0)
            self._remember(whole, 0, whole.rfind(b"\n") + 1)
            return None
        end = data.rfind(b"\n") + 1
        if start + end <= self._offset:
            return []
        entries = parse(data[len(self._last_line):end])
        self._remember(data, start, end)
        return entries

    def entries(self) -> list[ReflogEntry]:
        """Every entry now in the file (oldest first), without moving the read position."""
        return parse(self._read_from(0))

    def _remember(self, data: bytes, base: int, end: int) -> None:
        """Keep the offset after `data[:end]` (read from file offset `base`) and the line ending there."""
        self._offset = base + end
        self._last_line = data[data.rfind(b"\n", 0, max(end - 1, 0)) + 1:end]

    def _read_from(self, offset: int) -> bytes:
        try:
            with open(open_beneath(self.git_dir, self.relpath, os.O_RDONLY | NONBLOCK), "rb") as file:
                if offset:
                    file.seek(offset)
                return file.read()
        except OSError:  # gone, a link, behind a link, or not a file
            return b""
