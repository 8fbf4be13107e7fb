"""Re-timing's promises on generated episodes (consent/retime.py, issue 93): the steps' order in time is
kept, every time is a multiple of COARSE_MS, steps of one burst share a time, a pause stays a pause, and an
export's edit burst is neither split nor joined; `drawn` keeps them too, but that a save, test run, command,
caret's report or diagnostics standing in a pause is at the time of the burst before it, and each pause is
drawn within its bucket, the same again given the seed."""

from __future__ import annotations

import random
from itertools import accumulate, pairwise

from hypothesis import example, given, settings
from hypothesis import strategies as st

from collector.consent.retime import BUCKET_MS, FIRST_MS, PAUSE_MS, PAUSE_STEP_MS, Retiming
from schemas.consent import COARSE_MS

# each step: the ms since the one before (often within a burst, sometimes a pause) and whether it is an edit
gaps = st.lists(st.tuples(st.one_of(st.integers(0, 400), st.integers(0, 30_000)), st.booleans()),
                min_size=1, max_size=80)


def marks_of(drawn: list[tuple[int, bool]]) -> list[tuple[int, bool]]:
    """Each step's time on the recorded clock and whether it is an edit."""
    times = accumulate(gap for gap, _ in drawn)
    return [(t, edit) for t, (_, edit) in zip(times, drawn, strict=True)]


def moved(marks: list[tuple[int, bool]], seed: int) -> list[int]:
    retiming = Retiming.of(marks, random.Random(seed))
    return [retiming.held(index) for index in range(len(marks))]


@settings(max_examples=300, deadline=None)
@given(gaps, st.integers(0, 2**32))
def test_order_in_time_is_kept_and_every_time_is_in_100_ms_steps(drawn: list[tuple[int, bool]],
                                                                 seed: int) -> None:
    held = moved(marks_of(drawn), seed)
    assert all(a <= b for a, b in pairwise(held))
    assert all(t % COARSE_MS == 0 for t in held)


@settings(max_examples=300, deadline=None)
@given(gaps, st.integers(0, 2**32))
@example([(0, True), (1, False), (3000, False), (0, True)], 0)  # a burst starts at the ms one ends
def test_a_pause_stays_a_pause_and_a_step_after_a_non_edit_within_one_joins_its_burst(
        drawn: list[tuple[int, bool]], seed: int) -> None:
    marks = marks_of(drawn)
    held = moved(marks, seed)
    for (before, after), (new_before, new_after) in zip(pairwise(marks), pairwise(held), strict=True):
        if after[0] - before[0] > PAUSE_MS:
            assert new_after - new_before > PAUSE_MS
        elif not after[1]:
            assert new_after == new_before


@settings(max_examples=300, deadline=None)
@given(gaps, st.integers(0, 2**32))
def test_an_exports_edit_burst_is_neither_split_nor_joined(drawn: list[tuple[int, bool]], seed: int) -> None:
    marks = marks_of(drawn)
    held = moved(marks, seed)
    edits = [(t, new) for (t, edit), new in zip(marks, held, strict=True) if edit]
    for (t, new), (t_next, new_next) in pairwise(edits):
        if t_next - t > PAUSE_MS:
            assert new_next - new > PAUSE_MS
        else:
            assert new_next == new


# `drawn` (issue 93): each step's gap from the one before and its kind, of three: an edit, a step of the
# kinds `drawn` places (a save, a test run, a command, a caret's report, diagnostics), any other
EDIT, PLACED, OTHER = "edit", "placed", "other"
kinded = st.lists(st.tuples(st.one_of(st.integers(0, 400), st.integers(0, 30_000), st.integers(0, 300_000)),
                            st.sampled_from((EDIT, PLACED, OTHER))), min_size=1, max_size=80)


def drawn_marks(drawn: list[tuple[int, str]]) -> list[tuple[int, bool, bool]]:
    """Each step's time on the recorded clock, whether it is an edit and whether of the kinds placed."""
    times = accumulate(gap for gap, _ in drawn)
    return [(t, kind == EDIT, kind == PLACED) for t, (_, kind) in zip(times, drawn, strict=True)]


def drawn_moved(marks: list[tuple[int, bool, bool]], seed: int) -> tuple[Retiming, list[int]]:
    retiming = Retiming.of(marks, random.Random(seed), BUCKET_MS)
    return retiming, [retiming.held(index) for index in range(len(marks))]


