"""What one workspace file holds, as a `file_change` records it, and the walk that finds every file.

The policy decides before any byte is read: excluded files are never opened (not even stat'ed by the
walk, whose excluded directories are skipped whole), binary and too-large files are recorded by size
only. Text is the file's exact UTF-8 content with its sha256, so reconstruction stays byte-exact.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collector.policy.recording import Policy

HEAD_BYTES = 8192

# Editors' swap, backup and atomic-save temporaries: never workspace content.
_SWAP_SUFFIXES = (".swp", ".swo", ".swx", ".swpx", "~", ".kate-swp", ".crswap", "___jb_tmp___",
                  "___jb_old___", ".tmp.driveupload", ".orig.tmp")
_SWAP_PREFIXES = (".#", ".~lock.", ".goutputstream-", ".sb-")


def is_noise(relpath: str) -> bool:
    """Paths a file watcher never records: git's own directory and editors' temporary files."""
    parts = relpath.split("/")
    if ".git" in parts:
        return True
    name = parts[-1]
    if name == "4913" or (name.startswith("#") and name.endswith("#")):  # vim's write test, emacs autosave
        return True
    return name.endswith(_SWAP_SUFFIXES) or name.startswith(_SWAP_PREFIXES)


@dataclass(frozen=True)
class Known:
    """The last recorded state of one file. `sha256` is None for omitted (binary, too large) files."""

    size: int
    mtime_ns: int
    sha256: str | None

    def same_stat(self, st: os.stat_result) -> bool:
        return self.size == st.st_size and self.mtime_ns == st.st_mtime_ns


def read_state(root: Path, relpath: str, policy: Policy) -> tuple[dict[str, Any], Known] | None:
    """The `file_change` fields for a file's content now, or None when it is excluded, gone or not a file."""
    if policy.is_excluded(relpath):
        return None
    try:
        with open(root / relpath, "rb", opener=_no_follow) as file:
            st = os.fstat(file.fileno())
            if not stat.S_ISREG(st.st_mode):
                return None
            limit = policy.settings.max_file_bytes
            if policy.classify(relpath, size=st.st_size) == "too_large":
                return {"omitted": "too_large", "size": st.st_size}, Known(st.st_size, st.st_mtime_ns, None)
            data = file.read(limit + 1)
    except OSError:
        return None
    known = Known(len(data), st.st_mtime_ns, None)
    verdict = policy.classify(relpath, size=len(data), head=data[:HEAD_BYTES])
    if verdict in {"too_large", "binary"}:
        return {"omitted": verdict, "size": len(data)}, known
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return {"omitted": "binary", "size": len(data)}, known
    digest = hashlib.sha256(data).hexdigest()
    return {"text": text, "sha256": digest}, Known(len(data), st.st_mtime_ns, digest)


def _no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK)


def walk(root: Path, policy: Policy, *, under: str = "", skip: tuple[Path, ...] = ()) -> Iterator[
        tuple[str, os.stat_result]]:
    """(relpath, lstat) of every regular file below `under` that may be recorded; symlinks not followed."""
    start = root / under if under else root
    stack = [start]
    while stack:
        directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            path = Path(entry.path)
            relpath = path.relative_to(root).as_posix()
            if is_noise(relpath) or path in skip or policy.is_excluded(relpath):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(path)
                elif entry.is_file(follow_symlinks=False):
                    yield relpath, entry.stat(follow_symlinks=False)
            except OSError:
                continue
