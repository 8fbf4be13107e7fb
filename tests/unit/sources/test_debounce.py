from __future__ import annotations

import threading
import time

from collector.sources.files.debounce import Debouncer


def test_settle_runs_the_pending_flush_at_once_and_waits_for_it() -> None:
    flushed: list[float] = []
    debouncer = Debouncer(lambda: flushed.append(time.monotonic()), quiet=30.0, max_delay=60.0, name="t")
    debouncer.start()
    try:
        debouncer.poke()
        started = time.monotonic()
        assert debouncer.settle(timeout=5.0)
        assert len(flushed) == 1 and flushed[0] - started < 2.0  # not after the 30 s quiet period
        assert debouncer.settle(timeout=5.0)  # nothing pending: it still runs a pass
        assert len(flushed) == 2
    finally:
        debouncer.stop()
    assert len(flushed) == 3  # stop flushes once more


def test_settle_during_a_running_flush_waits_for_a_fresh_one() -> None:
    entered, release = threading.Event(), threading.Event()
    runs: list[int] = []

    def flush() -> None:
        runs.append(1)
        if len(runs) == 1:
            entered.set()
            release.wait(5)

    debouncer = Debouncer(flush, quiet=0.0, max_delay=0.0, name="t")
    debouncer.start()
    try:
        debouncer.poke()
        assert entered.wait(5)
        threading.Timer(0.2, release.set).start()
        assert debouncer.settle(timeout=5.0)
        assert len(runs) == 2  # the flush that began before settle() does not count
    finally:
        debouncer.stop()


def test_settle_on_a_stopped_debouncer_returns_false() -> None:
    debouncer = Debouncer(lambda: None, quiet=0.1, max_delay=0.1, name="t")
    assert not debouncer.settle(timeout=0.5)
