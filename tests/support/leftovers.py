"""Collectors a test session left running: those holding the lock of a home below the session's
temporary folder (`run/collector.lock`), and those started by a process of this session elsewhere (their
environment carries the session's mark, which every process a test starts inherits, and their pid is
their home's `run/collector.pid`). tests/conftest.py fails the run when one is left, per pytest process:
each xdist worker has its own temporary folder and mark, and checks its own."""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

SESSION_ENV = "CT_TEST_SESSION"  # not CODETAPE_*: the end-to-end tests drop those from editors' environments
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


def leftovers(mark: str, below: Path | None = None) -> list[Leftover]:
    """The collectors running now that a process of the session `mark` started, or whose home is `below`."""
    found = {each.pid: each for each in _marked(mark)}
    if below is not None:
        found.update((each.pid, each) for each in _locked(below))
    return list(found.values())


def _marked(mark: str) -> list[Leftover]:
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


def _locked(below: Path) -> list[Leftover]:
    """The collectors holding the lock of a home below `below` (a home's `run/` beside its other folders)."""
    try:
        import fcntl  # POSIX only (the platform simulation's unit tier has none: nothing found there)
    except ImportError:
        return []
    found = []
    for folder, directories, files in os.walk(below):
        directories[:] = [name for name in directories if name not in (".git", "node_modules", ".venv")]
        if os.path.basename(folder) != "run" or "collector.lock" not in files:
            continue
        try:
            fd = os.open(os.path.join(folder, "collector.lock"), os.O_RDWR)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # held: a collector runs for this home
            pid = _pid_file(Path(folder).parent)
            if pid is not None:
                found.append(Leftover(pid, str(Path(folder).parent), ""))
        finally:
            os.close(fd)
    return found


def wait_for_none(mark: str, below: Path | None = None, timeout: float = EXIT_WAIT_S) -> list[Leftover]:
    """The collectors of the session still running after `timeout` seconds (ended then, so that none
    outlives the run)."""
    deadline = time.monotonic() + timeout
    while (left := leftovers(mark, below)) and time.monotonic() < deadline:
        time.sleep(0.2)  # the poll interval of this end-of-session check (bounded by `timeout`)
    for each in left:
        with contextlib.suppress(OSError):
            os.kill(each.pid, getattr(signal, "SIGKILL", signal.SIGTERM))
    return left


def _pid_file(home: Path) -> int | None:
    try:
        return int((home / "run" / "collector.pid").read_text().strip())
    except (OSError, ValueError):
        return None
