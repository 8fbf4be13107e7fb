"""Group commit: one background thread makes a journal durable, never the thread that appends.

Appenders only record the highest sequence number they wrote. Every `interval` seconds (or sooner when
someone waits) the thread fsyncs the file once for everything written so far, then wakes the waiters.
The first round also fsyncs the journal's directory, so a new journal's name is durable too.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from collector.errors import JournalError
from collector.platform.files import DIRECTORY

FsyncFn = Callable[[int], None]
MAX_INTERVAL = 0.1


class GroupCommit:
    """The fsync thread of one journal file descriptor."""

    def __init__(self, fd: int, path: Path, *, fsync: FsyncFn, interval: float, durable: int) -> None:
        if not 0 < interval <= MAX_INTERVAL:
            raise JournalError(f"the journal commit interval must be above 0 and at most {MAX_INTERVAL} s, "
                               f"not {interval}")
        self._fd = fd
        self._path = path
        self._fsync = fsync
        self._interval = interval
        self._cond = threading.Condition()
        self._written = durable
        self._durable = durable
        self._directory_synced = False
        self._requested = False
        self._stopping = False
        self._error: str | None = None
        self._thread = threading.Thread(target=self._run, name=f"journal commit {path.name}", daemon=True)
        self._thread.start()

    @property
    def durable(self) -> int:
        """The highest sequence number known to be on disk (-1 before any)."""
        with self._cond:
            return self._durable

    def written(self, seq: int) -> None:
        """Record that frames up to `seq` were written; the thread picks them up on its next round."""
        with self._cond:
            self._written = max(self._written, seq)

    def check(self) -> None:
        """Raise the fsync failure, if there was one: nothing written since is known to be on disk."""
        with self._cond:
            if self._error is not None:
                raise JournalError(self._error)

    def wait(self, seq: int, timeout: float | None) -> bool:
        """Wait until frames up to `seq` are on disk; False when `timeout` seconds pass first."""
        with self._cond:
            if seq > self._written:
                raise JournalError(f"journal {self._path} has no frame {seq} yet "
                                   f"(the last written is {self._written})")
            self._requested = True
            self._cond.notify_all()
            self._cond.wait_for(lambda: self._durable >= seq or self._error is not None
                                or not self._thread.is_alive(), timeout)
            if self._error is not None:
                raise JournalError(self._error)
            return self._durable >= seq

    def close(self) -> None:
        """A final fsync of everything written, then the thread ends."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._thread.join()
        self.check()

    def _run(self) -> None:
        while True:
            with self._cond:
                if not (self._stopping or self._requested):
                    self._cond.wait(self._interval)
                self._requested = False
                target, stopping = self._written, self._stopping
            if target > self._durable or not self._directory_synced:
                try:
                    self._sync(target)
                except OSError as exc:
                    with self._cond:
                        self._error = (f"cannot fsync journal {self._path}: {exc.strerror or exc}; "
                                       f"frames after {self._durable} may not be on disk")
                        self._cond.notify_all()
                    return
            if stopping:
                return

    def _sync(self, target: int) -> None:
        if not self._directory_synced:
            directory = os.open(self._path.parent, os.O_RDONLY | DIRECTORY)
            try:
                self._fsync(directory)
            finally:
                os.close(directory)
            self._directory_synced = True
        self._fsync(self._fd)
        with self._cond:
            self._durable = target
            self._cond.notify_all()
