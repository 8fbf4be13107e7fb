"""The bridge's ends of its pipes: `Stdin`, observe mode's input read by a thread of its own, and
`Outlet`, whole messages written to one end from any thread (the editor in both modes, the language
server in proxy mode).

`Stdin`'s thread reads from the start of the process, so an editor that sends while the bridge is still
loading never waits on a full pipe; `take` hands the chunks over in order, the empty chunk marking the
end of input as `os.read` gives it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections import deque
from collections.abc import Callable

from lsp_bridge.wire.framing import LspFrame

log = logging.getLogger(__name__)

CHUNK = 256 * 1024


class Stdin:
    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._held: deque[bytes] = deque()
        self._ready = threading.Condition()
        threading.Thread(target=self._read, name="codetape-stdin", daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self._fd, CHUNK)
            except OSError:
                data = b""
            with self._ready:
                self._held.append(data)
                self._ready.notify()
            if not data:
                return

    def take(self, timeout: float | None = None) -> bytes | None:
        """The next chunk read (b"" at the end of input); None when none came within `timeout` seconds."""
        with self._ready:
            if not self._ready.wait_for(lambda: bool(self._held), timeout):
                return None
            return self._held.popleft()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class Outlet:
    """Everything written to one end (`peer`): the other end's frames (proxy mode), and the bridge's own
    messages between them (held while a frame passed through in pieces is incomplete). Once the peer has
    stopped reading, writes are dropped: one log line says so."""

    def __init__(self, fd: int, peer: str) -> None:
        self._fd = fd
        self._peer = peer
        self._lock = threading.Lock()
        self._inside = False
        self._held: list[bytes] = []
        self.broken = False

    def frame(self, frame: LspFrame) -> None:
        with self._lock:
            if not frame.junk:
                self._write(frame.raw)
            self._inside = not frame.complete
            if not self._inside and self._held:
                for data in self._held:
                    self._write(data)
                self._held.clear()

    def inject(self, data: bytes) -> None:
        """One whole message of the bridge's own."""
        with self._lock:
            if self._inside:
                self._held.append(data)
            else:
                self._write(data)

    def _write(self, data: bytes) -> None:
        if self.broken:
            return
        try:
            _write_all(self._fd, data)
        except OSError as exc:
            self.broken = True
            log.warning("codetape: the %s stopped reading: %s", self._peer, exc)

    def close(self, closer: Callable[[], None] | None = None) -> None:
        """Write nothing more; close the descriptor (with `closer` when a file object owns it)."""
        with self._lock:
            if not self.broken:
                self.broken = True
                with contextlib.suppress(OSError):
                    if closer is None:
                        os.close(self._fd)
                    else:
                        closer()
