from __future__ import annotations

import gc
import threading

from collector.seal.gc_pause import gc_paused


def test_overlapping_batches_pause_the_collector_until_the_last_one_ends() -> None:
    assert gc.isenabled()
    entered, release = threading.Event(), threading.Event()

    def other_batch() -> None:
        with gc_paused():
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=other_batch)
    with gc_paused():
        thread.start()
        assert entered.wait(5)
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other batch is still running
    release.set()
    thread.join(5)
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
