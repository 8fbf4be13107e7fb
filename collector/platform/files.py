"""Open flags and file-mode checks that exist on POSIX only.

`NOFOLLOW`, `DIRECTORY`, `NONBLOCK` and `PATH_ONLY` are the flags workspace readers open with; on Windows
they are 0 (`os.open` there follows no symbolic link of a directory given with `dir_fd`, which Windows
does not take: the descriptor walk in collector/workspace/beneath.py is POSIX's). `os.open` adds
`O_CLOEXEC` (O_NOINHERIT on Windows) itself (PEP 446), so no caller passes it.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path, PurePath

if sys.platform == "win32":
    NOFOLLOW = 0
    DIRECTORY = 0
    NONBLOCK = 0
    PATH_ONLY = os.O_RDONLY
else:
    NOFOLLOW = os.O_NOFOLLOW
    DIRECTORY = os.O_DIRECTORY
    NONBLOCK = os.O_NONBLOCK
    # a directory passed through, not read (search permission only); Linux only, else read access
    PATH_ONLY = getattr(os, "O_PATH", os.O_RDONLY)


# Errors that say nothing of the file: the process's or the system's file table is full, memory ran out, the
# device failed to answer. A reader retries them, and records that it could not read rather than taking
# the file for gone (collector/sources/files/file_watcher.py, collector/workspace/registry.py).
TRANSIENT_ERRNOS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.EIO})


def transient(exc: OSError) -> bool:
    """Whether `exc` says the file could not be read now, not that it is gone or is not a file."""
    return exc.errno in TRANSIENT_ERRNOS


def error_name(exc: OSError) -> str:
    """`EMFILE: Too many open files`: the error's symbol and its text, for a person to act on."""
    name = errno.errorcode.get(exc.errno or 0, "")
    text = exc.strerror or str(exc)
    return f"{name}: {text}" if name else text


# Whether the kernel's file events can be lost without a word: inotify reports its queue's overflow
# (IN_Q_OVERFLOW, which watchdog passes on); FSEvents (macOS) coalesces and may drop events, and
# ReadDirectoryChangesW (Windows) loses them when its buffer fills, without watchdog saying so.
EVENTS_LOST_SILENTLY = sys.platform != "linux"

# Whether the kernel says when a writer closes a file: inotify's IN_CLOSE_WRITE (watchdog's `closed`
# event); FSEvents and ReadDirectoryChangesW report no close (collector/sources/files/writes.py).
CLOSES_REPORTED = sys.platform == "linux"


def relative_within(path: PurePath, root: PurePath, *, ignore_case: bool) -> str | None:
    """`path` relative to `root` (POSIX form, "." for the root itself), None when outside it. With
    `ignore_case` (a file system that ignores case: macOS's and Windows' defaults) the root's letters
    match whatever their case, so `/Users/dev/Proj/a.py` lies in `/Users/dev/proj`."""
    if path.is_relative_to(root):
        return path.relative_to(root).as_posix()
    if not ignore_case or len(path.parts) < len(root.parts):
        return None
    head = path.parts[:len(root.parts)]
    if any(a.casefold() != b.casefold() for a, b in zip(head, root.parts, strict=True)):
        return None
    return PurePath(*path.parts[len(root.parts):]).as_posix()


def fsync_dir(directory: Path) -> None:
    """Make the names in `directory` (a rename, a new or removed file) durable. On Windows a directory
    cannot be opened as a file: NTFS journals its metadata, and there is nothing to call."""
    if sys.platform == "win32":
        return
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def set_mode(fd: int, mode: int) -> None:
    """Give the open file `fd` the permission bits `mode` (whatever the umask). Windows has no such bits
    (a file in the user's profile inherits its ACL: the user's, SYSTEM's and the administrators')."""
    if sys.platform != "win32":
        os.fchmod(fd, mode)


def owned_by_me(info: os.stat_result) -> bool:
    """Whether the file `info` describes belongs to this process's (effective) user. Windows' stat has
    no owner (st_uid is 0): True there, the owner's SID is not read yet (docs/platforms.md)."""
    if sys.platform == "win32":
        return True
    return info.st_uid == os.geteuid()


def writable_by_others(info: os.stat_result) -> bool:
    """Whether group or others may write the file (`st_mode & 0o022`). False on Windows, whose st_mode
    bits are made up from the read-only attribute, not its ACL."""
    return sys.platform != "win32" and bool(info.st_mode & 0o022)


def open_to_others(mode: int) -> bool:
    """Whether the permission bits `mode` let group or others in at all (`mode & 0o077`); False on
    Windows, as `writable_by_others`."""
    return sys.platform != "win32" and bool(mode & 0o077)
