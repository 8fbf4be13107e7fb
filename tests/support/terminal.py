"""A real terminal for tests that drive a full-screen program: one tmux server on its own socket; and a
pseudo-terminal as stderr, for tests of what a command shows only on a terminal (progress bars)."""

from __future__ import annotations

import contextlib
import os
import pty
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import psutil

from tests.waiting import TIMEOUT_S, wait_for


class Terminal:
    """One tmux server on its own socket, with one window running a command."""

    def __init__(self, socket: Path) -> None:
        self.socket = str(socket)

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True, timeout=30,
                              check=True)
        return done.stdout

    def start(self, command: str, env: dict[str, str], width: int = 160, height: int = 45) -> None:
        """Start the server (no configuration read) with one window of `width` x `height` running `command`.
        COLUMNS and LINES are left out of its environment: the program takes its size from the terminal
        (pytest-xdist's workers set them to 80 x 24, which a full-screen program would believe)."""
        env = {name: value for name, value in env.items() if name not in ("COLUMNS", "LINES")}
        subprocess.run(["tmux", "-S", self.socket, "-f", "/dev/null", "new-session", "-d", "-x", str(width),
                        "-y", str(height), command], env=env, check=True, timeout=30)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def wait(self, ready: Callable[[str], bool], what: str, seconds: float = TIMEOUT_S) -> str:
        """The screen, once `ready` holds for it."""
        def shown() -> str | None:
            screen = self.screen()
            return screen if ready(screen) else None

        return wait_for(shown, seconds, what, detail=lambda: f"the screen:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", *keys)

    def stop(self) -> None:
        """End the server, and wait until what ran in it is gone (an editor, and the bridge it started: a
        collector a test stops next must not outlive them, or a bridge would start another)."""
        started = self._running()
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True, timeout=30,
                       check=False)
        _gone, alive = psutil.wait_procs(started, timeout=TIMEOUT_S)
        assert not alive, f"still running {TIMEOUT_S:g} s after the terminal closed: {alive}"

    def _running(self) -> list[psutil.Process]:
        """The processes of the server's panes and all they started."""
        try:
            panes = self.tmux("list-panes", "-a", "-F", "#{pane_pid}").split()
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError):
            return []
        found: list[psutil.Process] = []
        for pid in panes:
            with contextlib.suppress(psutil.Error):
                pane = psutil.Process(int(pid))
                found += [pane, *pane.children(recursive=True)]
        return found


def stderr_on_a_terminal(command: list[str], env: dict[str, str],
                         timeout: float = 120) -> tuple[subprocess.CompletedProcess[bytes], bytes]:
    """Run `command` with stdout piped and stderr on a pseudo-terminal; (the run, what the terminal got)."""
    leader, follower = pty.openpty()
    seen = bytearray()

    def drain() -> None:
        with contextlib.suppress(OSError):
            while chunk := os.read(leader, 4096):
                seen.extend(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=follower, env=env, timeout=timeout,
                              check=False)
    finally:
        os.close(follower)
        reader.join(timeout=10)
        os.close(leader)
    return done, bytes(seen)
