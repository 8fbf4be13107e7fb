"""Clicking a timeline bin selects exactly the steps that bin counts."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from collector.report.timeline import Bin, TimelineView
from tests.examples import examples


@settings(max_examples=examples(300), deadline=None)
@given(span=st.integers(1, 10**8), fine_exp=st.integers(0, 20), count=st.integers(1, 300), data=st.data())
def test_every_time_a_bin_counts_is_inside_its_window(span: int, fine_exp: int, count: int,
                                                      data: st.DataObject) -> None:
    fine = 2**fine_exp
    view = TimelineView(span, [Bin() for _ in range(count)], [], 0, fine)
    windows = [view.window(slot) for slot in range(count)]
    assert windows[0][0] == 0 and windows[-1][1] >= span
    assert all(a[1] == b[0] for a, b in pairwise(windows))  # they tile the time
    t = data.draw(st.integers(0, span - 1))
    slot = min((t // fine) * fine * count // span, count - 1)  # how the view folds fine bins
    start, end = windows[slot]
    assert start <= t < end
