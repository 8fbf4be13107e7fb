"""The collector's door (collector/daemon/door.py): unproven connections beyond the cap closed at once, the
oldest first, none before it had a second to prove the secret unless past the hard cap; refusals logged
once a second with their count."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from collector.daemon.door import Door, RefusalLog

SECRET = bytes(32)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Transport:
    def __init__(self, reader: asyncio.StreamReader) -> None:
        self.reader = reader
        self.aborted = False

    def abort(self) -> None:
        self.aborted = True
        self.reader.feed_eof()


class Writer:
    """What `admit` and the door touch of a connection that never sends its proof."""

    def __init__(self) -> None:
        self.reader = asyncio.StreamReader()
        self.transport = Transport(self.reader)
        self.closed = False

    def close(self) -> None:
        self.closed = True
        self.reader.feed_eof()

    def get_extra_info(self, name: str) -> None:
        return None


async def settled(condition: object, what: str) -> None:
    """Let the event loop run until `condition()` holds (5 s at most)."""
    for _ in range(500):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


async def test_beyond_the_cap_the_oldest_that_waited_a_second_are_closed() -> None:
    clock = Clock()
    door = Door(Path("unused"), SECRET, logging.getLogger("test.door"), max_unproven=2, hard_unproven=4,
                clock=clock)
    writers = [Writer() for _ in range(7)]

    def arrive(n: int) -> asyncio.Task[bool]:
        writer = writers[n]
        return asyncio.ensure_future(door.admit(writer.reader, writer))  # type: ignore[arg-type]

    tasks = [arrive(0), arrive(1)]
    await settled(lambda: door.waiting == 2, "two waiting")
    clock.now += 0.5
    tasks.append(arrive(2))  # at the cap, but none has had its second: all wait
    await settled(lambda: door.waiting == 3, "three waiting")
    assert not any(w.transport.aborted for w in writers)
    clock.now += 0.6  # the first two have waited 1.1 s, the third 0.6 s
    tasks.append(arrive(3))
    await settled(lambda: door.waiting == 2, "the two oldest closed")
    assert [w.transport.aborted for w in writers[:4]] == [True, True, False, False]
    assert [await t for t in tasks[:2]] == [False, False]
    tasks += [arrive(4), arrive(5)]  # none has had its second: all wait, up to the hard cap
    await settled(lambda: door.waiting == 4, "four waiting")
    assert not any(w.transport.aborted for w in writers[2:])
    tasks.append(arrive(6))  # past the hard cap: the oldest is closed whatever its wait
    await settled(lambda: writers[2].transport.aborted, "the oldest closed at the hard cap")
    assert door.waiting == 4 and not any(w.transport.aborted for w in writers[3:])
    for writer in writers:
        writer.close()
    assert not any(await asyncio.gather(*tasks))


async def test_refusals_are_logged_once_a_second_with_their_count(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    refused = RefusalLog(logging.getLogger("test.refusals"), "connection(s) that did not prove it",
                         interval=0.05, clock=clock)
    with caplog.at_level(logging.WARNING, "test.refusals"):
        for _ in range(5):
            refused()
        assert [r.getMessage() for r in caplog.records] == ["refused 1 connection(s) that did not prove it"]
        clock.now += 0.05
        await settled(lambda: len(caplog.records) == 2, "the second line")
    assert caplog.records[1].getMessage() == "refused 4 connection(s) that did not prove it"
