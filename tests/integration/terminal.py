"""A real terminal for tests that drive a full-screen program: one tmux server on its own socket."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path


class Terminal:
    """One tmux server on its own socket, with one window running a command."""

    def __init__(self, socket: Path) -> None:
        self.socket = str(socket)

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True, timeout=30,
                              check=True)
        return done.stdout

    def start(self, command: str, env: dict[str, str], width: int = 160, height: int = 45) -> None:
        subprocess.run(["tmux", "-S", self.socket, "new-session", "-d", "-x", str(width), "-y", str(height),
                        command], env=env, check=True, timeout=30)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def wait(self, ready: Callable[[str], bool], what: str, seconds: float = 60) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            screen = self.screen()
            if ready(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"no {what} after {seconds} s:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", *keys)

    def stop(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True, timeout=30,
                       check=False)
