"""`codetape seal` says what it is doing when it takes more than a second (the first seal of a fresh
collector on a loaded machine), through collector/timer.py's `when_slow`, which `codetape upload`'s
patience with a store shares: the line comes once the time has passed, never for quick work, and no timer
thread outlives the block."""

from __future__ import annotations

import sys
import threading

import pytest

from collector.timer import when_slow
from tests.waiting import wait_for


def say() -> None:
    print("sealing ...", file=sys.stderr, flush=True)


def test_the_line_comes_once_the_work_outlasts_the_time(capsys: pytest.CaptureFixture[str]) -> None:
    said: list[str] = []
    with when_slow(0.0, say):  # the work below lasts until the line is out
        wait_for(lambda: said.append(capsys.readouterr().err) or "sealing ...\n" in "".join(said),
                 what="the progress line")
    assert "".join(said) == "sealing ...\n"


def test_quick_work_says_nothing_and_leaves_no_timer_running(capsys: pytest.CaptureFixture[str]) -> None:
    before = set(threading.enumerate())
    with when_slow(60.0, say):
        pass
    assert capsys.readouterr().err == ""
    assert set(threading.enumerate()) <= before
