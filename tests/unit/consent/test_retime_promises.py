"""Re-timing's promises on generated episodes (consent/retime.py, issue 93): the steps' order in time is
kept, every time is a multiple of COARSE_MS, steps of one burst share a time, a pause stays a pause, and an
export's edit burst is neither split nor joined."""

from __future__ import annotations

import random
from itertools import accumulate, pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from collector.consent.retime import PAUSE_MS, Retiming
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
    return [retiming.at(t) for t, _ in marks]


@settings(max_examples=300, deadline=None)
@given(gaps, st.integers(0, 2**32))
def test_order_in_time_is_kept_and_every_time_is_in_100_ms_steps(drawn: list[tuple[int, bool]],
                                                                 seed: int) -> None:
    held = moved(marks_of(drawn), seed)
    assert all(a <= b for a, b in pairwise(held))
    assert all(t % COARSE_MS == 0 for t in held)


@settings(max_examples=300, deadline=None)
@given(gaps, st.integers(0, 2**32))
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
