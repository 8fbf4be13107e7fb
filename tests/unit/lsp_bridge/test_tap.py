"""The tap between forwarding and translation: bounded, never blocking, and exact about what it dropped."""

from __future__ import annotations

import threading
import time

from lsp_bridge.wire.tap import Tap


def test_a_full_tap_counts_drops_and_the_next_item_carries_the_count() -> None:
    tap: Tap[str] = Tap(max_items=2, max_bytes=1000)
    assert tap.put("a", 10) and tap.put("b", 10)
    assert not tap.put("c", 10) and not tap.put("d", 10)
    items, after = tap.drain(0)
    assert items == [("a", 0), ("b", 0)] and after == 2
    assert tap.put("e", 10) and not tap.put("f", 2000)  # too many bytes counts as a drop too
    assert tap.put("g", 10)
    assert tap.drain(0) == ([("e", 0), ("g", 1)], 0)
    assert tap.dropped_total == 3


def test_put_never_blocks_even_when_nobody_drains() -> None:
    tap: Tap[int] = Tap(max_items=100, max_bytes=10**6)
    started = time.monotonic()
    kept = sum(tap.put(i, 1) for i in range(100_000))
    assert kept == 100 and time.monotonic() - started < 2


def test_close_wakes_the_reader_and_keeps_what_was_queued() -> None:
    tap: Tap[str] = Tap()
    tap.put("last", 1)
    got: list[tuple[list[tuple[str, int]], int]] = []
    reader = threading.Thread(target=lambda: got.append(tap.drain(30)))
    started = time.monotonic()
    reader.start()
    tap.close()
    reader.join(5)
    assert time.monotonic() - started < 5
    assert got == [([("last", 0)], 0)]
    assert tap.closed and not tap.put("late", 1)
