"""Processes by pid, signals, priority, CPU time and pipes' blocking mode.

Liveness: on Linux `/proc/PID/stat` (a zombie waiting for its parent does not count); elsewhere on POSIX
`kill(pid, 0)`, which is what psutil's `pid_exists` does there; on Windows `psutil.pid_exists`
(OpenProcess), since `os.kill(pid, 0)` there terminates the process it probes. psutil is a dependency
on Windows only: importing it costs about 20 ms, which `codetape status` and the shell hook need not pay.
CPU time: on Linux `/proc/PID/stat`, on Windows psutil; elsewhere (macOS) it is not known (None).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from pathlib import Path

# the signals `codetape run` passes on to its command; the terminal sends Ctrl-C and Ctrl-\ to the whole
# foreground group itself
FORWARDED: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT", "SIGUSR1", "SIGUSR2")
    if hasattr(signal, name))
FROM_TERMINAL: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGQUIT") if hasattr(signal, name))
# the signals faulthandler reports (collector/protocol/crashes.py)
CRASH_SIGNALS: frozenset[signal.Signals] = frozenset(
    getattr(signal, name) for name in ("SIGSEGV", "SIGFPE", "SIGABRT", "SIGBUS", "SIGILL")
    if hasattr(signal, name))


def alive(pid: int) -> bool:
    """Whether process `pid` still runs: on Linux a zombie waiting for its parent to reap it does not."""
    if sys.platform == "win32":
        import psutil

        return bool(psutil.pid_exists(pid))
    if sys.platform == "linux":
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            return False
        except OSError:  # /proc not mounted: ask the kernel
            return _signalable(pid)
        return stat.rpartition(")")[2].split()[:1] != ["Z"]
    return _signalable(pid)


def cpu_seconds(pid: int) -> float | None:
    """The CPU time (user and system) process `pid` has had so far; None when it is gone or, on macOS, not
    known."""
    if sys.platform == "win32":
        import psutil

        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            return None
        return float(times.user + times.system)
    if sys.platform == "linux":
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            return None
        # after the name: state is field 3 of proc(5), utime and stime fields 14 and 15, in clock ticks
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return None


def _signalable(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def die_of(number: int) -> None:
    """End this process by signal `number`, as the command it ran was ended (its default action)."""
    if sys.platform == "win32":
        os._exit(128 + number)
    with contextlib.suppress(OSError, ValueError):  # SIGKILL and SIGSTOP take no handler: kill anyway
        signal.signal(number, signal.SIG_DFL)
    os.kill(os.getpid(), number)


def lower_priority(increment: int) -> None:
    """Be nicer to the rest of the machine by `increment` (nice); Windows: below-normal priority."""
    if sys.platform == "win32":
        import psutil

        psutil.Process().nice(psutil.BELOW_NORMAL_PRIORITY_CLASS)
        return
    os.nice(increment)


def set_blocking(fd: int, blocking: bool) -> None:
    """Make writes to the pipe `fd` block or not. Windows' anonymous pipes take no such mode before
    Python 3.12: there writes block (README, Platforms)."""
    if sys.platform != "win32":
        os.set_blocking(fd, blocking)
