"""Moments in an episode as people write them: a step number, a time, `start` or `end`.

    12        step 12 (0-based, as `codetape cat` counts)
    90s 2m 1h 1500ms 1.5s       a time from the episode's start
    1:30 1:02:03 1:30.250       minutes:seconds, hours:minutes:seconds
    start end                   the first or the last step

A time names a state: the workspace at 90 s is the one after the last step at or before 90 s.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from collector.errors import UsageError

_UNIT = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)$")
_CLOCK = re.compile(r"^(?:(\d+):)?(\d+):(\d{1,2})(?:\.(\d{1,3}))?$")
_FACTOR = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}
FORMS = "a step (12), a time (90s, 2m, 1:30) or start/end"


@dataclass(frozen=True)
class Moment:
    """A point in an episode: `step` or `ms` or neither (`start` / `end`, told by `edge`)."""

    text: str
    step: int | None = None
    ms: int | None = None
    edge: Literal["start", "end"] | None = None


def parse_moment(text: str, what: str = "position") -> Moment:
    """The moment `text` names; UsageError naming `what` and the accepted forms otherwise."""
    value = text.strip().lower()
    if value in ("start", "end"):
        return Moment(text, edge="start" if value == "start" else "end")
    if value.isdigit():
        return Moment(text, step=int(value))
    unit = _UNIT.match(value)
    if unit:
        return Moment(text, ms=round(float(unit.group(1)) * _FACTOR[unit.group(2)]))
    clock = _CLOCK.match(value)
    if clock:
        hours, minutes, seconds, fraction = clock.groups()
        if int(seconds) < 60 and (hours is None or int(minutes) < 60):
            millis = int((fraction or "0").ljust(3, "0"))
            total = (int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)
            return Moment(text, ms=total * 1000 + millis)
    raise UsageError(f"{what} {text!r} is not {FORMS}")


def state_index(moment: Moment, times: Sequence[int], what: str = "position") -> int:
    """The step whose state `moment` names (-1: before the first step); UsageError past the end."""
    count = len(times)
    if moment.edge == "start":
        return -1
    if moment.edge == "end":
        return count - 1
    if moment.step is not None:
        if moment.step >= count:
            valid = f"0 to {count - 1}" if count else "the episode has no steps"
            raise UsageError(f"{what} {moment.text} is past the last step ({valid})")
        return moment.step
    assert moment.ms is not None
    return bisect_right(times, moment.ms) - 1


def first_index(moment: Moment, times: Sequence[int], what: str = "position") -> int:
    """The first step a window starting at `moment` shows: for a time, the first step at or after it."""
    if moment.ms is None:
        return max(state_index(moment, times, what), 0)
    index = bisect_right(times, moment.ms - 1)
    if index >= len(times):
        raise UsageError(f"{what} {moment.text} is after the last step (at {times[-1] if times else 0} ms)")
    return index


def window(times: Sequence[int], start: Moment | None, stop: Moment | None) -> tuple[int, int]:
    """(first, last) step indices of `--from start --to stop`, both included."""
    if not times:
        raise UsageError("the episode has no steps to replay")
    first = 0 if start is None else first_index(start, times, "--from")
    last = len(times) - 1 if stop is None else state_index(stop, times, "--to")
    if last < first:
        raise UsageError(f"--to {stop.text if stop else 'end'} comes before --from "
                         f"{start.text if start else 'start'}")
    return first, last
