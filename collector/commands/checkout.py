"""`codetape checkout EPISODE DIR [--step N]`: write the workspace as it was after step N.

N counts from 0 over the steps `codetape cat` prints; the default is the last step. Every path is
checked before anything is written (see collector/checkout.py); files recorded without content
(binary or too large) are listed on stderr and not written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from collector.checkout import plan_checkout, write_checkout
from collector.errors import UsageError
from collector.reconstruct import workspace_at
from collector.resolve import open_ref, show

T = TypeVar("T")
PROGRESS_FROM = 50_000  # steps; below this the work is too quick to need a bar


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("checkout", help="write the reconstructed workspace after a step",
                            description=__doc__)
    parser.add_argument("episode", metavar="EPISODE", help="an episode file, or an episode id (prefix)")
    parser.add_argument("dir", metavar="DIR", type=Path, help="directory to write into (created if missing)")
    parser.add_argument("--step", metavar="N", type=int, help="0-based step index (default: the last step)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    episode = open_ref(args.episode)
    stop = args.step
    count = episode.step_count
    if stop is not None and not 0 <= stop < count:
        valid = f"0 to {count - 1}" if count else "it has no steps"
        raise UsageError(f"--step {stop} is out of range ({valid})")
    total = count if stop is None else stop + 1
    steps = tracked(episode.steps(), total, "reconstructing")
    workspace = workspace_at(episode.header.position_encoding, steps, stop)
    plan = plan_checkout(workspace, args.dir)
    written = write_checkout(plan, args.dir)
    for path, reason in plan.omitted:
        why = reason.replace("_", " ")
        print(f"omitted ({why}, recorded without content): {show(path)}", file=sys.stderr)
    print(f"wrote {written} file{'s' * (written != 1)} to {show(str(args.dir))}", file=sys.stderr)
    return 0


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
