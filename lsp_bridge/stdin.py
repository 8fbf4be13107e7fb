"""Observe mode's stdio: the editor's input, read by one thread from the start of the process, and the
output, written whole messages at a time from any thread.

Until pygls is loaded the input chunks are held (`take` waits for the next); `hand_over` then gives the
held chunks, and every later one as it is read, to a sink (the server's event loop), in order. The empty
chunk marks the end of input, as `os.read` gives it.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable
from typing import BinaryIO

CHUNK = 256 * 1024


class Stdin:
    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._held: deque[bytes] = deque()
        self._ready = threading.Condition()
        self._sink: Callable[[bytes], object] | None = None
        threading.Thread(target=self._read, name="codetape-stdin", daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self._fd, CHUNK)
            except OSError:
                data = b""
            with self._ready:
                if self._sink is not None:
                    self._sink(data)
                else:
                    self._held.append(data)
                    self._ready.notify()
            if not data:
                return

    def take(self) -> bytes:
        """The next chunk read (b"" at the end of input); only before `hand_over`."""
        with self._ready:
            while not self._held:
                self._ready.wait()
            return self._held.popleft()

    def hand_over(self, sink: Callable[[bytes], object]) -> None:
        """From now on every chunk goes to `sink`, those held first."""
        with self._ready:
            while self._held:
                sink(self._held.popleft())
            self._sink = sink


class Stdout:
    """Whole messages, one writer at a time (the early `initialize` answer, then pygls's writer)."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def write(self, data: bytes) -> None:
        with self._lock:
            self._stream.write(data)
            self._stream.flush()

    def close(self) -> None:
        self._stream.close()
