"""Proxy mode's language server process, started first thing (before argparse and the proxy's own
modules load), so that its start overlaps the bridge's.

It is spawned with `os.posix_spawnp` rather than `subprocess.Popen`: importing subprocess (locale, re,
enum, signal, threading, selectors) takes about as long as the rest of the bridge's start before the
server's, and only `os` and `_signal`, loaded with the interpreter, are needed here. `ServerProcess` is
what the proxy uses of a Popen: its pipes, `poll`, `wait`, `terminate`, `kill`, with Popen's meaning of
`returncode` (-N for signal N). The server inherits what Popen(close_fds=True) would close: only
descriptors the editor gave the bridge beyond 0-2 marked inheritable (Python's own are not).
"""

from __future__ import annotations

import _signal
import _thread
import os
from io import FileIO

from lsp_bridge.errors import BridgeError
from lsp_bridge.options import FLAGS, VALUED

TYPE_CHECKING = False  # typing and collections.abc are not loaded before the server starts
if TYPE_CHECKING:
    from collections.abc import Sequence

# The child starts with these at their defaults, as Popen(restore_signals=True) leaves them: Python ignores
# SIGPIPE and SIGXFSZ, and an ignored signal stays ignored across exec.
_RESTORED = (_signal.SIGPIPE, _signal.SIGXFSZ)
_POLL_S = 0.005  # how often `wait` looks, where the kernel has no process descriptors (pidfd_open)


class ServerProcess:
    """A started language server: `stdin` writes to it, `stdout` reads from it (both unbuffered)."""

    def __init__(self, args: list[str], pid: int, stdin: FileIO, stdout: FileIO) -> None:
        self.args = args
        self.pid = pid
        self.stdin = stdin
        self.stdout = stdout
        self.returncode: int | None = None
        self._reaping = _thread.allocate_lock()

    def poll(self) -> int | None:
        """The exit status once the process has exited, else None; never blocks."""
        if self.returncode is None and self._reaping.acquire(blocking=False):
            try:
                self._reap(os.WNOHANG)
            finally:
                self._reaping.release()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """The exit status, waiting for the exit at most `timeout` seconds (subprocess.TimeoutExpired)."""
        if self.returncode is None and not self._exited_within(timeout):
            import subprocess

            raise subprocess.TimeoutExpired(self.args, timeout or 0.0)
        with self._reaping:
            if self.returncode is None:
                self._reap(0)
        assert self.returncode is not None
        return self.returncode

    def terminate(self) -> None:
        self._signal(_signal.SIGTERM)

    def kill(self) -> None:
        self._signal(_signal.SIGKILL)

    def _signal(self, number: int) -> None:
        import contextlib

        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # it exited between the two
                os.kill(self.pid, number)

    def _exited_within(self, timeout: float | None) -> bool:
        """Whether the process exits within `timeout` seconds (None: waits as long as it takes)."""
        if timeout is None:
            return True  # the blocking waitpid does the waiting
        try:
            descriptor = os.pidfd_open(self.pid)
        except (AttributeError, OSError):  # not Linux, an old kernel, or reaped already
            return self._polled_within(timeout)
        try:
            import select

            return bool(select.select([descriptor], [], [], max(timeout, 0.0))[0])
        finally:
            os.close(descriptor)

    def _polled_within(self, timeout: float) -> bool:
        import time

        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_S)
        return True

    def _reap(self, options: int) -> None:
        try:
            pid, status = os.waitpid(self.pid, options)
        except ChildProcessError:  # reaped by someone else (SIGCHLD ignored): its status is lost, and
            self.returncode = 0  # Popen says 0 then too
            return
        if pid == self.pid:
            self.returncode = os.waitstatus_to_exitcode(status)


def start_server(command: list[str]) -> ServerProcess:
    """The language server's process, its stdin and stdout piped to the bridge."""
    to_server, from_bridge = os.pipe()  # the server reads to_server; the bridge writes from_bridge
    to_bridge, from_server = os.pipe()
    actions = [(os.POSIX_SPAWN_DUP2, to_server, 0), (os.POSIX_SPAWN_DUP2, from_server, 1)]
    try:
        pid = os.posix_spawnp(command[0], command, os.environ, file_actions=actions, setsigdef=_RESTORED)
    except OSError as exc:
        for fd in (to_server, from_bridge, to_bridge, from_server):
            os.close(fd)
        raise BridgeError(f"cannot start the language server {command[0]!r}: {exc.strerror or exc}") from None
    os.close(to_server)
    os.close(from_server)
    return ServerProcess(command, pid, FileIO(from_bridge, "wb"), FileIO(to_bridge, "rb"))


def stop_server(server: ServerProcess) -> None:
    """The language server does not outlive the bridge (a no-op once it has exited)."""
    if server.poll() is None:
        server.kill()
        server.wait()


def early_command(argv: Sequence[str]) -> list[str] | None:
    """The language server command of a plainly formed proxy-mode command line (options the bridge knows,
    then `--` and the command), read before argparse loads; None for anything else, which argparse reads
    as always. The options' values are checked later, by argparse and the bridge."""
    at = 0
    while at < len(argv):
        arg = argv[at]
        if arg == "--":
            return list(argv[at + 1:]) or None
        if arg in FLAGS or (arg.partition("=")[0] in VALUED and "=" in arg):
            at += 1
        elif arg in VALUED and at + 1 < len(argv) and not argv[at + 1].startswith("-"):
            at += 2
        else:
            return None
    return None


def start_early(argv: Sequence[str]) -> ServerProcess | None:
    """The language server of a plainly formed proxy-mode command line, started now; None when there is
    none, or when it does not start (the bridge then starts it after parsing, and says why it cannot)."""
    command = early_command(argv)
    if command is None:
        return None
    try:
        return start_server(command)
    except BridgeError:
        return None
