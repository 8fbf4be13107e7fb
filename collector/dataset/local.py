"""The local engine: the transform in a pool of worker processes, one per core, the rows written here.

Episodes go to the workers in source order, at most WINDOW per worker ahead of the one being written, and
their outcomes come back in that order: memory holds a bounded number of episodes whatever the source
holds, and the duplicate rule sees them in the order the ray engine sorts them into. Workers are spawned
(not forked: the parent may hold threads and open S3 clients).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from collector.dataset.errors import DatasetError
from collector.dataset.sink import Sink
from collector.dataset.source import Entry
from collector.dataset.transform import Context, Outcome, transform

WINDOW = 2


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_local(entries: Sequence[Entry], context: Context, sink: Sink, workers: int) -> None:
    for outcome in outcomes(entries, context, workers):
        if sink.verdict(outcome):
            sink.keep(outcome)


def outcomes(entries: Sequence[Entry], context: Context, workers: int) -> Iterator[Outcome]:
    """The transform of every entry, in order; in this process when there is one worker."""
    if workers <= 1 or len(entries) <= 1:
        for entry in entries:
            yield transform(entry, context)
        return
    pool = ProcessPoolExecutor(min(workers, len(entries)), mp_context=multiprocessing.get_context("spawn"))
    window: deque[Future[Outcome]] = deque()
    try:
        for entry in entries:
            window.append(pool.submit(transform, entry, context))
            if len(window) >= WINDOW * workers:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()
    except BrokenProcessPool:
        raise DatasetError("a worker process of the build died (out of memory?); nothing of this build was "
                           "kept, run it again") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
