"""A worker thread that runs `flush` once a burst of pokes has gone quiet.

`poke` is what watchdog's thread calls for every event: it takes a lock and notifies, nothing more.
`flush` runs on the worker thread `quiet` seconds after the last poke, or `max_delay` seconds after
the first one when pokes never stop, and one last time on `stop` so nothing pending is dropped.
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
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def poke(self) -> None:
        with self._cond:
            now = time.monotonic()
            if self._first is None:
                self._first = now
                self._cond.notify()
            self._last = now

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
                while self._first is None and not self._stopping:
                    self._cond.wait()
                while self._first is not None and not self._stopping:
                    now = time.monotonic()
                    due = min(self._last + self.quiet, self._first + self.max_delay)
                    if now >= due:
                        break
                    self._cond.wait(due - now)
                pending, stopping = self._first is not None, self._stopping
                self._first = None
            if pending or stopping:
                self._run()
            if stopping:
                return

    def _run(self) -> None:
        try:
            self._flush()
        except Exception:  # a watcher must survive one bad read; the next flush starts from fresh state
            log.exception("%s: flush failed", self._thread.name)
