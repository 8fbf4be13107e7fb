"""Whole-file locks held through a descriptor: released when it is closed or the process ends.

POSIX: `flock` (shared or exclusive). Windows: `msvcrt.locking` on the first byte, LockFileEx's
exclusive lock, which is also what the filelock library uses there; Windows has no shared mode in msvcrt,
so a shared lock is exclusive there (the one shared lock, `codetape collector stop`'s probe, is taken
and dropped at once). Why not filelock itself: its locks are path objects taken with a timeout, while
codetape holds a descriptor's lock for a process's life, probes it without taking it, and waits on it
by its own deadline; filelock calls the same two primitives underneath.
"""

from __future__ import annotations

import os
import sys
import time

_WINDOWS_RETRY_S = 0.01


def try_lock(fd: int, *, shared: bool = False) -> bool:
    """Take the lock on `fd` without waiting: True when taken, False when another holder has it."""
    if sys.platform == "win32":
        # Windows only
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    # POSIX only
    import fcntl

    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def lock(fd: int, *, shared: bool = False) -> None:
    """Take the lock on `fd` (exclusive, or shared), waiting as long as it takes."""
    if sys.platform == "win32":
        while not try_lock(fd, shared=shared):
            time.sleep(_WINDOWS_RETRY_S)
        return
    # POSIX only
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)


def unlock(fd: int) -> None:
    """Drop the lock on `fd` (closing it does too)."""
    if sys.platform == "win32":
        # Windows only
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    # POSIX only
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)
