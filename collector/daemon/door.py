"""The collector's door: connections accepted but not admitted yet, bounded, and refusals logged briefly.

On loopback TCP (collector/platform/loopback.py) any local user can open connections to the collector's
port, and each waits up to ADMIT_WAIT_S for its proof of the secret (platform/sockets.py's `admit`),
holding one of the collector's open files meanwhile. So at most MAX_UNPROVEN wait at once: beyond that,
every unproven connection that has waited MIN_ADMIT_WAIT_S is closed at once, the oldest first, and
beyond HARD_UNPROVEN (connections arriving faster than that a second) the oldest whatever its wait. A
client of this user proves the secret with its first bytes, so its wait is milliseconds: the second it
is given covers a slow machine's own bridge. On a Unix socket another user's connection is refused as
soon as its credentials are read (none waits). Refusals are logged at most once a second, with their
count (`RefusalLog`), and so are the event loop's failures to accept (the file table full), without a
traceback: a flood does not fill the log.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from collector.platform.sockets import ADMIT_WAIT_S, admit

MAX_UNPROVEN = 128  # connections waiting for their proof, beyond which those that waited 1 s are closed
HARD_UNPROVEN = 512  # ... and beyond which the oldest is closed whatever its wait
MIN_ADMIT_WAIT_S = 1.0  # the least a connection is given to prove the secret while under the hard cap
LOG_INTERVAL_S = 1.0  # refusals are logged at most this often, with their count

assert MIN_ADMIT_WAIT_S <= ADMIT_WAIT_S


class RefusalLog:
    """One log line per LOG_INTERVAL_S at most, counting what happened since the last one."""

    def __init__(self, log: logging.Logger, what: str, *, interval: float = LOG_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._log = log
        self._what = what  # "connection(s) that ...": said after the count
        self._interval = interval
        self._clock = clock
        self._count = 0
        self._last = float("-inf")
        self._timer: asyncio.TimerHandle | None = None

    def __call__(self) -> None:
        """Count one refusal; logged now, or with those that follow at the end of the interval."""
        self._count += 1
        if self._timer is not None:
            return
        wait = self._last + self._interval - self._clock()
        if wait <= 0:
            self.flush()
        else:
            self._timer = asyncio.get_running_loop().call_later(wait, self.flush)

    def flush(self) -> None:
        """Log what was counted and not said yet."""
        self._timer = None
        if not self._count:
            return
        count, self._count = self._count, 0
        self._last = self._clock()
        self._log.warning("refused %d %s", count, self._what)


class Door:
    """Admits each new connection (its peer this user's, or its proof of the secret) within the bounds."""

    def __init__(self, path: Path, secret: bytes | None, log: logging.Logger, *,
                 max_unproven: int = MAX_UNPROVEN, hard_unproven: int = HARD_UNPROVEN,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self.secret = secret
        self.max_unproven = max_unproven
        self.hard_unproven = max(hard_unproven, max_unproven)
        self._clock = clock
        self._waiting: dict[asyncio.StreamWriter, float] = {}  # in the order they came: the oldest first
        self.refused = RefusalLog(log, "connection(s) from another user" if secret is None else
                                  "connection(s) that did not prove the secret (closed unread)")
        self._unaccepted = RefusalLog(log, "connection(s) the system gave no file for (accept failed: "
                                      "too many open files?)")

    @property
    def waiting(self) -> int:
        """Connections waiting for their proof now."""
        return len(self._waiting)

    async def admit(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Whether the new connection is admitted; a refused one is closed (and counted in the log)."""
        if self.secret is not None:
            self._make_room()
            self._waiting[writer] = self._clock()
        try:
            admitted = await admit(reader, writer, self.path, self.secret)
        finally:
            self._waiting.pop(writer, None)
        if not admitted:
            self.refused()
            writer.close()
        return admitted

    def _make_room(self) -> None:
        """Close the oldest connections waiting for their proof while there are too many (one is coming)."""
        now = self._clock()
        while self._waiting and len(self._waiting) >= self.max_unproven:
            oldest, since = next(iter(self._waiting.items()))
            if len(self._waiting) < self.hard_unproven and now - since < MIN_ADMIT_WAIT_S:
                return
            del self._waiting[oldest]
            oldest.transport.abort()  # its `admit` reads the end at once and refuses it

    def loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """The event loop's exception handler: a failed accept (no file left for the connection, which the
        loop retries a second later) is counted and logged once a second without its traceback; anything
        else as asyncio would log it."""
        if str(context.get("message", "")).startswith("socket.accept() out of system resource"):
            self._unaccepted()
            return
        loop.default_exception_handler(context)
