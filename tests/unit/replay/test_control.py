"""The player's controls on a fake clock: timing, idle limit, speed, pause, steps, seeks and jumps."""

from __future__ import annotations

import pytest

from collector.episode import open_episode
from collector.replay.control import Playback
from collector.replay.seek import Index
from tests.fixtures.replay.episodes import write_bugfix


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return Index.build(open_episode(write_bugfix(tmp_path_factory.mktemp("control") / "bugfix.ctape")))


def playback(index: Index, clock: Clock, first: int = 0, last: int | None = None, *, speed: float = 1.0,
             idle_limit: float | None = None, steps_per_tick: int = 5000) -> Playback:
    return Playback(index, first, index.count - 1 if last is None else last, clock=clock, speed=speed,
                    idle_limit=idle_limit, steps_per_tick=steps_per_tick)


def test_steps_come_when_their_recorded_delay_has_passed(index: Index) -> None:
    clock = Clock()
    player = playback(index, clock)
    assert player.position == 0 and not player.tick()  # not playing yet
    player.play()
    clock.now += 0.49
    assert not player.tick() and player.position == 0
    clock.now += 0.01
    assert player.tick() and player.position == 1  # open at 500 ms
    clock.now += 6.1  # 6.6 s in: the test run (4 s), the cursor (6 s) and the edit (6.5 s) are due
    assert player.tick() and player.position == 4
    assert player.seeker.step is not None and player.seeker.step.kind == "edit"


def test_the_idle_limit_shortens_long_pauses_and_speed_divides_every_delay(index: Index) -> None:
    clock = Clock()
    player = playback(index, clock, first=19, idle_limit=2.0, speed=2.0)
    player.play()  # step 20 comes 122 s after step 19: 2 s with the limit, 1 s at twice the speed
    clock.now += 0.99
    player.tick()
    assert player.position == 19
    clock.now += 0.01
    player.tick()
    assert player.position == 20
    clock.now += 0.5  # step 21 is 1 s later: 0.5 s at twice the speed
    player.tick()
    assert player.position == 21


def test_a_change_of_speed_keeps_the_time_already_waited(index: Index) -> None:
    clock = Clock()
    player = playback(index, clock, first=1)
    player.play()  # step 2 is due 3.5 s after step 1
    clock.now += 1.0
    player.faster()  # 3.5 s at 2x is 1.75 s, of which 1 s has passed
    assert player.speed == 2.0 and player.message == "speed 2x"
    clock.now += 0.74
    player.tick()
    assert player.position == 1
    clock.now += 0.01
    player.tick()
    assert player.position == 2
    player.slower()
    player.slower()
    assert player.speed == 0.5


def test_pause_holds_the_step_and_play_goes_on_from_it(index: Index) -> None:
    clock = Clock()
    player = playback(index, clock)
    player.play()
    clock.now += 0.5
    player.tick()
    player.toggle()
    assert not player.playing
    clock.now += 60
    assert not player.tick() and player.position == 1
    player.toggle()
    clock.now += 3.49
    player.tick()
    assert player.position == 1  # the wait for step 2 starts again at play
    clock.now += 0.01
    player.tick()
    assert player.position == 2


def test_playing_stops_at_the_end_of_the_window_and_plays_again_from_its_start(index: Index) -> None:
    clock = Clock()
    player = playback(index, clock, first=9, last=11)
    player.play()
    clock.now += 60
    player.tick()
    assert player.position == 11 and not player.playing and player.at_end
    assert player.message == "end: space plays again from the start"
    player.play()
    assert player.position == 9 and player.playing


def test_a_tick_that_falls_far_behind_moves_the_clock_instead_of_racing(index: Index) -> None:
    clock = Clock()
    player = playback(index, clock, steps_per_tick=3)
    player.play()
    clock.now += 1000
    player.tick()
    assert player.position == 3 and player.playing
    clock.now += 2.0  # step 4 is 0.5 s after step 3, step 5 0.4 s after that: timing restarted at 1000 s
    player.tick()
    assert player.position == 6


def test_stepping_pauses_and_stays_in_the_window(index: Index) -> None:
    clock = Clock()
    player = playback(index, clock, first=2, last=10)
    player.play()
    player.step(1)
    assert player.position == 3 and not player.playing
    player.step(-5)
    assert player.position == 2
    player.seek(50)
    assert player.position == 10


def test_seeking_by_time_and_by_share_of_the_window(index: Index) -> None:
    clock = Clock()
    player = playback(index, clock)
    player.seek(11)  # 12 s
    player.seek_time(5000)  # the last step at or before 17 s: 16.5 s
    assert player.position == 18
    player.seek_time(5000)  # 21.5 s: 18 s
    assert player.position == 19
    player.seek_time(5000)  # nothing until 140 s: still one step on
    assert player.position == 20
    player.seek(19)
    player.seek_time(-5000)  # 13 s
    assert player.position == 12
    player.seek_fraction(0.5)  # half of 144 s later: 85 s, and nothing between 18 s and 140 s
    assert player.position == 19
    player.seek_fraction(-0.1)  # 14.4 s earlier: 3.6 s
    assert player.position == 1


def test_jumps_find_the_next_and_previous_of_each_kind_within_the_window(index: Index) -> None:
    clock = Clock()
    player = playback(index, clock, last=18)
    assert player.jump("failures", 1) and player.position == 2 and player.message == "next test failure"
    assert not player.jump("failures", 1) and player.position == 2  # 19 is past --to
    assert player.message == "no later test failure"
    assert player.jump("commits", 1) and player.position == 11
    assert player.jump("markers", 1) and player.position == 12
    assert player.jump("switches", 1) and player.position == 14
    assert player.jump("switches", -1) and player.position == 1
    assert player.jump("markers", -1) and player.position == 0
    assert not player.jump("markers", -1) and player.message == "no earlier note or task marker"


def test_a_seek_or_a_jump_while_playing_pauses_there_and_play_goes_on_from_it(index: Index) -> None:
    clock = Clock()
    player = playback(index, clock)
    moves = [lambda: player.jump("commits", 1), lambda: player.seek_time(5000),
             lambda: player.seek_fraction(-0.1), lambda: player.seek(5)]
    for move in moves:
        player.play()
        move()
        shown = player.position
        assert not player.playing
        clock.now += 600
        assert not player.tick() and player.position == shown
    player.play()
    clock.now += 600
    assert player.tick() and player.position == index.count - 1
