"""Whether what a shell spooled has reached the collector, so that a step sent next comes after it.

The shell hook appends each command's record to `run/shell-PID.spool` once the command ended; the shell's
recorder claims the spool by renaming it (`shell-PID.spool.RECORDER.taken`) and removes the claimed file
once the collector answered after its records (recorder.py). A client that records something of the next
prompt (`codetape run`, a bare `pytest`'s test run) first waits until neither is left, at most
DELIVERY_WAIT_S, and not while the shell's recorder is gone (nobody would send them).

The pytest plugin cannot import codetape's package, so it loads this file by path, as it loads
protocol/wire.py: the standard library only, Python 3.8 and later.
"""

from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time (the plugin's start-up pays for every import)
    from collections.abc import Callable, Mapping

DELIVERY_WAIT_S = 5.0
SHELL_PID_ENV = "CODETAPE_SHELL_PID"  # exported by the shell hook: the interactive shell's pid


def shell_pid(environ: Mapping[str, str], parent: int) -> int:
    """The pid of the shell whose earlier records a step waits for: the one the hook named, else the
    parent process (the shell that ran this command)."""
    named = environ.get(SHELL_PID_ENV, "")
    return int(named) if named.isdigit() else parent


def wait_delivered(run_dir: str, pid: int, *, alive: Callable[[int], bool] | None = None,
                   timeout: float = DELIVERY_WAIT_S) -> None:
    """Wait until what the shell `pid` spooled in `run_dir` so far has reached the collector (see above);
    `alive` says whether a process lives (this module's own on POSIX; none on Windows: no wait)."""
    alive = alive if alive is not None else _alive
    spool = os.path.join(run_dir, f"shell-{pid}.spool")
    deadline = time.monotonic() + timeout
    while os.path.exists(spool) or _claimed(run_dir, os.path.basename(spool)):
        if time.monotonic() > deadline or not _recorder_alive(run_dir, pid, alive):
            return
        time.sleep(0.01)


def _claimed(run_dir: str, spool: str) -> bool:
    """Whether a recorder's claim of the spool (`SPOOL.RECORDER.taken`) is still there."""
    try:
        names = os.listdir(run_dir)
    except OSError:
        return False
    prefix = spool + "."
    return any(name.startswith(prefix) and name.endswith(".taken") for name in names)


def _recorder_alive(run_dir: str, pid: int, alive: Callable[[int], bool]) -> bool:
    try:
        with open(os.path.join(run_dir, f"shell-{pid}.pid")) as handle:
            recorder = int(handle.read().strip())
    except (OSError, ValueError):
        return True  # being started by the hook: it writes its pid file first thing
    return alive(recorder)


def _alive(pid: int) -> bool:
    """Whether the process `pid` lives (POSIX; on Windows `os.kill` would end it: taken as gone)."""
    if sys.platform == "win32":
        return False
    try:
        os.kill(pid, 0)  # noqa: TID251 (POSIX only, checked above; the plugin imports no codetape)
    except ProcessLookupError:
        return False
    except OSError:  # another user's: alive
        return True
    return True
