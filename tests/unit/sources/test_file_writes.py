"""Files still being written (collector/sources/files/writes.py): read once their writer closes them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collector.sources.files.writes import WAIT_S, Writes


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def writes() -> tuple[Writes, Clock]:
    clock = Clock()
    return Writes(closes=True, clock=clock), clock


def test_a_file_written_in_place_is_read_once_its_writer_closes_it() -> None:
    held, clock = writes()
    held.saw("created", "two.ipynb")  # open(O_CREAT): empty until the write
    assert held.wait("two.ipynb", size=0) == WAIT_S
    held.saw("modified", "two.ipynb")
    clock.now += 0.3
    assert held.wait("two.ipynb", size=40) == pytest.approx(WAIT_S - 0.3)  # half written: wait for the close
    held.saw("closed", "two.ipynb")
    assert held.wait("two.ipynb", size=80) == 0 and held.held() == []


def test_a_writer_that_never_closes_is_read_after_the_wait_and_waited_for_again_at_its_next_write() -> None:
    held, clock = writes()
    held.saw("modified", "app.log")
    clock.now += WAIT_S
    assert held.wait("app.log", size=10) == 0 and held.held() == []
    held.saw("modified", "app.log")
    assert held.wait("app.log", size=20) == WAIT_S


def test_a_file_created_whole_has_no_writer_to_wait_for() -> None:
    """Moved in from outside the workspace, or a hard link: `created` with its content, and no close."""
    held, _ = writes()
    held.saw("created", "moved_in.py")
    assert held.wait("moved_in.py", size=12) == 0 and held.held() == []


def test_a_file_moved_while_written_is_waited_for_at_its_new_path() -> None:
    held, _ = writes()
    held.saw("modified", "a.tmp")
    held.saw("moved", "a.tmp", "a.py")
    assert held.held() == ["a.py"] and held.wait("a.tmp", size=0) == 0
    held.saw("closed", "a.py")
    assert held.wait("a.py", size=3) == 0


def test_where_closes_are_not_reported_nothing_waits() -> None:
    held = Writes(closes=False)
    held.saw("modified", "a.py")
    assert held.wait("a.py", size=1) == 0 and held.held() == []


EVENTS = st.lists(st.tuples(st.sampled_from(["created", "modified", "closed", "deleted", "moved_in",
                                             "moved_out", "tick"]), st.integers(0, 1)), max_size=30)


@given(EVENTS)
def test_every_order_of_events_waits_only_while_a_write_is_open_and_never_longer_than_the_wait(
        events: list[tuple[str, int]]) -> None:
    """The model: a path is being written from its first write (or its creation, while empty) after its
    last close until that close, a deletion, a move away, or WAIT_S later; any arrival order of the
    events a real writer and other programs make holds to it."""
    held, clock = writes()
    opened: float | None = None
    written = False
    for kind, size in events:
        match kind:
            case "tick":
                clock.now += 0.4
            case "created":
                held.saw("created", "f")
                opened, written = (clock.now, False) if opened is None else (opened, written)
            case "modified":
                held.saw("modified", "f")
                opened, written = (clock.now if opened is None else opened), True
            case "closed" | "deleted":
                held.saw(kind, "f")
                opened = None
            case "moved_out":
                held.saw("moved", "f", "elsewhere")
                held.forget("elsewhere")
                opened = None
            case "moved_in":
                held.saw("moved", "elsewhere", "f")
                opened = None
        wait = held.wait("f", size=size)
        expected = 0.0 if opened is None or clock.now - opened >= WAIT_S or (not written and size) \
            else opened + WAIT_S - clock.now
        assert abs(wait - expected) < 1e-9, (events, wait, expected)
        if wait == 0:
            opened = None
        assert 0 <= wait <= WAIT_S
