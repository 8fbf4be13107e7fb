"""Waiting in tests: for the thing itself, never for a stretch of time.

A test that needs something to have happened (a step in the journal, a file on disk, a line on a screen,
a process gone) polls for exactly that with `wait_for`, which returns as soon as it holds and fails with
a message naming what never came. The deadline is generous on purpose: the machines that run these
tests are small and shared, and a wait that succeeds costs no more than the event itself.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

TIMEOUT_S = 60.0
POLL_S = 0.05


def wait_for(predicate: Callable[[], T], timeout: float = TIMEOUT_S, what: str = "the condition", *,
             detail: Callable[[], object] | None = None) -> T:
    """Call `predicate` until it returns something true, and return that; AssertionError after `timeout`
    seconds, naming `what` and, when given, `detail()` (what there was instead). The predicate may raise
    to fail at once (a process that died cannot produce what is waited for)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            extra = f"\n{detail()}" if detail is not None else ""
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}{extra}")
        time.sleep(POLL_S)  # the poll interval of this one helper


async def wait_for_async(predicate: Callable[[], T], timeout: float = TIMEOUT_S, what: str = "the condition",
                         *, detail: Callable[[], object] | None = None) -> T:
    """`wait_for` from a coroutine: it polls in a worker thread, so the event loop (a pygls client's
    handlers, say) keeps running while it waits."""
    return await asyncio.to_thread(wait_for, predicate, timeout, what, detail=detail)
