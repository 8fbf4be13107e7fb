"""A command shown at its start, the test runs it ran shown under it.

The shell hook stamps a `command` when the whole command line ends (after `; date` in `python -m pytest
-q; date`), the pytest plugin stamps its `test_run` when pytest ends: in the episode the test run comes
first. The review's Timeline, `codetape replay --plain` and the report show the command at its start
(`t_ms - duration_ms`), before the steps recorded in its span, and the test runs among them under it. The
episode's order is unchanged: only what is shown moves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from schemas import Step
from schemas.steps import CommandStep

WINDOW = 1_000  # rows a command is moved up at most
T = TypeVar("T")


class Shown(Protocol):
    """A row of a list of steps: when it is shown, its kind, whether it is shown under a command."""

    t_ms: int
    kind: str
    under: bool


R = TypeVar("R", bound=Shown)


def started(step: Step) -> int:
    """When a step is shown: a command at its start, any other step at its time."""
    if isinstance(step, CommandStep):
        return max(step.t_ms - step.duration_ms, 0)
    return step.t_ms


def place(shown: Sequence[T], begun: int, when: Callable[[T], int], floor: int = 0) -> int:
    """Where a command that began at `begun` goes among `shown` (rows in the order shown, each shown at
    `when`): before the rows shown after its start, no further back than `floor` nor WINDOW rows."""
    at = len(shown)
    while at > max(floor, len(shown) - WINDOW) and when(shown[at - 1]) > begun:
        at -= 1
    return at


def insert_command(rows: list[R], row: R) -> None:
    """Put a command's row (`t_ms`: its start) among `rows` at its start, the test runs it moved up over
    marked as under it."""
    at = place(rows, row.t_ms, lambda shown: shown.t_ms)
    rows.insert(at, row)
    for later in rows[at + 1:]:
        later.under = later.under or later.kind == "test_run"
