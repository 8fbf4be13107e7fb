"""A worker thread that runs `flush` once a burst of pokes has gone quiet.

`poke` is what watchdog's thread calls for every event: it takes a lock and notifies, nothing more.
`flush` runs on the worker thread `quiet` seconds after the last poke, or `max_delay` seconds after
the first one when pokes never stop, and one last time on `stop` so nothing pending is dropped.
`settle` runs it at once and waits, so a seal sees what happened just before it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger("codetape.sources")


class Debouncer:
    def __init__(self, flush: Callable[[], None], *, quiet: float, max_delay: float, name: str) -> None:
        self._flush = flush
        self.quiet = quiet
        self.max_delay = max_delay
        self._cond = threading.Condition()
        self._first: float | None = None
        self._last = 0.0
        self._stopping = False
        self._forced = False
        self._running = False
        self._runs = 0
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def alive(self) -> bool:
        """Whether the worker thread runs (False before `start` and after `stop`)."""
        return self._thread.is_alive()

    def poke(self) -> None:
        with self._cond:
            now = time.monotonic()
            if self._first is None:
                self._first = now
                self._cond.notify()
            self._last = now

    def settle(self, timeout: float = 10.0) -> bool:
        """Run `flush` now, without waiting for quiet, and wait until it has run; False on timeout."""
        with self._cond:
            if not self._thread.is_alive():
                return False
            target = self._runs + (2 if self._running else 1)  # a flush under way may predate the call
            self._forced = True
            self._cond.notify_all()
            deadline = time.monotonic() + timeout
            while self._runs < target and self._thread.is_alive():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return self._runs >= target

    def stop(self, timeout: float = 30.0) -> None:
        """Flush what is pending and end the thread."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._first is None and not self._stopping and not self._forced:
                    self._cond.wait()
                while self._first is not None and not self._stopping and not self._forced:
                    now = time.monotonic()
                    due = min(self._last + self.quiet, self._first + self.max_delay)
                    if now >= due:
                        break
                    self._cond.wait(due - now)
                pending, stopping = self._first is not None or self._forced, self._stopping
                self._first, self._forced = None, False
                self._running = True
            if pending or stopping:
                self._run()
            with self._cond:
                self._running = False
                self._runs += 1
                self._cond.notify_all()
            if stopping:
                return

    def _run(self) -> None:
        try:
            self._flush()
        except Exception:  # a watcher must survive one bad read; the next flush starts from fresh state
            log.exception("%s: flush failed", self._thread.name)
