"""The background upload: when a destination is configured, drain the outbox after each signing and at
start, by running `codetape upload --quiet` as a child process, one at a time.

A child process, not a call: uploading needs the consent layer (signature checks, keys), which sits above
the daemon, and boto3 and the network stay out of the recording process, so a slow or hung store can
never hold up a step. The daemon only watches the outbox and config.toml (one stat each per tick) and
starts the child on the event loop; the child's own `[upload] concurrency` bounds its transfers, its
retries are botocore's, and a failed run is tried again later, backing off (30 s doubling to 30 min).
An item waiting for its random time (collector/due.py: an unlinkable episode, a revocation's record, a
top-up of episode keys) makes the drain run again when the earliest such time comes, on the wall clock
(`clock`): a machine suspended past that time runs it at its first tick awake (the monotonic clock, which
the retries use, stands still while it sleeps), and that run, finding the items it slept through late,
draws each a fresh time rather than sending them together as the machine wakes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections.abc import Sequence
from datetime import datetime

from collector.due import next_due
from collector.errors import SettingsError
from collector.home import Home
from collector.platform.process import CRASH_SIGNALS
from collector.policy.config import load_config
from collector.protocol.clock import Clock, utc_now
from collector.protocol.spawn import python_command
from collector.safe_urls import safe_text

log = logging.getLogger("codetape.collector")
FIRST_RETRY_S = 30.0
LAST_RETRY_S = 30 * 60.0
STOP_WAIT_S = 5.0
# the signals faulthandler reports (collector/protocol/crashes.py): a run they end leaves its stack here


def upload_command() -> list[str]:
    return python_command("collector", "upload", "--quiet")


class BackgroundUpload:
    """Starts the drain when the outbox or config.toml changed, or when a failed run is due again."""

    def __init__(self, home: Home, *, command: Sequence[str] | None = None, clock: Clock = utc_now) -> None:
        self.home, self.clock = home, clock
        self.command = list(command) if command is not None else upload_command()
        self.task: asyncio.Task[None] | None = None
        self.process: asyncio.subprocess.Process | None = None
        self._seen: tuple[int, int] | None = None
        self._retry_at: float | None = None  # a failed run's retry (monotonic)
        self._due_at: datetime | None = None  # the earliest unlinkable episode's upload time (wall clock)
        self._backoff = FIRST_RETRY_S
        self.failure: str | None = None  # why the last run failed (its last line); None after a success

    @property
    def pending(self) -> bool:
        """Whether an upload runs, or is to run again (a failed run's retry, an item's drawn time)."""
        return (self.task is not None and not self.task.done()) or self._retry_at is not None or \
            self._due_at is not None

    def poke(self) -> None:
        """Called on every tick of the collector's loop; cheap unless something changed."""
        if self.task is not None and not self.task.done():
            return
        stamp = (_mtime(self.home.outbox), _mtime(self.home.config))
        due = ((self._retry_at is not None and time.monotonic() >= self._retry_at)
               or (self._due_at is not None and self.clock() >= self._due_at))
        if stamp == self._seen and not due:
            return
        self._seen, self._retry_at, self._due_at = stamp, None, None
        if stamp[0] and self._configured():
            self.task = asyncio.create_task(self._run())

    def _configured(self) -> bool:
        try:
            upload = load_config(self.home).upload
            return upload.to is not None or bool(upload.route)
        except SettingsError as exc:
            log.error("background upload: %s", exc)
            return False

    async def _run(self) -> None:
        env = {**os.environ, "CODETAPE_HOME": str(self.home.root)}
        try:
            self.process = await asyncio.create_subprocess_exec(
                *self.command, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE, env=env)
        except OSError as exc:
            log.error("background upload could not start: %s", exc)
            return
        assert self.process.stderr is not None
        log.info("background upload started (pid %d)", self.process.pid)
        last = ""
        while line := await self.process.stderr.readline():
            last = safe_text(line.decode("utf-8", "replace").rstrip()[:2000]) or last
            log.warning("background upload: %s", last)
        code = await self.process.wait()
        if code == 0:
            log.info("background upload done")
            self._backoff = FIRST_RETRY_S
            self.failure = None
            self._due_at = next_due(self.home.outbox, self.clock())
            return
        said = last.removeprefix("codetape: ") or f"codetape upload exited with status {code}"
        self.failure = _died(code) or said
        log.warning("background upload failed (exit %d); trying again in %.0f s", code, self._backoff)
        self._retry_at = time.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, LAST_RETRY_S)

    async def stop(self) -> None:
        """End a running upload (it resumes next time) and wait for it, briefly."""
        process, task = self.process, self.task
        if task is None or task.done() or process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_WAIT_S)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await task


def _died(code: int) -> str | None:
    """What a run ended by a signal says: after a crash its last line is only the last line of its stack,
    which is in this log (collector/protocol/crashes.py)."""
    if code >= 0:
        return None
    try:
        ended = signal.Signals(-code)
    except ValueError:
        return f"codetape upload was ended by signal {-code}"
    if ended in CRASH_SIGNALS:
        return f"codetape upload crashed ({ended.name}); its stack is in the collector's log"
    return f"codetape upload was ended by {ended.name}"


def _mtime(path: os.PathLike[str]) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return 0
