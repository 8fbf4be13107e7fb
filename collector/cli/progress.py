"""Progress bars for long work: shown on stderr when it is a terminal and the work is long enough."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

T = TypeVar("T")
PROGRESS_FROM = 50_000  # steps; below this the work is too quick to need a bar


def tracked(items: Iterable[T], total: int, label: str) -> Iterator[T]:
    """`items`, with a progress bar on stderr when it is a terminal and the work is long."""
    if total < PROGRESS_FROM or not sys.stderr.isatty():
        yield from items
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=total)
        for count, item in enumerate(items, start=1):
            yield item
            if count % 1000 == 0:
                progress.update(task, completed=count)


BYTES_FROM = 32 * 1024 * 1024  # below this an upload is too quick to need a bar


@contextlib.contextmanager
def byte_progress(total: int, label: str, *, quiet: bool = False,
                  start_at: int = BYTES_FROM) -> Iterator[Callable[[int], None]]:
    """A callback taking bytes done (thread-safe), drawing a bar on stderr when it is a terminal and the
    work is long (`start_at` bytes or more: work slower per byte than sending it starts lower); a callback
    that does nothing otherwise."""
    if quiet or total < start_at or not sys.stderr.isatty():
        yield lambda _done: None
        return
    columns = (TextColumn(label), BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda done: progress.advance(task, done)


EpisodeCounts = Callable[[int, int, int, int, int], None]


@contextlib.contextmanager
def episode_progress(label: str, *, quiet: bool = False) -> Iterator[EpisodeCounts]:
    """A callback taking (episodes done, episodes in all, bytes done, bytes in all, rejected so far),
    drawing a bar on stderr when it is a terminal; a callback that does nothing otherwise."""
    if quiet or not sys.stderr.isatty():
        yield lambda _done, _total, _bytes, _all_bytes, _rejected: None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn("episodes"),
               TextColumn("{task.fields[mb]}"), TextColumn("{task.fields[rejected]} rejected"),
               TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=None, mb="", rejected=0)

        def update(done: int, total: int, done_bytes: int, all_bytes: int, rejected: int) -> None:
            progress.update(task, completed=done, total=total, rejected=rejected,
                            mb=f"{done_bytes / 1e6:.1f}/{all_bytes / 1e6:.1f} MB")

        yield update
