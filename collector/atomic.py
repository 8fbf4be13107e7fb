"""Replacing a file all or nothing, the one way every writer of local state does it.

`atomic_file(path)` opens a private temporary file beside `path` (same directory, so the rename stays on
one file system); leaving the block fsyncs it, renames it over `path` and fsyncs the directory, so after
a crash `path` holds either the old or the new content, never a mix. An exception inside the block
removes the temporary file and leaves `path` untouched. `locked(path)` serialises read-modify-write
cycles on one file across threads and processes.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from collector.platform.files import fsync_dir, set_mode
from collector.platform.locks import lock

TYPE_CHECKING = False  # typing is not loaded at a command's start-up (~3 ms)
if TYPE_CHECKING:
    from typing import BinaryIO

PRIVATE = 0o600


class Staged:
    """The temporary file being written; `path` is where it lives until it replaces the target. (A plain
    class, not a dataclass or NamedTuple: `status` and `run` start without dataclasses or typing.)"""

    __slots__ = ("file", "path")

    def __init__(self, file: BinaryIO, path: Path) -> None:
        self.file, self.path = file, path


@contextlib.contextmanager
def atomic_file(path: Path, *, mode: int = PRIVATE) -> Iterator[Staged]:
    """Write `path` through a temporary file beside it (tmp, fsync, rename, fsync the directory)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as out:
            set_mode(out.fileno(), mode)
            yield Staged(out, tmp)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def atomic_write(path: Path, data: bytes | str, *, mode: int = PRIVATE) -> None:
    """Replace `path` with `data` (str is written as UTF-8), all or nothing."""
    with atomic_file(path, mode=mode) as staged:
        staged.file.write(data.encode("utf-8") if isinstance(data, str) else data)


def replace(src: Path, dst: Path) -> None:
    """Rename a finished file over `dst` and make the rename durable."""
    os.replace(src, dst)
    fsync_dir(dst.parent)


def remove(path: Path) -> None:
    """Delete `path` (missing is fine) and make the deletion durable."""
    path.unlink(missing_ok=True)
    fsync_dir(path.parent)


_THREAD_LOCKS: dict[Path, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for `path` (a `.lock` file beside it) across threads and processes."""
    lock_path = path.with_name(f".{path.name}.lock")
    with _THREAD_LOCKS_GUARD:
        thread_lock = _THREAD_LOCKS.setdefault(lock_path, threading.Lock())
    with thread_lock:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, PRIVATE)
        try:
            lock(fd)
            yield
        finally:
            os.close(fd)
