"""Moments as people write them (`12`, `90s`, `2m`, `1:30`, `start`, `end`) and the steps they name."""

from __future__ import annotations

import pytest

from collector.errors import UsageError
from collector.replay.moment import Moment, first_index, parse_moment, state_index, window

TIMES = [0, 500, 4000, 90_000, 90_000, 150_000]


@pytest.mark.parametrize(("text", "expected"), [
    ("12", Moment("12", step=12)),
    ("0", Moment("0", step=0)),
    ("90s", Moment("90s", ms=90_000)),
    ("1.5s", Moment("1.5s", ms=1500)),
    ("250ms", Moment("250ms", ms=250)),
    ("2m", Moment("2m", ms=120_000)),
    ("1h", Moment("1h", ms=3_600_000)),
    ("1:30", Moment("1:30", ms=90_000)),
    ("1:30.25", Moment("1:30.25", ms=90_250)),
    ("1:02:03", Moment("1:02:03", ms=3_723_000)),
    ("0:00", Moment("0:00", ms=0)),
    (" END ", Moment(" END ", edge="end")),
    ("start", Moment("start", edge="start")),
])
def test_forms(text: str, expected: Moment) -> None:
    assert parse_moment(text) == expected


@pytest.mark.parametrize("text", ["", "-1", "1:75", "1:60:00", "1.2.3s", "5 s", "2d", "90x", "s", "1:2:3:4"])
def test_refused_forms_name_the_flag_and_the_accepted_forms(text: str) -> None:
    with pytest.raises(UsageError, match=r"^--from .* is not a step \(12\), a time \(90s, 2m, 1:30\) or "):
        parse_moment(text, "--from")


def test_a_time_names_the_state_after_the_last_step_at_or_before_it() -> None:
    assert state_index(parse_moment("0s"), TIMES) == 0
    assert state_index(parse_moment("499ms"), TIMES) == 0
    assert state_index(parse_moment("500ms"), TIMES) == 1
    assert state_index(parse_moment("1:30"), TIMES) == 4  # both steps at 90 s
    assert state_index(parse_moment("1h"), TIMES) == 5
    assert state_index(parse_moment("start"), TIMES) == -1
    assert state_index(parse_moment("end"), TIMES) == 5
    assert state_index(parse_moment("3"), TIMES) == 3
    assert state_index(parse_moment("0s"), [100, 200]) == -1  # before the first step


def test_a_step_past_the_end_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"^B 6 is past the last step \(0 to 5\)$"):
        state_index(parse_moment("6"), TIMES, "B")


def test_a_window_starts_at_the_first_step_at_or_after_its_time() -> None:
    assert first_index(parse_moment("1s"), TIMES) == 2
    assert first_index(parse_moment("90s"), TIMES) == 3
    assert first_index(parse_moment("start"), TIMES) == 0
    assert window(TIMES, parse_moment("1s"), parse_moment("1:30")) == (2, 4)
    assert window(TIMES, None, None) == (0, 5)
    assert window(TIMES, parse_moment("end"), None) == (5, 5)
    with pytest.raises(UsageError, match=r"^--from 3m is after the last step \(at 150000 ms\)$"):
        window(TIMES, parse_moment("3m"), None)
    with pytest.raises(UsageError, match=r"^--to 2 comes before --from 4$"):
        window(TIMES, parse_moment("4"), parse_moment("2"))
    with pytest.raises(UsageError, match="no steps"):
        window([], None, None)
