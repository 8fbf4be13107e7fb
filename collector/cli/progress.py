"""Progress bars for long work: shown on stderr when it is a terminal and the work is long enough."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

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
