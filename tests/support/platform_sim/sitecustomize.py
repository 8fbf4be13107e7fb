"""Another operating system's Python, approximated on Linux: what it lacks is removed at start-up.

On PYTHONPATH with CODETAPE_SIMULATE_PLATFORM set (`pytest --platform-sim=darwin` does both for the
test process and every process it starts; README, "Platforms"), Python starts without the names that
system's Python has no such thing as, so code reaching for one fails as it would there, and code that
asks first (getattr, hasattr) takes the other system's path:

- darwin: macOS's Python has no SO_PEERCRED (peer credentials go through LOCAL_PEERCRED, added here
  with macOS's numbers: on Linux that getsockopt fails, so the collector takes the "unknown peer" path
  and relies on its 0700 directory), no pidfd_open, O_PATH, epoll, memfd, eventfd, sched affinity,
  xattrs or real-time signals.
- win32: the POSIX-only modules (fcntl, pwd, termios, pty, ...) cannot be imported and socket has no
  AF_UNIX (psutil, whose Linux half stands in for its Windows half, is imported first: it needs
  `resource`), and `socket.socketpair` is Windows' own (over loopback TCP). The unit tier runs under
  it (`pytest --platform-sim=win32 tests/unit`): the platform layer takes its Windows branches there
  with the fakes of tests/support/windows.py (tests/unit/conftest.py), and a test that needs what
  Windows lacks says why it is skipped.

What it cannot change: sys.platform stays "linux" (stdlib modules key on it), the kernel still answers
(flock, /proc, sun_path's 108 bytes, inotify under watchdog), and the file system stays case-sensitive.
"""

from __future__ import annotations

import contextlib
import os
import sys

_DARWIN_LACKS = {
    "os": ("pidfd_open", "O_PATH", "O_DIRECT", "O_NOATIME", "O_TMPFILE", "memfd_create", "eventfd",
           "eventfd_read", "eventfd_write", "splice", "copy_file_range", "posix_fadvise", "posix_fallocate",
           "sched_getaffinity", "sched_setaffinity", "getxattr", "setxattr", "listxattr", "removexattr",
           "pipe2", "getrandom", "P_PIDFD"),
    # AF_PACKET and AF_NETLINK stay: psutil's Linux half (here in place of its macOS half) needs them
    "socket": ("SO_PEERCRED", "SO_PASSCRED", "SO_PEERSEC", "SOCK_CLOEXEC", "SOCK_NONBLOCK"),
    "select": ("epoll", "EPOLLIN", "EPOLLOUT"),
    "signal": ("SIGRTMIN", "SIGRTMAX", "SIGPOLL", "SIGPWR", "SIGSTKFLT", "SIGCLD", "sigtimedwait",
               "sigwaitinfo", "pidfd_send_signal"),
    "time": ("CLOCK_BOOTTIME", "CLOCK_TAI"),
}
_DARWIN_HAS = {"socket": {"SOL_LOCAL": 0, "LOCAL_PEERCRED": 1}}  # <sys/un.h>

# Windows: only the POSIX-only modules, which `import` refuses, and what codetape itself names. The rest
# of os / select / signal stays: sys.platform is still "linux", so the standard library (and codetape's
# platform layer, which branches on it) takes its POSIX path and needs them.
_WINDOWS_MODULES = ("fcntl", "pwd", "grp", "termios", "tty", "pty", "resource", "syslog")
_WINDOWS_LACKS: dict[str, tuple[str, ...]] = {"socket": ("AF_UNIX", "SO_PEERCRED"), "select": ()}


def _windows_socketpair(family: int | None = None, type: int = 1, proto: int = 0) -> tuple[object, object]:
    """socket.socketpair as Windows' Python has it (socket.py's own, over loopback TCP: Windows has no
    socketpair call); Linux's refuses AF_INET, which is what the standard library falls back to once
    AF_UNIX is gone. Used by asyncio's event loop for its self-pipe, and by tests."""
    import socket

    family = socket.AF_INET if family is None else family
    if family not in (socket.AF_INET, socket.AF_INET6) or type != socket.SOCK_STREAM or proto != 0:
        raise ValueError("Only AF_INET and AF_INET6 SOCK_STREAM sockets of protocol zero are supported")
    host = "127.0.0.1" if family == socket.AF_INET else "::1"
    listening = socket.socket(family, type, proto)
    try:
        listening.bind((host, 0))
        listening.listen()
        address, port = listening.getsockname()[:2]
        client = socket.socket(family, type, proto)
        try:
            client.setblocking(False)
            with contextlib.suppress(BlockingIOError, InterruptedError):
                client.connect((address, port))
            client.setblocking(True)
            server, _ = listening.accept()
        except BaseException:
            client.close()
            raise
    finally:
        listening.close()
    return server, client


def simulate(name: str) -> None:
    """Make this process's Python look like `name`'s ("darwin" or "win32")."""
    import select  # before socket, which imports selectors: it picks its DefaultSelector from select's names

    if name not in ("darwin", "win32"):
        raise SystemExit(f"CODETAPE_SIMULATE_PLATFORM={name}: darwin or win32")
    for attribute in (_WINDOWS_LACKS if name == "win32" else _DARWIN_LACKS)["select"]:
        if hasattr(select, attribute):
            delattr(select, attribute)
    import signal
    import socket
    import time

    modules = {"os": os, "socket": socket, "select": select, "signal": signal, "time": time}
    if name == "win32":
        with contextlib.suppress(ImportError):  # psutil's Linux half (here in place of its Windows half)
            import psutil  # noqa: F401  (imports `resource`, which is removed just below)
        for module in _WINDOWS_MODULES:
            sys.modules[module] = None  # type: ignore[assignment]  # `import fcntl` raises ImportError
        lacks = _WINDOWS_LACKS
        has: dict[str, dict[str, int]] = {}
    else:
        lacks, has = _DARWIN_LACKS, _DARWIN_HAS
    for module, names in lacks.items():
        for attribute in names:
            if hasattr(modules[module], attribute):
                delattr(modules[module], attribute)
    if name == "win32":
        socket.socketpair = _windows_socketpair  # type: ignore[assignment]
    for module, values in has.items():
        for attribute, value in values.items():
            setattr(modules[module], attribute, value)
    sys.codetape_simulated_platform = name  # type: ignore[attr-defined]  # what the tests' header shows


if os.environ.get("CODETAPE_SIMULATE_PLATFORM"):
    simulate(os.environ["CODETAPE_SIMULATE_PLATFORM"])
