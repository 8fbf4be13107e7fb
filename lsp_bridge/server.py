"""Proxy mode's language server process, started first thing (before argparse and the proxy's own
modules load), so that its start overlaps the bridge's.

It is spawned with `os.posix_spawnp` (collector/platform/spawn.py) rather than `subprocess.Popen`:
importing subprocess (locale, re, enum, signal, threading, selectors) takes about as long as the rest of
the bridge's start before the server's, and only `os` and `_signal`, loaded with the interpreter, are
needed here. `ServerProcess` is
what the proxy uses of a Popen: its pipes, `poll`, `wait`, `terminate`, `kill`, with Popen's meaning of
`returncode` (-N for signal N). The server inherits what Popen(close_fds=True) would close: only
descriptors the editor gave the bridge beyond 0-2 marked inheritable (Python's own are not).
"""

from __future__ import annotations

import _thread
from io import FileIO

from collector.platform.spawn import KILL, TERMINATE, exited_within, reap, send_signal, spawn_piped
from lsp_bridge.errors import BridgeError
from lsp_bridge.options import FLAGS, VALUED

TYPE_CHECKING = False  # typing and collections.abc are not loaded before the server starts
if TYPE_CHECKING:
    from collections.abc import Sequence

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
                self._reap(block=False)
            finally:
                self._reaping.release()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """The exit status, waiting for the exit at most `timeout` seconds (subprocess.TimeoutExpired)."""
        if self.returncode is None and not self._exited_within(timeout):
            # subprocess only on a timeout: the server is started without it (spawn.py)
            import subprocess

            raise subprocess.TimeoutExpired(self.args, timeout or 0.0)
        with self._reaping:
            if self.returncode is None:
                self._reap(block=True)
        assert self.returncode is not None
        return self.returncode

    def terminate(self) -> None:
        self._signal(TERMINATE)

    def kill(self) -> None:
        self._signal(KILL)

    def _signal(self, number: int) -> None:
        # this module loads before the server starts: what only stopping it needs loads then
        import contextlib

        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # it exited between the two
                send_signal(self.pid, number)

    def _exited_within(self, timeout: float | None) -> bool:
        """Whether the process exits within `timeout` seconds (None: waits as long as it takes)."""
        if timeout is None:
            return True  # the blocking waitpid does the waiting
        exited = exited_within(self.pid, timeout)
        return self._polled_within(timeout) if exited is None else exited

    def _polled_within(self, timeout: float) -> bool:
        # this module loads before the server starts: what only stopping it needs loads then
        import time

        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_S)
        return True

    def _reap(self, *, block: bool) -> None:
        self.returncode = reap(self.pid, block=block)


def start_server(command: list[str]) -> ServerProcess:
    """The language server's process, its stdin and stdout piped to the bridge."""
    try:
        pid, stdin, stdout = spawn_piped(command)
    except OSError as exc:
        raise BridgeError(f"cannot start the language server {command[0]!r}: {exc.strerror or exc}") from None
    return ServerProcess(command, pid, FileIO(stdin, "wb"), FileIO(stdout, "rb"))


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
