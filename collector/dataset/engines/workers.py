"""The local engine's worker processes: spawned when the engine is made (they import codetape while the
build lists its source), sent calls over a pipe each, and kept for the whole build.

Spawned, not forked: the parent may hold threads and open S3 clients; a program that calls build_dataset
must guard its entry point with `if __name__ == "__main__":`, as multiprocessing requires. A worker keeps
what it was given to keep between calls (kept.py's rows, by `local.py`), so calls can be sent to every
worker in turn (`each`), which a ProcessPoolExecutor cannot do. A worker ignores Ctrl-C, which reaches
the whole process group: the parent decides what happens then.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from collector.dataset.engines.allocator import freeze_loaded
from collector.dataset.errors import DatasetError
from collector.protocol.crashes import stacks_on_crash

if sys.platform == "win32":  # what multiprocessing's Pipe() makes there
    from multiprocessing.connection import PipeConnection as Connection
else:
    from multiprocessing.connection import Connection

T = TypeVar("T")
R = TypeVar("R")
WINDOW = 2  # calls sent ahead to each worker, so it never waits for the parent between two
LEAD = 64  # how far, per worker, results may run ahead of the first still awaited (they are held here)
JOIN_S = 30.0
DIED = ("a worker process of the build died (out of memory?); nothing of this build was kept, run it "
        "again")

number: int | None = None  # in a worker: which one it is (0, 1, ...), for the names of its files


class Workers:
    def __init__(self, count: int, preload: tuple[str, ...] = (),
                 environment: Mapping[str, str] | None = None) -> None:
        """`count` workers, each adding `environment` to its own variables, then importing the modules
        `preload` names, as soon as it starts."""
        spawn = multiprocessing.get_context("spawn")
        self.links: list[Connection] = []
        self.processes: list[BaseProcess] = []
        self.used = False
        self.stale = False  # a map was left unfinished: its answers may still come, so nothing more is sent
        for index in range(count):
            mine, theirs = spawn.Pipe()
            process = spawn.Process(target=_serve, args=(theirs, index, preload, dict(environment or {})),
                                    name=f"codetape-dataset-{index}", daemon=True)
            process.start()
            theirs.close()
            self.links.append(mine)
            self.processes.append(process)

    def map(self, work: Callable[[T], R], items: Sequence[T]) -> Generator[R, None, None]:
        """`work(item)` for every item, in the workers, its results in the order of `items`."""
        self._start()
        waiting: dict[int, list[int]] = {worker: [] for worker in range(len(self.links))}  # sent, unanswered
        done: dict[int, R] = {}
        sent = first = 0
        while first < len(items):
            for worker, calls in waiting.items():
                while len(calls) < WINDOW and sent < len(items) and sent < first + LEAD * len(self.links):
                    self._send(worker, (work, (items[sent],)))
                    calls.append(sent)
                    sent += 1
            for worker, value in self._answers(w for w, calls in waiting.items() if calls):
                done[waiting[worker].pop(0)] = value
            while first in done:
                yield done.pop(first)
                first += 1
        self.stale = False

    def each(self, work: Callable[[], R]) -> list[R]:
        """`work()` once in every worker; the results, by worker."""
        self._start()
        for worker in range(len(self.links)):
            self._send(worker, (work, ()))
        results: dict[int, R] = {}
        while len(results) < len(self.links):
            results.update(self._answers(w for w in range(len(self.links)) if w not in results))
        self.stale = False
        return [results[worker] for worker in range(len(self.links))]

    def close(self) -> None:
        """Stop the workers: asked to when they did all they were sent (they finish what they write), else
        at once."""
        for link, process in zip(self.links, self.processes, strict=True):
            if self.used and not self.stale and process.is_alive():
                with contextlib.suppress(OSError):  # it died meanwhile: joined below
                    link.send(None)
            else:
                process.terminate()
        for process in self.processes:
            process.join(JOIN_S)
            if process.is_alive():
                process.kill()
                process.join()
        for link in self.links:
            link.close()

    def _start(self) -> None:
        if self.stale:
            raise DatasetError("the build's workers still owe answers to an earlier call; this is a bug in "
                               "codetape")
        self.used = self.stale = True  # until every answer is in

    def _send(self, worker: int, call: tuple[Callable[..., Any], tuple[Any, ...]]) -> None:
        try:
            self.links[worker].send(call)
        except OSError:
            raise DatasetError(DIED) from None

    def _answers(self, workers: Iterable[int]) -> list[tuple[int, Any]]:
        """Wait for at least one of `workers` to answer; their answers, or the error one of them raised."""
        asked = list(workers)
        links = {self.links[worker]: worker for worker in asked}
        deaths = {self.processes[worker].sentinel: worker for worker in asked}
        answers = []
        for ready in wait([*links, *deaths]):
            if ready in deaths and not self.links[deaths[ready]].poll():
                raise DatasetError(DIED)
            if ready not in links:
                continue
            try:
                ok, value = ready.recv()
            except (EOFError, OSError):
                raise DatasetError(DIED) from None
            except Exception as exc:  # an answer that unpickles to an error
                raise DatasetError(f"a worker's answer could not be read: {exc}") from None
            if not ok:
                raise value
            answers.append((links[ready], value))
        return answers


def _serve(link: Connection, index: int, preload: tuple[str, ...], environment: dict[str, str]) -> None:
    """A worker: each call `(work, args)` answered `(True, work(*args))` or `(False, the exception)`; None
    ends."""
    global number
    number = index
    stacks_on_crash()  # on stderr, the build's (collector/protocol/crashes.py)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.update(environment)  # this process's own, before the modules that read it are imported
    for module in preload:
        importlib.import_module(module)
    freeze_loaded()
    while (call := link.recv()) is not None:
        work, args = call
        try:
            answer = (True, work(*args))
        except Exception as exc:  # the parent's to raise
            answer = (False, exc)
        try:
            link.send(answer)
        except Exception as exc:  # an answer that cannot be pickled
            link.send((False, DatasetError(f"a worker's answer could not be sent back: {exc}")))
