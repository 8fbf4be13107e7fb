"""Collectors a test session left running: each started by a process of this session (its environment
carries the session's mark, which every process a test starts inherits) and still its home's collector
(the pid in its home's `run/collector.pid`). tests/conftest.py fails the run when one is left, per pytest
process: each xdist worker marks and checks its own."""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

SESSION_ENV = "CODETAPE_TEST_SESSION"
EXIT_WAIT_S = 15.0  # a collector whose stop was asked at a test's end may still be sealing


@dataclass(frozen=True)
class Leftover:
    pid: int
    home: str
    started_by: str

    def __str__(self) -> str:
        return f"pid {self.pid}, CODETAPE_HOME={self.home} ({self.started_by or 'started in the foreground'})"


def mark_session() -> str:
    """Mark this process's environment, and so every process its tests start, as this session's."""
    mark = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
    os.environ[SESSION_ENV] = mark
    return mark


def leftovers(mark: str) -> list[Leftover]:
    """The collectors running now that a process of the session `mark` started."""
    import psutil  # (only at the session's end: the platform simulation's unit tier imports this module)

    found = []
    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.Error, OSError):
            environ = proc.environ()
            if environ.get(SESSION_ENV) != mark or proc.pid == os.getpid():
                continue
            home = environ.get("CODETAPE_HOME")
            if not home or proc.status() == psutil.STATUS_ZOMBIE:
                continue
            if _pid_file(Path(home)) == proc.pid:
                found.append(Leftover(proc.pid, home, environ.get("CODETAPE_STARTED_BY", "")))
    return found


def wait_for_none(mark: str, timeout: float = EXIT_WAIT_S) -> list[Leftover]:
    """The collectors of the session still running after `timeout` seconds (ended then, so that none
    outlives the run)."""
    deadline = time.monotonic() + timeout
    while (left := leftovers(mark)) and time.monotonic() < deadline:
        time.sleep(0.2)
    for each in left:
        with contextlib.suppress(OSError):
            os.kill(each.pid, getattr(signal, "SIGKILL", signal.SIGTERM))
    return left


def _pid_file(home: Path) -> int | None:
    try:
        return int((home / "run" / "collector.pid").read_text().strip())
    except (OSError, ValueError):
        return None
