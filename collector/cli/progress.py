"""Progress bars for long work: shown on stderr when it is a terminal and the work is long enough."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from collector.text.sizes import byte_size

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


class BytesColumn(ProgressColumn):
    """Bytes done of all, and the speed, in the sizes every command shows (binary units: text/sizes.py)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        said = f"{byte_size(int(task.completed))}/{byte_size(int(task.total or 0))}"
        return Text(said + (f"  {byte_size(int(speed))}/s" if speed else ""), style="progress.download")


@contextlib.contextmanager
def byte_progress(total: int, label: str, *, quiet: bool = False,
                  start_at: int = BYTES_FROM) -> Iterator[Callable[[int], None]]:
    """A callback taking bytes done (thread-safe), drawing a bar on stderr when it is a terminal and the
    work is long (`start_at` bytes or more: work slower per byte than sending it starts lower); a callback
    that does nothing otherwise."""
    if quiet or total < start_at or not sys.stderr.isatty():
        yield lambda _done: None
        return
    columns = (TextColumn(label), BarColumn(), BytesColumn(), TimeRemainingColumn())
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
               TextColumn("{task.fields[size]}"), TextColumn("{task.fields[rejected]} rejected"),
               TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=None, size="", rejected=0)

        def update(done: int, total: int, done_bytes: int, all_bytes: int, rejected: int) -> None:
            progress.update(task, completed=done, total=total, rejected=rejected,
                            size=f"{byte_size(done_bytes)}/{byte_size(all_bytes)}")

        yield update
