"""`when_slow`: something done once if a block of work is still running after a while (a line saying what
it waits for), on a timer thread that ends with the block."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def when_slow(seconds: float, action: Callable[[], None]) -> Iterator[None]:
    """Run `action` once, on a timer thread, if the block is still running after `seconds`. The thread is
    cancelled and joined as the block ends, so none is left running when the process exits: a daemon
    thread alive while the interpreter finalizes can crash it (CPython issue 110052, on 3.9 to 3.12)."""
    timer = threading.Timer(seconds, action)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        timer.join()
