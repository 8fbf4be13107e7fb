"""Batch work without the cyclic garbage collector's pauses.

Sealing builds and drops millions of small objects (step models, dicts, strings) that form no reference
cycles; reference counting frees them, but every collection still rescans the long-lived ones, which
nearly doubles a long seal. The collector is paused for the batch and, at the end, the youngest
generation is collected once: every object the batch made and still holds is there, so any cycle it
formed is found, without rescanning the whole heap (a full collection cost about a second after a
60,000-step seal). The pause is process-wide and counted, so concurrent batches (two workspaces sealing
at once) end it only together.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_active = 0
_was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    global _active, _was_enabled
    with _lock:
        if _active == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _was_enabled:
                gc.enable()
                gc.collect(0)
