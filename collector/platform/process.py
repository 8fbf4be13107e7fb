"""Processes by pid, signals, priority, CPU time, pipes' blocking mode, and ending with one's parent.

Liveness: on Linux `/proc/PID/stat` (a zombie waiting for its parent does not count); elsewhere on POSIX
`kill(pid, 0)`, which is what psutil's `pid_exists` does there; on Windows `psutil.pid_exists`
(OpenProcess), since `os.kill(pid, 0)` there terminates the process it probes. psutil is a dependency
on Windows only: importing it costs about 20 ms, which `codetape status` and the shell hook need not pay.
CPU time: on Linux `/proc/PID/stat`, on Windows psutil; elsewhere (macOS) it is not known (None). Which
files a process holds open: on Linux `/proc/PID/fd`, elsewhere not known (None).
Ending with the parent (`stop_with_parent`): on Linux the kernel's parent-death signal (prctl), elsewhere
a thread that looks for the parent; see there.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

# the signals `codetape run` passes on to its command; the terminal sends Ctrl-C and Ctrl-\ to the whole
# foreground group itself
FORWARDED: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT", "SIGUSR1", "SIGUSR2")
    if hasattr(signal, name))
FROM_TERMINAL: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGQUIT") if hasattr(signal, name))
STOP = signal.SIGTERM  # how a process is told to stop: by `kill`, and by `stop_with_parent`
PARENT_POLL_S = 0.5  # where the kernel does not say that the parent ended: how often a thread looks
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# the signals faulthandler reports (collector/protocol/crashes.py)
CRASH_SIGNALS: frozenset[signal.Signals] = frozenset(
    getattr(signal, name) for name in ("SIGSEGV", "SIGFPE", "SIGABRT", "SIGBUS", "SIGILL")
    if hasattr(signal, name))


def alive(pid: int) -> bool:
    """Whether process `pid` still runs: on Linux a zombie waiting for its parent to reap it does not."""
    if sys.platform == "win32":
        # Windows only: os has no answer there
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


def holds_open(pid: int, path: Path) -> bool | None:
    """Whether process `pid` has the file at `path` open (one of its descriptors is that file, by device and
    inode, whatever it is named now); None where that cannot be seen (no `/proc/PID/fd`: macOS, Windows)."""
    if not os.path.isdir("/proc/self/fd"):
        return None
    try:
        target = path.stat()
        fds = os.listdir(f"/proc/{pid}/fd")
    except FileNotFoundError:
        return False  # the file or the process is gone
    except OSError:
        return None  # (another user's process)
    for fd in fds:
        with contextlib.suppress(OSError):  # (closed since the listing)
            held = os.stat(f"/proc/{pid}/fd/{fd}")
            if (held.st_dev, held.st_ino) == (target.st_dev, target.st_ino):
                return True
    return False


def cpu_seconds(pid: int) -> float | None:
    """The CPU time (user and system) process `pid` has had so far; None when it is gone or, on macOS, not
    known."""
    if sys.platform == "win32":
        # Windows only: os has no answer there
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
        # Windows only: os has no priority classes
        import psutil

        psutil.Process().nice(psutil.BELOW_NORMAL_PRIORITY_CLASS)
        return
    os.nice(increment)


def set_blocking(fd: int, blocking: bool) -> None:
    """Make writes to the pipe `fd` block or not. Windows' anonymous pipes take no such mode before
    Python 3.12: there writes block (docs/platforms.md)."""
    if sys.platform != "win32":
        os.set_blocking(fd, blocking)


def stop_with_parent(parent: int, stop: Callable[[], None]) -> None:
    """Run `stop` once, in the main thread, when this process is told to stop (STOP) or when process
    `parent`, the one that started it, has ended: at once if it already has. `stop` runs as a signal
    handler does: between two bytecodes, interrupting a blocking read but not a long call into C; a
    second STOP while it runs is ignored. Call it from the main thread, before anything worth undoing.

    Linux: the kernel sends STOP when the parent ends (prctl's PR_SET_PDEATHSIG, through ctypes). It does
    so when the thread that started this process ends, so a parent starts it from a thread that lives as
    long as itself (the collector: its event loop's). `getppid()` then closes the race of a parent that
    ended before the prctl: the orphan was adopted already. Elsewhere, or where prctl cannot be called, a
    thread looks every PARENT_POLL_S (on POSIX whether `getppid()` changed: launchd or a subreaper adopts
    an orphan; on Windows, whose pids are not re-parented, whether the parent still runs) and then sends
    STOP to the main thread."""

    def handler(signum: int, frame: FrameType | None) -> None:
        signal.signal(STOP, signal.SIG_IGN)
        stop()

    signal.signal(STOP, handler)
    if sys.platform == "linux" and _parent_death_signal(STOP):
        if os.getppid() != parent:
            signal.raise_signal(STOP)
        return
    threading.Thread(target=_watch_parent, args=(parent,), name="parent watch", daemon=True).start()


def _parent_death_signal(number: int) -> bool:
    """Have the kernel send this process signal `number` when its parent ends (Linux); False when prctl
    cannot be called."""
    # Linux only (prctl), and ctypes costs start-up elsewhere
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return False
    return bool(prctl(_PR_SET_PDEATHSIG, ctypes.c_ulong(number), 0, 0, 0) == 0)


def _watch_parent(parent: int) -> None:
    """Wait until process `parent` is no longer this one's, then send STOP to the main thread."""
    while _parent_is(parent):
        time.sleep(PARENT_POLL_S)
    if sys.platform == "win32":
        # Windows only
        import _thread

        _thread.interrupt_main(STOP)
        return
    main = threading.main_thread().ident
    if main is not None:
        signal.pthread_kill(main, STOP)


def _parent_is(parent: int) -> bool:
    if sys.platform == "win32":
        return alive(parent)
    return os.getppid() == parent


def raise_open_file_limit() -> int | None:
    """Raise this process's soft limit of open files to its hard limit (a server that many clients hold
    connections to); the limit now, None where there is none to raise (Windows)."""
    if sys.platform == "win32":
        return None
    # POSIX only
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]
