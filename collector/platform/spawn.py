"""The bridge's language server process: started with posix_spawn, waited for with waitpid and pidfd.

Only `os`, `sys` and `_signal` (loaded with the interpreter) are imported here: the bridge starts its
server before anything else loads (lsp_bridge/server.py). Windows has neither posix_spawn nor poll on
pipes: `subprocess.Popen` with overlapped pipes is the plan there (docs/platforms.md); `spawn_piped`
raises OSError on Windows meanwhile.
"""

from __future__ import annotations

import _signal
import os
import sys

TYPE_CHECKING = False  # typing is not loaded before the server starts
if TYPE_CHECKING:
    from typing import Protocol

    class _Poll(Protocol):
        def register(self, fd: int, eventmask: int = ..., /) -> None: ...
        def unregister(self, fd: int, /) -> None: ...
        def poll(self, timeout: float | None = ..., /) -> list[tuple[int, int]]: ...

TERMINATE = _signal.SIGTERM
KILL = getattr(_signal, "SIGKILL", _signal.SIGTERM)  # Windows: TerminateProcess either way
# The child starts with these at their defaults, as Popen(restore_signals=True) leaves them: Python ignores
# SIGPIPE and SIGXFSZ, and an ignored signal stays ignored across exec.
_RESTORED = tuple(getattr(_signal, name) for name in ("SIGPIPE", "SIGXFSZ") if hasattr(_signal, name))


def spawn_piped(command: list[str]) -> tuple[int, int, int]:
    """(pid, the descriptor writing to its stdin, the one reading its stdout) of `command`, started with
    our environment; OSError when it cannot start (the pipes are closed then)."""
    if sys.platform == "win32":
        raise OSError("the proxy cannot start a language server on Windows yet")
    to_server, from_bridge = os.pipe()  # the server reads to_server; the bridge writes from_bridge
    to_bridge, from_server = os.pipe()
    actions = [(os.POSIX_SPAWN_DUP2, to_server, 0), (os.POSIX_SPAWN_DUP2, from_server, 1)]
    try:
        pid = os.posix_spawnp(command[0], command, os.environ, file_actions=actions, setsigdef=_RESTORED)
    except OSError:
        for fd in (to_server, from_bridge, to_bridge, from_server):
            os.close(fd)
        raise
    os.close(to_server)
    os.close(from_server)
    return pid, from_bridge, to_bridge


def reap(pid: int, *, block: bool) -> int | None:
    """The exit status of our child `pid` as Popen's returncode (-N for signal N), None while it runs
    (only without `block`). A child reaped by someone else (SIGCHLD ignored) has lost its status: 0, as
    Popen says then too."""
    if sys.platform == "win32":
        raise OSError("no child processes of the bridge on Windows yet")
    try:
        reaped, status = os.waitpid(pid, 0 if block else os.WNOHANG)
    except ChildProcessError:
        return 0
    return os.waitstatus_to_exitcode(status) if reaped == pid else None


def send_signal(pid: int, number: int) -> None:
    """Send signal `number` to `pid` (ProcessLookupError when it is gone)."""
    os.kill(pid, number)


def exited_within(pid: int, timeout: float) -> bool | None:
    """Whether process `pid` exits within `timeout` seconds, None where the kernel has no process
    descriptors (pidfd_open: Linux 5.3) or it was reaped already: then the caller polls."""
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is None:
        return None
    try:
        descriptor: int = pidfd_open(pid)
    except OSError:
        return None
    try:
        # POSIX only (select on pipes)
        import select

        return bool(select.select([descriptor], [], [], max(timeout, 0.0))[0])
    finally:
        os.close(descriptor)


class Readable:
    """Which of some pipes have input to read, or are closed (poll(2))."""

    def __init__(self, *fds: int) -> None:
        self._poll = _new_poll(fds)

    def forget(self, fd: int) -> None:
        self._poll.unregister(fd)

    def ready(self, timeout_ms: int | None = None) -> list[int]:
        """The descriptors ready, waiting at most `timeout_ms` (None: until one is)."""
        return [fd for fd, _ in self._poll.poll(timeout_ms)]


def _new_poll(fds: tuple[int, ...]) -> _Poll:
    if sys.platform == "win32":
        raise OSError("pipes cannot be polled on Windows")
    # POSIX only (select on pipes)
    import select

    poll = select.poll()
    for fd in fds:
        poll.register(fd, select.POLLIN)
    return poll
