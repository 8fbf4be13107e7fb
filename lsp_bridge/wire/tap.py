"""The tap: a bounded in-memory queue from the forwarding threads to the translator thread.

`put` never blocks, never wakes anybody and never touches disk: when the queue is full the item is
counted and dropped, and the next item that fits carries the count, so the translator knows exactly
where the hole is. The translator drains the whole queue every few milliseconds.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class Tap(Generic[T]):
    def __init__(self, *, max_items: int = 500_000, max_bytes: int = 128 * 1024 * 1024) -> None:
        self.max_items = max_items
        self.max_bytes = max_bytes
        self._items: deque[tuple[T, int, int]] = deque()
        self._bytes = 0
        self._dropped = 0
        self._closed = False
        self._cond = threading.Condition()
        self.dropped_total = 0

    def put(self, item: T, size: int) -> bool:
        """Queue an item (False: the queue was full and the item was counted as dropped).

        Nobody is woken: the reader drains the tap at its own pace, so a burst of messages costs the
        forwarding thread one lock each and never a thread switch.
        """
        with self._cond:
            if self._closed:
                return False
            if len(self._items) >= self.max_items or self._bytes + size > self.max_bytes:
                self._dropped += 1
                self.dropped_total += 1
                return False
            self._items.append((item, size, self._dropped))
            self._bytes += size
            self._dropped = 0
            return True

    def drain(self, timeout: float) -> tuple[list[tuple[T, int]], int]:
        """Everything queued, each with the count of items dropped just before it, and the count
        dropped after the last one. Waits up to `timeout` first (less once closed)."""
        with self._cond:
            if not self._closed:
                self._cond.wait(timeout)
            items = [(item, dropped) for item, _size, dropped in self._items]
            self._items.clear()
            self._bytes = 0
            dropped, self._dropped = self._dropped, 0
            return items, dropped

    @property
    def closed(self) -> bool:
        with self._cond:
            return self._closed and not self._items

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
