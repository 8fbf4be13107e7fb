"""Playback timing as a pipeline of small generators, as asciinema's player does it.

    relative_time(times, after, last) -> cap_idle(frames, limit) -> adjust_speed(frames, speed)

Each frame names the step to show next and how long to wait for it after the previous one. Only the
step times are needed, so a pipeline is rebuilt in no time after a seek or a change of speed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from collector.errors import UsageError

MIN_SPEED, MAX_SPEED = 1 / 64, 4096.0
DEFAULT_IDLE_LIMIT = 2.0  # seconds: a recorded pause longer than this plays as this long (asciinema's habit)


@dataclass(frozen=True, slots=True)
class ReplayFrame:
    """Show step `index` `delay` seconds after the previous frame."""

    index: int
    delay: float


def relative_time(times: Sequence[int], after: int, last: int) -> Iterator[ReplayFrame]:
    """Frames for the steps after `after` up to `last` (included), delays from the recorded times."""
    previous = times[after] if after >= 0 else (times[0] if len(times) else 0)
    for index in range(after + 1, last + 1):
        now = times[index]
        yield ReplayFrame(index, (now - previous) / 1000)
        previous = now


def cap_idle(frames: Iterable[ReplayFrame], limit: float | None) -> Iterator[ReplayFrame]:
    """Pauses longer than `limit` seconds shortened to `limit` (None: no limit)."""
    if limit is None:
        yield from frames
        return
    for frame in frames:
        yield frame if frame.delay <= limit else ReplayFrame(frame.index, limit)


def adjust_speed(frames: Iterable[ReplayFrame], speed: float) -> Iterator[ReplayFrame]:
    """Delays divided by `speed` (2: twice as fast)."""
    for frame in frames:
        yield ReplayFrame(frame.index, frame.delay / speed)


def playback(times: Sequence[int], after: int, last: int, *, idle_limit: float | None,
             speed: float) -> Iterator[ReplayFrame]:
    """The whole pipeline from the step after `after` to `last`."""
    return adjust_speed(cap_idle(relative_time(times, after, last), idle_limit), speed)


def check_speed(speed: float) -> float:
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise UsageError(f"--speed {speed:g} is out of range ({MIN_SPEED:g} to {MAX_SPEED:g})")
    return speed


def check_idle_limit(limit: float | None) -> float | None:
    """The player's cap on pauses: DEFAULT_IDLE_LIMIT when none is given, none for 0 (pauses as recorded)."""
    if limit is None:
        return DEFAULT_IDLE_LIMIT
    if limit < 0:
        raise UsageError(f"--idle-limit {limit:g} must be a number of seconds (0: no limit)")
    return limit or None


def faster(speed: float) -> float:
    """The next speed up (x2), within range."""
    return min(speed * 2, MAX_SPEED)


def slower(speed: float) -> float:
    """The next speed down (/2), within range."""
    return max(speed / 2, MIN_SPEED)
