"""Real collector processes for the collector tests: start, talk, stop, look at what reached disk."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collector.episode import open_episode
from collector.home import Home
from collector.protocol.client import Client

STARTUP_S = 20.0


def env_for(home: Path) -> dict[str, str]:
    return {**os.environ, "CODETAPE_HOME": str(home)}


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@dataclass
class Daemon:
    """One foreground `codetape collector` process started by a test."""

    home: Home
    proc: subprocess.Popen[bytes]
    log: Path

    def client(self) -> Client:
        return Client.connect(self.home, autostart=False, timeout=5.0)

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        return self.proc.wait(timeout)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start_daemon(home: Path, *, check_ready: bool = True) -> Daemon:
    home.mkdir(parents=True, exist_ok=True)
    log = home.parent / f"{home.name}-collector-{time.monotonic_ns()}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "collector", "collector"], env=env_for(home),
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    daemon = Daemon(Home(home.resolve()), proc, log)
    if check_ready:
        def ready() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"collector exited {proc.returncode}: {daemon.log_text()}")
            with contextlib.suppress(Exception):
                daemon.client().close()
                return True
            return False
        wait_for(ready, STARTUP_S, "the collector to listen")
    return daemon


@contextlib.contextmanager
def running(home: Path) -> Iterator[Daemon]:
    daemon = start_daemon(home)
    try:
        yield daemon
    finally:
        if daemon.proc.poll() is None:
            daemon.stop()


def opt_in(root: Path, settings: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / ".codetape.toml").write_text(settings, encoding="utf-8")
    return root.resolve()


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args], cwd=root,
                          check=True, capture_output=True, text=True)
    return done.stdout.strip()


def codetape(home: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "collector", *args], env=env_for(home), cwd=cwd,
                          capture_output=True, text=True, timeout=60, check=False)


def episode_steps(path: Path) -> list[dict[str, Any]]:
    return list(open_episode(Path(path)).step_dicts())


def every_byte_under(root: Path) -> bytes:
    """All bytes of every file under `root` (journals, episodes, logs, sockets skipped)."""
    chunks = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_socket():
            chunks.append(path.read_bytes())
    return b"".join(chunks)


def decoded_episodes(home: Home) -> str:
    """The decompressed steps of every sealed episode, as text, to search for what must not be there."""
    return "".join(repr(episode_steps(p)) for p in sorted(home.episodes.glob("*.ctape")))


def send(client: Client, steps: list[dict[str, Any]], at: int) -> None:
    for offset, step in enumerate(steps):
        client.send_step(at + offset, step)


def settle(client: Client) -> None:
    """Wait until the collector processed everything this client sent before (requests are ordered)."""
    client.request("status")
