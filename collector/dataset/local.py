"""The local engine: the transform in a pool of worker processes, one per core, the rows written here.

Episodes go to the workers in source order, at most WINDOW per worker ahead of the one being written, and
their outcomes come back in that order: memory holds a bounded number of episodes whatever the source
holds, and the duplicate rule sees them in the order the ray engine sorts them into. Workers are spawned
(not forked: the parent may hold threads and open S3 clients); a program that calls build_dataset must
guard its entry point with `if __name__ == "__main__":`, as multiprocessing requires.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from collector.dataset.errors import DatasetError
from collector.dataset.exports import Exported, export_entry
from collector.dataset.output import Output
from collector.dataset.sink import Sink
from collector.dataset.source import Entry
from collector.dataset.transform import Context, transform

WINDOW = 2
T = TypeVar("T")
R = TypeVar("R")


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class LocalEngine:
    def __init__(self, workers: int) -> None:
        self.workers = workers

    def rows(self, entries: Sequence[Entry], context: Context, sink: Sink,
             out: Output) -> dict[str, dict[str, int]]:
        """Check every entry; the sink writes what is kept (so no files of the engine's own)."""
        for outcome in ordered_map(functools.partial(transform, context=context), entries, self.workers):
            if sink.verdict(outcome):
                sink.keep(outcome)
        return {}

    def exports(self, items: Sequence[tuple[Entry, tuple[str, ...]]], context: Context,
                out: Output) -> Exported:
        done = Exported()
        work = functools.partial(_export, context=context, out=out)
        for exported in ordered_map(work, items, self.workers):
            done.add(exported)
        return done

    def close(self) -> None:
        return None


def _export(item: tuple[Entry, tuple[str, ...]], context: Context, out: Output) -> Exported:
    return export_entry(item[0], context, item[1], out)


def ordered_map(work: Callable[[T], R], items: Sequence[T], workers: int) -> Iterator[R]:
    """`work(item)` for every item, in order, in `workers` processes (here when there is one)."""
    if workers <= 1 or len(items) <= 1:
        yield from map(work, items)
        return
    pool = ProcessPoolExecutor(min(workers, len(items)), mp_context=multiprocessing.get_context("spawn"))
    window: deque[Future[R]] = deque()
    try:
        for item in items:
            window.append(pool.submit(work, item))
            if len(window) >= WINDOW * workers:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()
    except BrokenProcessPool:
        raise DatasetError("a worker process of the build died (out of memory?); nothing of this build was "
                           "kept, run it again") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
