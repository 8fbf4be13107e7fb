"""The interactive player on a real terminal (tmux): play, pause, step, jump to the next failure, quit."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.fixtures.replay.episodes import write_bugfix

STATUS = re.compile(r"(▶|❚❚|■) (\S+)x +step (\d+)/(\d+)")  # tmux comes with scripts/setup


class Terminal:
    def __init__(self, socket: Path) -> None:
        self.socket = str(socket)

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True, timeout=30,
                              check=True)
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def status(self) -> tuple[str, int]:
        found = STATUS.search(self.screen())
        assert found is not None, self.screen()
        return found.group(1), int(found.group(3))

    def wait(self, ready: Callable[[str], bool], what: str, seconds: float = 30) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            screen = self.screen()
            if ready(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"no {what} after {seconds} s:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", *keys)


def test_play_pause_step_next_failure_and_quit(tmp_path: Path) -> None:
    episode = write_bugfix(tmp_path / "bugfix.ctape")
    env = {**os.environ, "CODETAPE_HOME": str(tmp_path / "home"), "TZ": "UTC"}
    command = (f"{sys.executable} -m collector replay {episode} --idle-limit 1; echo replay exited $?; "
               "sleep 60")
    term = Terminal(tmp_path / "tmux.sock")
    start = ["tmux", "-S", term.socket, "new-session", "-d", "-x", "120", "-y", "30", command]
    subprocess.run(start, env=env, check=True, timeout=30)
    try:
        # play: it starts playing and moves on by itself
        term.wait(lambda screen: (found := STATUS.search(screen)) is not None and int(found.group(3)) >= 3,
                  "playback up to step 3")
        term.keys("Space")
        term.wait(lambda screen: "❚❚" in screen, "pause")
        state, paused_at = term.status()
        assert state == "❚❚" and 3 <= paused_at < 19
        time.sleep(1.5)
        assert term.status() == ("❚❚", paused_at)  # paused means paused
        term.keys(".")
        term.wait(lambda screen: f"step {paused_at + 1}/24" in screen, "one step")
        term.keys("f")
        screen = term.wait(lambda screen: "step 19/24" in screen, "the next test failure")
        assert "next test failure" in screen and "test_run 2 passed 1 failed" in screen
        assert "─ test_calc.py ─" in screen and "def test_zero():" in screen
        term.keys("Space")
        term.wait(lambda screen: "▶ 1x  step 2" in screen, "playing again")  # step 20 is 1 s later
        term.keys("q")
        term.wait(lambda screen: "replay exited 0" in screen, "the player to quit")
    finally:
        subprocess.run(["tmux", "-S", term.socket, "kill-server"], capture_output=True, timeout=30,
                       check=False)
