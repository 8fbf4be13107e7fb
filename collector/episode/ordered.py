"""Frames compressed on one background thread while the writer goes on, written in the order they came.

zstd at the writer's level is most of what writing an episode costs in native code, and zstandard
releases the GIL while it compresses, so the steps of the next frame are encoded (and, when sealing,
redacted) meanwhile. The bytes written are the same as compressing in line: every frame is compressed
exactly as before, and frames are emitted strictly in the order they were put. At most `ahead` frames
wait to be compressed, so memory stays bounded whatever the episode's length.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

AHEAD = 2  # frames that may wait for their compression before the writer waits for the oldest


class OrderedFrames:
    """`put` finished bytes or `compress` a frame built by a function run in the background; `emit`
    receives every piece in the order it was given. `close` waits for the rest and ends the thread."""

    def __init__(self, emit: Callable[[bytes], None], *, ahead: int = AHEAD) -> None:
        self._emit = emit
        self._ahead = max(1, ahead)
        self._queue: deque[bytes | Future[bytes]] = deque()
        self._pool: ThreadPoolExecutor | None = None

    def put(self, data: bytes) -> None:
        """Bytes to emit after everything given before them."""
        if self._queue:
            self._queue.append(data)
            self._ready()
        else:
            self._emit(data)

    def compress(self, build: Callable[[], bytes]) -> None:
        """A frame `build` makes (it runs on the background thread: it must touch no shared state)."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="codetape-zstd")
        self._queue.append(self._pool.submit(build))
        while sum(isinstance(item, Future) for item in self._queue) > self._ahead:
            self._pop()
        self._ready()

    def drain(self) -> None:
        """Emit everything given so far (waiting for its compression)."""
        while self._queue:
            self._pop()

    def close(self) -> None:
        """Drain, then end the background thread."""
        try:
            self.drain()
        finally:
            self.abandon()

    def abandon(self) -> None:
        """End the background thread without emitting what waits (the file is being given up)."""
        self._queue.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _ready(self) -> None:
        """Emit what heads the queue and is done."""
        while self._queue and (not isinstance(self._queue[0], Future) or self._queue[0].done()):
            self._pop()

    def _pop(self) -> None:
        item = self._queue.popleft()
        self._emit(item.result() if isinstance(item, Future) else item)
