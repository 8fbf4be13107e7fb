"""The playback pipeline: relative time -> idle cap -> speed, each a small generator."""

from __future__ import annotations

import pytest

from collector.errors import UsageError
from collector.replay.timeline import (
    DEFAULT_IDLE_LIMIT,
    MAX_SPEED,
    MIN_SPEED,
    ReplayFrame,
    adjust_speed,
    cap_idle,
    check_idle_limit,
    check_speed,
    faster,
    playback,
    relative_time,
    slower,
)

TIMES = [1000, 1200, 1200, 61_200, 61_700]


def test_relative_time_gives_the_delay_before_each_step_after_the_current_one() -> None:
    assert list(relative_time(TIMES, 0, 4)) == [
        ReplayFrame(1, 0.2), ReplayFrame(2, 0.0), ReplayFrame(3, 60.0), ReplayFrame(4, 0.5)]
    assert list(relative_time(TIMES, 2, 3)) == [ReplayFrame(3, 60.0)]
    assert list(relative_time(TIMES, 4, 4)) == []
    assert list(relative_time(TIMES, -1, 1)) == [ReplayFrame(0, 0.0), ReplayFrame(1, 0.2)]


def test_cap_idle_shortens_only_the_long_pauses() -> None:
    frames = [ReplayFrame(1, 0.2), ReplayFrame(2, 60.0), ReplayFrame(3, 2.0)]
    assert list(cap_idle(frames, 2.0)) == [ReplayFrame(1, 0.2), ReplayFrame(2, 2.0), ReplayFrame(3, 2.0)]
    assert list(cap_idle(frames, None)) == frames


def test_adjust_speed_divides_every_delay() -> None:
    frames = [ReplayFrame(1, 0.5), ReplayFrame(2, 3.0)]
    assert list(adjust_speed(frames, 2)) == [ReplayFrame(1, 0.25), ReplayFrame(2, 1.5)]
    assert list(adjust_speed([ReplayFrame(1, 0.5)], 0.5)) == [ReplayFrame(1, 1.0)]


def test_the_pipeline_caps_before_it_speeds_up() -> None:
    frames = list(playback(TIMES, 0, 4, idle_limit=1.0, speed=4))
    assert frames == [ReplayFrame(1, 0.05), ReplayFrame(2, 0.0), ReplayFrame(3, 0.25), ReplayFrame(4, 0.125)]


def test_speed_and_idle_limit_are_checked_and_stepped_within_range() -> None:
    assert check_speed(2.5) == 2.5
    for bad in (0, -1, MAX_SPEED * 2, MIN_SPEED / 2):
        with pytest.raises(UsageError, match="--speed"):
            check_speed(bad)
    assert check_idle_limit(0.5) == 0.5
    with pytest.raises(UsageError, match="--idle-limit -1 must be a number of seconds"):
        check_idle_limit(-1)
    assert faster(1.0) == 2.0 and slower(1.0) == 0.5
    assert faster(MAX_SPEED) == MAX_SPEED and slower(MIN_SPEED) == MIN_SPEED


def test_the_player_caps_idle_stretches_by_default_and_0_plays_them_as_recorded() -> None:
    """Issue 74: at 1x a 23 s idle stretch held the player on one step; with no --idle-limit it plays
    as DEFAULT_IDLE_LIMIT seconds, and `--idle-limit 0` keeps the recorded pause."""
    times = [0, 23_000, 23_400]
    assert DEFAULT_IDLE_LIMIT == 2.0
    capped = list(playback(times, 0, 2, idle_limit=check_idle_limit(None), speed=1))
    assert capped == [ReplayFrame(1, 2.0), ReplayFrame(2, 0.4)]
    recorded = list(playback(times, 0, 2, idle_limit=check_idle_limit(0), speed=1))
    assert recorded == [ReplayFrame(1, 23.0), ReplayFrame(2, 0.4)]
