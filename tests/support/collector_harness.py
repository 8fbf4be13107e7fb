"""Real collector processes for the collector tests: start, talk, stop, look at what reached disk."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collector.episode import open_episode
from collector.errors import JournalError
from collector.home import Home
from collector.journal import JournalScanner, unpack_payload
from collector.platform.process import cpu_seconds
from collector.protocol.client import Client
from collector.workspace.registry import Registry
from tests.cli import codetape as codetape
from tests.cli import codetape_process as codetape_process
from tests.cli import environment as env_for  # this environment, CODETAPE_HOME=home, `env` on top
from tests.waiting import TIMEOUT_S, wait_for

STARTUP_S = 60.0
STUCK_S = 20.0  # a collector stopping without writing a log line or using CPU for this long is stuck
STOP_LIMIT_S = 300.0  # and one that has not stopped after this long, whatever it does


@dataclass
class Daemon:
    """One foreground `codetape collector` process started by a test."""

    home: Home
    proc: subprocess.Popen[bytes]
    log: Path

    def client(self) -> Client:
        return Client.connect(self.home, autostart=False, timeout=5.0)

    def stop(self, signum: int = signal.SIGTERM, stuck_s: float = STUCK_S) -> int:
        """Send `signum` and wait for the exit as long as the stop makes progress (its sealing: the log
        grows or the process has CPU time; a loaded machine is slow, not stuck); AssertionError after
        `stuck_s` seconds without either."""
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        last: tuple[int, float | None] | None = None
        stuck_at, limit = time.monotonic() + stuck_s, time.monotonic() + STOP_LIMIT_S
        while True:
            with contextlib.suppress(subprocess.TimeoutExpired):
                return self.proc.wait(0.2)
            progress = (self.log.stat().st_size, cpu_seconds(self.proc.pid))
            if progress != last:
                last, stuck_at = progress, time.monotonic() + stuck_s
            elif time.monotonic() > stuck_at or time.monotonic() > limit:
                tail = "\n".join(self.log_text().splitlines()[-5:])
                raise AssertionError(f"the collector's stop made no progress for {stuck_s:g} s (or took "
                                     f"{STOP_LIMIT_S:g} s):\n{tail}")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start_daemon(home: Path, *, check_ready: bool = True, env: Mapping[str, str] | None = None,
                 prefix: Sequence[str] = ()) -> Daemon:
    """A collector for CODETAPE_HOME `home`, its environment this process's plus `env`; `prefix`: a
    command that runs it (`prlimit --nofile=...`)."""
    home.mkdir(parents=True, exist_ok=True)
    # beside the home, unless the home is inside a workspace (a test of exactly that): the log would be a
    # file of the workspace, which the collector rightly records as one
    beside = home.parent if not (home.parent / ".codetape.toml").exists() else Path(tempfile.mkdtemp())
    log = beside / f"{home.name}-collector-{time.monotonic_ns()}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([*prefix, sys.executable, "-m", "collector", "collector"],
                                env=env_for(home, env), stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT)
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
def running(home: Path, env: Mapping[str, str] | None = None, prefix: Sequence[str] = ()) -> Iterator[Daemon]:
    daemon = start_daemon(home, env=env, prefix=prefix)
    try:
        yield daemon
    finally:
        if daemon.proc.poll() is None:
            daemon.stop()


def opt_in(root: Path, settings: str = "", *, home: Path) -> Path:
    """Opt `root` in as `codetape init` and `codetape trust` do for the user whose CODETAPE_HOME is `home`:
    its own `.codetape.toml` (0644) and an entry in that home's registry that accepts these settings.
    Returns the resolved root."""
    root.mkdir(parents=True, exist_ok=True)
    settings_file = root / ".codetape.toml"
    settings_file.write_text(settings, encoding="utf-8")
    settings_file.chmod(0o644)
    Registry(Home(home.resolve())).accept(root.resolve(), settings)
    return root.resolve()


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args], cwd=root,
                          check=True, capture_output=True, text=True)
    return done.stdout.strip()


def episode_steps(path: Path) -> list[dict[str, Any]]:
    return list(open_episode(Path(path)).step_dicts())


def every_byte_under(root: Path) -> bytes:
    """All bytes of every file under `root` (journals, episodes, logs, sockets skipped)."""
    chunks = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_socket():
            chunks.append(path.read_bytes())
    return b"".join(chunks)


SECRET = "zebra-quartz-7731-never-recorded"  # a word no redaction rule touches: only not reading it hides it


def outside_config(tmp_path: Path) -> Path:
    """A `~/.docker` stand-in beside the workspace (`tmp_path/dotdocker`): a config.json holding SECRET."""
    outside = tmp_path / "dotdocker"
    outside.mkdir()
    (outside / "config.json").write_text(f'{{"auths": {{"registry.example": "{SECRET}"}}}}\n')
    return outside


def journal_bytes(home: Path) -> bytes:
    """Every byte of the journals under CODETAPE_HOME `home`."""
    return b"".join(path.read_bytes() for path in sorted((home / "journals").glob("*.journal*")))


def decoded_episodes(home: Home) -> str:
    """The decompressed steps of every sealed episode, as text, to search for what must not be there."""
    return "".join(repr(episode_steps(p)) for p in sorted(home.episodes.glob("*.ctape")))


def send(client: Client, steps: list[dict[str, Any]], at: int) -> None:
    for offset, step in enumerate(steps):
        client.send_step(at + offset, step)


def settle(client: Client) -> None:
    """Wait until the collector processed everything this client sent before (requests are ordered)."""
    client.request("status")


def wait_capturing(client: Client, root: Path,
                   watchers: tuple[str, ...] = ("GitWatcher", "FileWatcher")) -> None:
    """Wait until the collector's git and file watchers run for the workspace at `root`."""
    root = root.resolve()

    def capture() -> list[str]:
        workspaces = client.request("status")["workspaces"]
        return next((list(w["capture"]) for w in workspaces if Path(w["root"]) == root), [])

    wait_for(lambda: set(watchers) <= set(capture()), what=f"the watchers of {root} to start",
             detail=lambda: f"running: {capture()}")


