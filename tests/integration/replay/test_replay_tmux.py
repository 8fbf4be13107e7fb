"""The interactive player on a real terminal (tmux): play, pause, step, jump to the next failure (named),
a jump while playing pauses, quit."""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

from tests.fixtures.replay.episodes import write_bugfix
from tests.support.terminal import Terminal

STATUS = re.compile(r"(▶|❚❚|■) (\S+)x +step (\d+)/(\d+)")  # tmux comes with scripts/setup


def status(term: Terminal) -> tuple[str, int]:
    """The player's state mark and its step number, from its status line."""
    found = STATUS.search(term.screen())
    assert found is not None, term.screen()
    return found.group(1), int(found.group(3))


def test_play_pause_step_next_failure_jump_pauses_and_quit(tmp_path: Path) -> None:
    episode = write_bugfix(tmp_path / "bugfix.ctape")
    env = {**os.environ, "CODETAPE_HOME": str(tmp_path / "home"), "TZ": "UTC"}
    # after the player, the shell prints its status and keeps the pane (and so that line) on the screen
    command = (f"{sys.executable} -m collector replay {episode} --idle-limit 1; echo replay exited $?; "
               "sleep 60")
    term = Terminal(tmp_path / "tmux.sock")
    term.start(command, env, width=120, height=30)
    try:
        # play: it starts playing and moves on by itself
        term.wait(lambda screen: (found := STATUS.search(screen)) is not None and int(found.group(3)) >= 3,
                  "playback up to step 3")
        term.keys("Space")
        term.wait(lambda screen: "❚❚" in screen, "pause")
        state, paused_at = status(term)
        assert state == "❚❚" and 3 <= paused_at < 19
        # Kept: the scenario needs real time to pass while paused. Playing, the player would have moved on
        # by more than one step in 1.5 s (no two steps are more than 1 s apart with --idle-limit 1); there
        # is no event to wait for here, only the absence of one.
        time.sleep(1.5)  # kept: real time passing while paused (see above), not a wait
        assert status(term) == ("❚❚", paused_at)  # paused means paused
        term.keys(".")
        term.wait(lambda screen: f"step {paused_at + 1}/24" in screen, "one step")
        term.keys("f")
        # the status line and the event pane are drawn apart: wait for both (under load one lags)
        term.wait(lambda screen: "step 19/24" in screen and "test_run failed: test_zero (1 of 3)" in screen
                  and "next test failure" in screen and "─ test_calc.py ─" in screen
                  and "def test_zero():" in screen, "the next test failure, named, its file beside it")
        term.keys("Space")
        term.wait(lambda screen: "▶ 1x  step 2" in screen, "playing again")  # step 20 is 1 s later
        term.keys("F")  # a jump while playing: back to the failure, paused there
        term.wait(lambda screen: "❚❚ 1x  step 19/24" in screen and "previous test failure" in screen,
                  "the jump to pause playback, named")
        term.keys("q")
        term.wait(lambda screen: "replay exited 0" in screen, "the player to quit")
    finally:
        term.stop()


def test_the_plain_log_on_a_terminal_fits_its_width(tmp_path: Path) -> None:
    """Each line is cut at the terminal's width with … (piped, test_replay_cli checks every character)."""
    episode = write_bugfix(tmp_path / "bugfix.ctape")
    env = {**os.environ, "CODETAPE_HOME": str(tmp_path / "home"), "TZ": "UTC"}
    command = f"{sys.executable} -m collector replay --plain {episode}; echo replay exited $?; sleep 60"
    term = Terminal(tmp_path / "tmux.sock")
    term.start(command, env, width=70, height=40)
    try:
        screen = term.wait(lambda screen: "replay exited 0" in screen, "the log")
        lines = screen.split("replay exited")[0].splitlines()
        assert len(lines) == 25 and all(len(line) <= 70 for line in lines), screen  # no line wrapped
        failure = next(line for line in lines if line.startswith("19  "))
        assert len(failure) == 70 and failure.endswith("…") and "test_run" in failure, screen
    finally:
        term.stop()
