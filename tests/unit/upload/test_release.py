"""What one upload run sends of the items with a random time (collector/due.py), on an injected clock and
injected randomness: nothing that waited while the laptop was closed leaves as it opens, at most one timed
item leaves a run and none beside an attributed episode, and the fresh delays halve down to a floor, so an
often-closed laptop still sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from collector.due import (
    DEFAULT_BOUND_S,
    FLOOR_S,
    GRACE_S,
    TOP_UP,
    Due,
    due,
    due_path,
    halved,
    next_due,
    release,
    revocation_name,
    schedule,
)
from collector.home import Home

T = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # the laptop opens
SIX_H = 6 * 3600


def at_most(n: int) -> int:
    """The largest draw: every fresh time as late as its bound allows (the worst case for sending)."""
    return n - 1


def put(home: Home, name: str, at: datetime, bound_s: int = SIX_H) -> None:
    home.ensure(home.outbox)
    due_path(home, name).write_text(f"{at.isoformat()}\n{bound_s}\n", encoding="ascii")


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "home")


def test_episodes_whose_times_passed_while_the_laptop_was_closed_do_not_leave_as_it_opens(home: Home) -> None:
    """Issue 52's three, drawn 65 to 162 minutes apart, all past when the laptop opens: none leaves in its
    first run; each draws a fresh time within half its bound, each its own."""
    for name, minutes in (("a", 162), ("b", 97), ("c", 32)):
        put(home, name, T - timedelta(minutes=minutes))
    draws = iter([600, 4000, 9000])
    done = release(home, ["a", "b", "c"], T, draw=lambda n: next(draws))
    assert done.send == [] and done.redrawn == 3
    assert [at for _, at in done.waiting] == [T + timedelta(seconds=s) for s in (600, 4000, 9000)]
    for name in ("a", "b", "c"):
        found = due(home, name)
        assert found is not None and found.bound_s == SIX_H // 2 and found.at > T
    assert next_due(home.outbox, T) == T + timedelta(seconds=600)


def test_at_most_one_timed_item_leaves_a_run_the_first_due_and_the_others_draw_again(home: Home) -> None:
    put(home, "episode-1", T - timedelta(seconds=30))
    put(home, "episode-2", T - timedelta(seconds=5))
    put(home, revocation_name("episode-3"), T - timedelta(seconds=1))
    put(home, TOP_UP, T - timedelta(seconds=60))
    put(home, "later", T + timedelta(hours=1))
    done = release(home, ["episode-1", "episode-2", revocation_name("episode-3"), TOP_UP, "later"], T,
                   draw=at_most)
    assert done.send == [TOP_UP]  # the one whose time came first
    assert done.redrawn == 3
    assert all(at > T for _, at in done.waiting) and len(done.waiting) == 4
    assert due(home, "later") == Due(T + timedelta(hours=1), SIX_H)  # not yet due: untouched


def test_nothing_timed_leaves_beside_an_attributed_episode(home: Home) -> None:
    """An attributed episode names its signer: an unlinkable one arriving with it would be named too."""
    put(home, "unlinkable", T - timedelta(seconds=1))
    done = release(home, ["attributed", "unlinkable"], T, draw=at_most)
    assert done.send == ["attributed"]
    assert done.waiting == [("unlinkable", T + timedelta(seconds=SIX_H // 2))]


def test_an_item_on_time_leaves_one_past_the_grace_draws_again(home: Home) -> None:
    put(home, "on-time", T - timedelta(seconds=GRACE_S))
    assert release(home, ["on-time"], T, draw=at_most).send == ["on-time"]
    put(home, "late", T - timedelta(seconds=GRACE_S + 1))
    done = release(home, ["late"], T, draw=at_most)
    assert done.send == [] and done.redrawn == 1


def test_the_bound_halves_to_the_floor_and_a_laptop_open_ten_minutes_a_day_sends_by_its_sixth_opening(
        home: Home) -> None:
    """The worst case: each fresh time drawn as late as it can be, the laptop open 10 minutes a day. The
    drain runs as it opens and at the item's time if that falls while it is open."""
    assert [halved(b) for b in (SIX_H, 10800, 5400, 2700, 1350, 900, 60, 0)] == [
        10800, 5400, 2700, 1350, FLOOR_S, FLOOR_S, 60, 0]
    put(home, "episode", T - timedelta(hours=1))
    for opening in range(1, 10):
        opened = T + timedelta(days=opening - 1)
        if release(home, ["episode"], opened, draw=at_most).send:
            break
        found = due(home, "episode")
        assert found is not None
        awake = found.at <= opened + timedelta(minutes=10)  # its time comes while the laptop is open
        if awake and release(home, ["episode"], found.at, draw=at_most).send:
            break
    assert opening == 6


def test_a_bound_of_zero_means_no_delay_and_now_sends_everything(home: Home) -> None:
    """`upload_delay_max_s = 0`: the contributor chose no delay. `upload --now`: all at once."""
    assert schedule(home, "undelayed", 0, T) == T
    put(home, "a", T + timedelta(hours=1))
    put(home, "b", T - timedelta(hours=1))
    assert release(home, ["undelayed", "a"], T + timedelta(hours=2), draw=at_most).send == ["undelayed"]
    assert release(home, ["a", "b"], T, at_once=True, draw=at_most).send == ["a", "b"]


def test_schedule_draws_within_the_bound_and_a_file_without_one_reads_as_six_hours(home: Home) -> None:
    assert schedule(home, "x", 3600, T, draw=at_most) == T + timedelta(seconds=3600)
    found = due(home, "x")
    assert found is not None and found.bound_s == 3600
    home.ensure(home.outbox)
    due_path(home, "old").write_text(T.isoformat() + "\n", encoding="ascii")  # as written before bounds
    old = due(home, "old")
    assert old is not None and old.at == T and old.bound_s == DEFAULT_BOUND_S
