"""Files still being written: read once their writer closes them, not halfway through.

A program that writes a file in place (Jupyter's save, a shell's `>`, Python's `write_text`) creates or
truncates it, then writes; a watcher that reads it between the two records a state the file had for a
moment only (an empty notebook, half a module). Linux's inotify says when a writer closes a file
(IN_CLOSE_WRITE, watchdog's `closed` event): a file modified since its last close, or created and still
empty, is still being written, and the watcher reads it once the close arrives, or WAIT_S after its first
unclosed change (so a log a program holds open is still recorded about once a second). A file created
whole (moved in from outside the workspace, a link) has no writer to wait for. Elsewhere no close is
reported (`CLOSES_REPORTED`) and nothing waits.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from collector.platform.files import CLOSES_REPORTED

WAIT_S = 1.0


class Writes:
    """Which files a writer holds open, from the watcher's events in the order they came."""

    def __init__(self, *, closes: bool = CLOSES_REPORTED,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._closes = closes
        self._clock = clock
        # path -> when its first change since its last close was seen, and whether that was a write
        self._open: dict[str, tuple[float, bool]] = {}

    def saw(self, kind: str, rel: str, dest: str = "") -> None:
        """One event of the watcher's queue (`kind` as watchdog names it)."""
        if not self._closes or not rel:
            return
        match kind:
            case "created":
                self._open.setdefault(rel, (self._clock(), False))
            case "modified":
                since, _ = self._open.get(rel, (self._clock(), True))
                self._open[rel] = (since, True)
            case "closed" | "deleted":
                self._open.pop(rel, None)
            case "moved":  # a writer keeps writing through its descriptor wherever the file went
                held = self._open.pop(rel, None)
                if dest and held is not None:
                    self._open[dest] = held
                elif dest:
                    self._open.pop(dest, None)

    def wait(self, rel: str, *, size: int) -> float:
        """Seconds before `rel` (`size` bytes now) is worth reading: 0 once its writer closed it, once
        WAIT_S has passed, or when it was created whole."""
        held = self._open.get(rel)
        if held is None:
            return 0.0
        since, written = held
        left = since + WAIT_S - self._clock()
        if left <= 0 or (not written and size > 0):
            del self._open[rel]  # read as it is; a later change waits again
            return 0.0
        return left

    def holds(self, rel: str) -> bool:
        """Whether `rel` is waited for (its writer has not closed it since its change)."""
        return rel in self._open

    def forget(self, rel: str) -> None:
        """`rel` is read now whatever its writer does (a link: no writer closes it)."""
        self._open.pop(rel, None)

    def held(self) -> list[str]:
        """The files waited for, to look at again once their time is up."""
        return list(self._open)