def journal_steps(home: Home, root: Path) -> list[dict[str, Any]]:
    """The steps the collector has recorded so far in the open episode of the workspace at `root`, read
    from its live journal (none when no episode is open)."""
    with Client.connect(home, autostart=False, timeout=10.0) as client:
        workspaces = client.request("status")["workspaces"]
    root = root.resolve()
    episode = next((w["episode"] for w in workspaces if Path(w["root"]) == root), None)
    if episode is None:
        return []
    try:
        frames = list(JournalScanner(home.journals / f"{episode}.journal").frames())
    except JournalError:  # sealed between the status and the read: nothing is open any more
        return []
    return [unpack_payload(frame) for frame in frames[1:]]  # frame 0 is the header


def wait_recorded(home: Home, root: Path, until: Callable[[list[dict[str, Any]]], object], what: str,
                  timeout: float = TIMEOUT_S) -> list[dict[str, Any]]:
    """Wait until the steps recorded for `root` so far satisfy `until`; returns them."""
    seen: list[dict[str, Any]] = []

    def recorded() -> bool:
        seen[:] = journal_steps(home, root)
        return bool(until(seen))

    wait_for(recorded, timeout, what, detail=lambda: f"recorded so far: {summary(seen)}")
    return seen


def written_to(step: dict[str, Any]) -> str:
    """The file a `file_change` leaves written: an atomic save (a temporary file renamed over it, as Claude
    Code's tools write) is recorded as the rename when the watcher saw the temporary file before it."""
    return str(step["new_path"] if step.get("change") == "renamed" else step["path"])


def summary(steps: list[dict[str, Any]]) -> list[str]:
    """Each step as its kind and, where it has one, its path or operation: enough to see what is missing."""
    return [":".join(str(s[key]) for key in ("kind", "path", "op", "change") if key in s) for s in steps]
