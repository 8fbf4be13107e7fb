"""How long the collector waits for a seal-ahead process to finish: by the CPU time it used, so that a
healthy process starved by a loaded machine is waited for, and a stuck one (spinning, or using no CPU at
all) is not; the wall clock bounds only what trickles CPU forever, and is all there is where the
process's CPU time is not known."""

from __future__ import annotations

import os

from collector.daemon.ahead import STUCK_S, WALL_TIMES, Patience
from collector.platform.process import cpu_seconds

BOUND = 11.0  # `finish_timeout` of a small journal


def test_a_starved_process_is_waited_for_past_the_bound_on_the_wall_clock() -> None:
    """On a loaded machine the niced process gets a few percent of a core: 40 s of wall clock, 1.6 s of
    CPU, still far from the bound; the old wall-clock bound gave up after 11 s."""
    patience = Patience(BOUND, 0.0, 100.0)
    for second in range(1, 41):
        assert patience.given_up(float(second), 100.0 + 0.04 * second) is None


def test_a_spinning_process_is_given_up_once_it_used_the_bound_in_cpu() -> None:
    patience = Patience(BOUND, 0.0, 100.0)
    assert patience.given_up(10.0, 110.0) is None
    why = patience.given_up(12.0, 111.5)
    assert why == "it did not finish in 12 s, having used 12 s of CPU, more than a seal from scratch needs"


def test_a_process_using_no_cpu_is_given_up_after_stuck_s() -> None:
    """Stopped or deadlocked: no CPU at all since `finish` asked, or since it last used some."""
    patience = Patience(BOUND, 0.0, 100.0)
    assert patience.given_up(STUCK_S - 0.5, 100.0) is None
    assert patience.given_up(STUCK_S, 100.0) == f"it did not finish in {STUCK_S:.0f} s, using no CPU for " \
                                                f"the last {STUCK_S:.0f} s"
    later = Patience(BOUND, 0.0, 100.0)
    assert later.given_up(5.0, 101.0) is None
    assert later.given_up(5.0 + STUCK_S - 0.5, 101.0) is None
    assert later.given_up(5.0 + STUCK_S, 101.0) is not None


def test_a_process_trickling_cpu_is_given_up_on_the_wall_clock() -> None:
    patience = Patience(BOUND, 0.0, 100.0)
    end = WALL_TIMES * BOUND
    second = 1.0
    while second < end:
        assert patience.given_up(second, 100.0 + 0.01 * second) is None
        second += 1.0
    assert patience.given_up(end, 100.0 + 0.01 * end) == f"it did not finish in {end:.0f} s"


def test_where_cpu_time_is_not_known_the_bound_is_the_wall_clock() -> None:
    patience = Patience(BOUND, 0.0, None)
    assert patience.given_up(BOUND - 0.5, None) is None
    assert patience.given_up(BOUND, None) == f"it did not finish in {BOUND:.0f} s"


def test_a_process_that_just_ended_is_read_not_given_up() -> None:
    patience = Patience(BOUND, 0.0, 100.0)
    assert patience.given_up(STUCK_S + 1, None) is None


def test_cpu_seconds_counts_this_process_s_cpu_time() -> None:
    used = cpu_seconds(os.getpid())
    times = os.times()
    assert used is not None and abs(used - (times.user + times.system)) < 0.05
    assert cpu_seconds(2**22 + 1) is None  # above Linux's pid_max: no such process
