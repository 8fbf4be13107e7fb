"""Unlinkable mode's re-timing (consent/retime.py, issue 69): a burst's steps share one time, its duration
is drawn and not kept, pauses are whole seconds and stay pauses, and times between steps move with them."""

from __future__ import annotations

import random
from itertools import pairwise

from collector.consent.retime import BUCKET_MS, PAUSE_MS, PAUSE_STEP_MS, Retiming, retimed
from collector.export.edits.base.bursts import PAUSE_MS as EXPORT_PAUSE_MS
from schemas import steps as kinds
from schemas.consent import COARSE_MS


def typed(interval: int, pauses: list[int], keys: int = 40) -> list[int]:
    """Bursts of `keys` keystrokes `interval` ms apart, each after a pause of `pauses[i]` ms."""
    times, now = [], 0
    for pause in pauses:
        now += pause
        for _ in range(keys):
            times.append(now)
            now += interval
    return times


def edits(times: list[int]) -> list[tuple[int, bool]]:
    return [(t, True) for t in times]


def test_a_bursts_steps_share_one_time_and_bursts_stay_more_than_a_pause_apart() -> None:
    times = typed(173, [0, 4321, 3001, 65_432])
    retiming = Retiming.of(edits(times), random.Random(1))
    held = [retiming.at(t) for t in times]
    assert held == sorted(held)
    assert all(t % COARSE_MS == 0 for t in held)
    assert [len(set(held[i:i + 40])) for i in range(0, 160, 40)] == [1, 1, 1, 1]
    starts = sorted(set(held))
    assert len(starts) == 4 and all(later - earlier > PAUSE_MS for earlier, later in pairwise(starts))
    assert PAUSE_MS == EXPORT_PAUSE_MS  # an export's edit bursts are the bursts re-timed here


def test_a_bursts_duration_is_drawn_so_a_fast_and_a_slow_typist_look_the_same() -> None:
    pauses = [1200, 5000, 9000, 30_000]
    fast = typed(90, pauses)
    slow = typed(600, [pause + 3 for pause in pauses])  # the same pauses once rounded up to whole seconds
    fast_held = Retiming.of(edits(fast), random.Random(7))
    slow_held = Retiming.of(edits(slow), random.Random(7))
    assert [fast_held.at(t) for t in fast] == [slow_held.at(t) for t in slow]
    assert fast_held.times != [t - t % PAUSE_STEP_MS for t in fast[::40]]  # not the times recorded


def test_two_drawings_of_one_episode_differ() -> None:
    times = typed(200, [0, 5000, 5000])
    one, two = (Retiming.of(edits(times), random.Random(seed)).drawn for seed in (1, 2))
    assert one != two


def test_times_between_steps_move_with_them() -> None:
    retiming = Retiming.of(edits([0, 1000, 2000, 20_000, 20_500]), random.Random(3))
    first, second = retiming.times
    assert retiming.at(1500) == first
    assert retiming.at(10_000) == first + retiming.drawn[0] + 8000  # 8 s after the burst's last step
    assert retiming.at(19_999) <= second < retiming.at(20_501)
    command = kinds.CommandStep(t_ms=20_500, source="shell", command_line="make", duration_ms=15_000)
    moved = retimed(command, retiming, 4)
    assert isinstance(moved, kinds.CommandStep)
    assert (moved.t_ms, moved.duration_ms) == (second, second - retiming.at(5500))
    gap = retimed(kinds.GapStep(t_ms=2000, source="collector", reason="paused", until_ms=20_000), retiming, 2)
    assert isinstance(gap, kinds.GapStep) and (gap.t_ms, gap.until_ms) == (first, second)


def test_a_test_runs_tests_keep_the_runners_durations_in_100_ms_steps() -> None:
    run = kinds.TestRunStep(t_ms=900, source="pytest", duration_ms=700,
                            tests=[kinds.TestOutcome(nodeid="t::a", outcome="passed", duration_ms=456)])
    moved = retimed(run, Retiming.of(edits([0, 900]), random.Random(4)), 1)
    assert isinstance(moved, kinds.TestRunStep)
    assert (moved.t_ms, moved.duration_ms, moved.tests[0].duration_ms) == (0, 0, 400)


def test_an_edit_more_than_a_pause_after_the_last_one_starts_a_burst_whatever_came_between() -> None:
    """A caret's reports every second join no two edits 5 s apart, as an export's edit burst does not."""
    marks = [(0, True), (1000, False), (2000, False), (3000, False), (4000, False), (5000, True)]
    retiming = Retiming.of(marks, random.Random(5))
    first, second = retiming.times
    assert [retiming.at(t) for t, _ in marks] == [first] * 5 + [second]
    assert second - first >= 5000  # the 5 s from the last edit, rounded up, and the drawn length


def test_drawn_reads_two_typists_whose_pauses_differ_within_a_bucket_alike() -> None:
    """Issue 93: one pausing 4-5 s between bursts, the other 40-55 s, drawn with one seed: the same times."""
    brief = typed(173, [4321, 4100, 5000, 4800])
    long = typed(591, [43_210, 41_000, 55_000, 48_000])
    drawn = [Retiming.of(edits(times), random.Random(11), BUCKET_MS) for times in (brief, long)]
    assert [drawn[0].at(t) for t in brief] == [drawn[1].at(t) for t in long]
    retimed_apart = [Retiming.of(edits(times), random.Random(11)) for times in (brief, long)]
    assert [retimed_apart[0].at(t) for t in brief] != [retimed_apart[1].at(t) for t in long]


def test_drawn_puts_a_save_and_a_test_run_in_a_pause_at_the_time_of_the_burst_before_it() -> None:
    """A save 1 s or 20 s after typing, a test run 9 s after: all at the burst's time, the pause after them
    drawn from the burst's last keystroke; a command's start and end in the pause: 0 ms long."""
    for save_after in (1000, 20_000):
        steps: list[kinds.Step] = [keystroke(t) for t in (0, 150, 300)]
        steps += [kinds.SaveStep(t_ms=300 + save_after, source="lsp", path="a.py"),
                  kinds.CommandStep(t_ms=300 + save_after + 9000, source="shell", command_line="pytest",
                                    duration_ms=8000),
                  kinds.TestRunStep(t_ms=300 + save_after + 9000, source="pytest", duration_ms=7000),
                  keystroke(90_000)]
        retiming = Retiming.of_steps(steps, random.Random(3), BUCKET_MS)
        held = [retimed(step, retiming, index) for index, step in enumerate(steps)]
        first, second = retiming.times
        assert [step.t_ms for step in held] == [first] * 6 + [second]
        assert [step.duration_ms for step in held if isinstance(step, kinds.CommandStep | kinds.TestRunStep)
                ] == [0, 0]
        assert 60_000 < second - first - retiming.drawn[0] <= 120_000  # 89.7 s from the last keystroke


def keystroke(t_ms: int) -> kinds.EditStep:
    return kinds.EditStep(t_ms=t_ms, source="lsp", path="a.py", changes=[kinds.ContentChange(text="x")])
