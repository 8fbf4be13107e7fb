"""The leaving-connections clock: a connection's documents stay open LEAVING_MS after it is gone.

When a bridge exits or loses the collector, the documents it had open close for it only LEAVING_MS later,
so that the file watcher's view of a buffer written without a save step (issue 27, item 8) is still that
save; and not before the file changes held (held_changes.py, HOLD_MS) that came before then are recorded
against them: recording those early would keep another editor's save step, still on its way, from
explaining them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator

from collector.daemon.held_changes import HOLD_MS

LEAVING_MS = 2 * HOLD_MS


class Leaving:
    """The connections gone, in the order they went, each with the time its documents close."""

    def __init__(self) -> None:
        self._queue: deque[tuple[int, object]] = deque()  # (when its documents close, connection)

    def left(self, now: int, owner: object) -> None:
        """The connection `owner` is gone now."""
        self._queue.append((now + LEAVING_MS, owner))

    def due(self, now: int, *, waiting: Callable[[int], bool],
            everything: bool = False) -> Iterator[tuple[int, object]]:
        """(when it left, connection) for the connections gone LEAVING_MS ago (all with `everything`),
        in order, stopping at the first whose time has come while `waiting(when)` (a change held from
        before then) still says its documents must stay open."""
        while self._queue and (everything or self._queue[0][0] <= now):
            when, owner = self._queue[0]
            if not everything and waiting(when):
                return
            self._queue.popleft()
            yield when - LEAVING_MS, owner
