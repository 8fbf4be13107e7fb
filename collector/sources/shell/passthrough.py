"""Run a command as if codetape were not there, keeping the last bytes of what it printed.

The child reads the caller's stdin directly. Its stdout and stderr are copied byte for byte to ours;
when ours is a terminal the child writes to a pseudo-terminal instead of a pipe, so it still sees a
terminal (colours, line buffering, progress bars) and the window size follows ours. Signals sent to
codetape are passed on; the ones a terminal sends to the whole foreground group (Ctrl-C, Ctrl-\\)
already reached the child and are not sent twice.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping

from collector.platform.process import FORWARDED, FROM_TERMINAL
from collector.platform.terminal import (
    copy_window_size,
    has_pty,
    in_terminal_foreground,
    on_resize,
    open_pty,
)
from collector.protocol.clock import monotonic_ms

TAIL_BYTES = 8192
_DRAIN_S = 0.2  # after the child exits, output still in flight (or held by its own children)


class Finished:
    """How the command ended: `exit_code` as a shell says it (128 + N when the child died of signal N), the
    signal, how long it ran, the tail of its output. (A plain class, not a dataclass or NamedTuple: `codetape
    run` starts without dataclasses or typing.)"""

    __slots__ = ("duration_ms", "exit_code", "signal", "tail")

    def __init__(self, exit_code: int, signal: int | None, duration_ms: int, tail: bytes) -> None:
        self.exit_code, self.signal, self.duration_ms, self.tail = exit_code, signal, duration_ms, tail


class Tail:
    """The last `size` bytes written, in order."""

    def __init__(self, size: int = TAIL_BYTES) -> None:
        self.size = size
        self._data = bytearray()

    def add(self, chunk: bytes) -> None:
        self._data += chunk
        if len(self._data) > 2 * self.size:
            del self._data[:-self.size]

    def value(self) -> bytes:
        return bytes(self._data[-self.size:])


def run(argv: list[str], *, watch: Callable[[bytes], None] | None = None,
        env: Mapping[str, str] | None = None) -> Finished:
    """Run `argv` transparently (in `env`, else ours); raises OSError when it cannot be started (not found,
    not executable). `watch` sees every chunk of the command's standard output (and its terminal's) as it
    passes."""
    started = monotonic_ms()
    with _outputs() as (child_out, child_err, sources):
        master = next((fd for fd in sources if os.isatty(fd)), None)
        # forwarding from before the child starts: a signal that comes while it starts is held, then sent
        # to it (the child may be running, and be seen running, before Popen returns here)
        with _forwarding(master) as forwarder:
            try:
                child = subprocess.Popen(argv, stdout=child_out, stderr=child_err, close_fds=True, env=env)
            finally:
                for fd in dict.fromkeys([child_out, child_err]):
                    os.close(fd)
            forwarder.started(child)
            tail = Tail()
            _copy(sources, child, tail, watch)
        code = child.wait()
    duration_ms = monotonic_ms() - started
    if code < 0:
        return Finished(128 - code, -code, duration_ms, tail.value())
    return Finished(code, None, duration_ms, tail.value())


@contextlib.contextmanager
def _outputs() -> Iterator[tuple[int, int, dict[int, int]]]:
    """(child stdout fd, child stderr fd, {fd we read: fd we write}). The readers are closed on exit."""
    sources: dict[int, int] = {}
    try:
        if has_pty and os.isatty(1):  # a pty stands in for our terminal
            master, out = open_pty()
            sources[master] = 1
            copy_window_size(master)
            if os.isatty(2):
                err = out
            else:
                err_r, err = os.pipe()
                sources[err_r] = 2
        else:
            out_r, out = os.pipe()
            err_r, err = os.pipe()
            sources.update({out_r: 1, err_r: 2})
        yield out, err, sources
    finally:
        for fd in sources:
            with contextlib.suppress(OSError):
                os.close(fd)


class _Forwarder:
    """Sends our forwarded signals to the child once it is `started`; one that comes before is held and
    sent then."""

    def __init__(self) -> None:
        self.terminal_group = in_terminal_foreground()
        self.child: subprocess.Popen[bytes] | None = None
        self.held: list[int] = []

    def started(self, child: subprocess.Popen[bytes]) -> None:
        self.child = child
        while self.held:
            self._send(self.held.pop(0))

    def forward(self, signum: int, _frame: object) -> None:
        if self.child is None:
            self.held.append(signum)
        else:
            self._send(signum)

    def _send(self, signum: int) -> None:
        if signum in FROM_TERMINAL and self.terminal_group:
            return  # the terminal sent it to the whole foreground group, the child included
        assert self.child is not None
        with contextlib.suppress(ProcessLookupError):
            self.child.send_signal(signum)


@contextlib.contextmanager
def _forwarding(master: int | None) -> Iterator[_Forwarder]:
    """Our forwarded signals go to the child the forwarder is given, from before it starts. Left without
    one (it could not be started), a signal held is raised on us again once the handlers are restored:
    what it would have done had nothing been running."""
    forwarder = _Forwarder()

    def resized(_signum: int, _frame: object) -> None:
        if master is not None:
            copy_window_size(master)  # the child got SIGWINCH from the terminal itself

    previous = {sig: signal.signal(sig, forwarder.forward) for sig in FORWARDED}
    restore_resize = on_resize(resized)
    try:
        yield forwarder
    finally:
        restore_resize()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if forwarder.child is None:
            for signum in forwarder.held:
                signal.raise_signal(signum)


def _copy(sources: dict[int, int], child: subprocess.Popen[bytes], tail: Tail,
          watch: Callable[[bytes], None] | None = None) -> None:
    """Copy every source to its destination until all are closed (or drained once the child is gone)."""
    selector = selectors.DefaultSelector()
    for fd in sources:
        selector.register(fd, selectors.EVENT_READ)
    exited_at: float | None = None
    while selector.get_map():
        if exited_at is None and child.poll() is not None:
            exited_at = time.monotonic()
        ready = selector.select(0.05 if exited_at is None else _DRAIN_S)
        if not ready and exited_at is not None:
            return
        for key, _ in ready:
            try:
                chunk = os.read(key.fd, 65536)
            except OSError:  # EIO: the pty's last writer closed it
                chunk = b""
            if chunk:
                tail.add(chunk)
                if watch is not None and sources[key.fd] == 1:
                    watch(chunk)
            if not chunk or not _write_all(sources[key.fd], chunk):
                selector.unregister(key.fd)
                os.close(key.fd)  # our reader went away: the child gets SIGPIPE, as it would without us
                del sources[key.fd]


def _write_all(fd: int, data: bytes) -> bool:
    """False when the destination is a pipe nobody reads any more."""
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BrokenPipeError:
            return False
        view = view[written:]
    return True