@settings(max_examples=300, deadline=None)
@given(kinded, st.integers(0, 2**32))
def test_drawn_keeps_the_order_in_time_and_every_time_is_in_100_ms_steps(drawn: list[tuple[int, str]],
                                                                         seed: int) -> None:
    _, held = drawn_moved(drawn_marks(drawn), seed)
    assert all(a <= b for a, b in pairwise(held))
    assert all(t % COARSE_MS == 0 for t in held)


@settings(max_examples=300, deadline=None)
@given(kinded, st.integers(0, 2**32))
def test_drawn_keeps_an_exports_edit_bursts_neither_split_nor_joined(drawn: list[tuple[int, str]],
                                                                     seed: int) -> None:
    marks = drawn_marks(drawn)
    _, held = drawn_moved(marks, seed)
    edits = [(t, new) for (t, edit, _), new in zip(marks, held, strict=True) if edit]
    for (t, new), (t_next, new_next) in pairwise(edits):
        if t_next - t > PAUSE_MS:
            assert new_next - new > PAUSE_MS
        else:
            assert new_next == new


@settings(max_examples=300, deadline=None)
@given(kinded, st.integers(0, 2**32))
@example([(0, EDIT), (1, OTHER), (3000, PLACED), (0, EDIT)], 0)  # a burst starts at the ms one ends
def test_drawn_keeps_a_pause_before_a_step_not_placed_and_joins_what_follows_a_burst_within_one(
        drawn: list[tuple[int, str]], seed: int) -> None:
    marks = drawn_marks(drawn)
    _, held = drawn_moved(marks, seed)
    for (before, after), (new_before, new_after) in zip(pairwise(marks), pairwise(held), strict=True):
        if after[0] - before[0] > PAUSE_MS and not after[2]:
            assert new_after - new_before > PAUSE_MS
        elif after[0] - before[0] <= PAUSE_MS and not before[2] and not after[1]:
            assert new_after == new_before


@settings(max_examples=300, deadline=None)
@given(kinded, st.integers(0, 2**32))
def test_drawn_places_a_save_or_test_run_at_the_time_of_the_last_step_not_placed_before_it(
        drawn: list[tuple[int, str]], seed: int) -> None:
    """So where it fell in the pause after typing, 1 s or 20 s on, tells nothing (even at the very time the
    next burst starts: a step's time is its burst's by its place in the episode, not by its time)."""
    marks = drawn_marks(drawn)
    _, held = drawn_moved(marks, seed)
    last = 0  # the episode's start, before any step not placed
    for (_, _, placed), new in zip(marks, held, strict=True):
        if placed:
            assert new == last
        else:
            last = new


@settings(max_examples=300, deadline=None)
@given(kinded, st.integers(0, 2**32))
def test_drawn_draws_each_pause_within_its_bucket(drawn: list[tuple[int, str]], seed: int) -> None:
    """The pause between two bursts (from the first's last step, or its last edit when an edit ends it, to
    the next one's first) is drawn in whole seconds in the BUCKET_MS-wide bucket that holds it; the time
    before the first burst is no drawn value."""
    retiming, _ = drawn_moved(drawn_marks(drawn), seed)
    bucket = lambda ms: -(-ms // BUCKET_MS)  # noqa: E731
    if retiming.starts:  # the first burst: at the start, or FIRST_MS after it in every episode alike
        assert retiming.times[0] == (FIRST_MS if retiming.starts[0] > 0 else 0)
    for index in range(1, len(retiming.starts)):
        new = retiming.times[index] - retiming.times[index - 1] - retiming.drawn[index - 1]
        assert new > PAUSE_MS and new % PAUSE_STEP_MS == 0
        assert bucket(retiming.starts[index] - retiming.ends[index - 1]) <= bucket(new) <= \
            bucket(retiming.starts[index] - retiming.starts[index - 1])


@settings(max_examples=100, deadline=None)
@given(kinded, st.integers(0, 2**32))
def test_drawn_is_the_same_given_the_seed(drawn: list[tuple[int, str]], seed: int) -> None:
    marks = drawn_marks(drawn)
    assert drawn_moved(marks, seed)[1] == drawn_moved(marks, seed)[1]
