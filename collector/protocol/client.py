"""The client side of the collector socket, used by the bridge, the pytest plugin, `codetape run`, the CLI.

Threads, no asyncio: one writer thread drains a bounded send queue, so `send_step` never blocks the
caller (when the queue is full the step is counted, and the next step that fits is preceded by a `gap`
step, `recorder_behind`, with the count); one reader thread routes replies to waiting `request` calls
and unsolicited events (`{"event": ...}`) to a queue read with `next_event(timeout)` or `events()`.

A connection speaks msgpack, or with `as_json` framing.py's JSON dialect through the standard library's
json: a short-lived command whose messages are plain maps (`status`, `note`, `run`) loads no msgspec.
"""

from __future__ import annotations

import _socket  # socket's C half: the `socket` package (enum, selectors) is no client's start-up
import contextlib
import itertools
import os
import queue
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from collector.errors import CollectorError, FramingError
from collector.home import Home
from collector.platform.loopback import connect, is_endpoint
from collector.platform.sockets import address_fits
from collector.protocol.clock import now_ms
from collector.protocol.framing import encode, encode_plain, recv_message

TYPE_CHECKING = False  # typing is not loaded at a command's start-up (~3 ms)
if TYPE_CHECKING:  # the step structs cost an import every short-lived client would pay (the shell hook)
    from typing import Any

    from schemas.steps import Step

AUTOSTART_WAIT_S = 15.0
_CLOSED = object()
_BATCH_BYTES = 1 << 20


def socket_address(path: Path) -> str:
    """The socket path as an AF_UNIX address, refused when too long for the kernel (a loopback endpoint
    file as it is: platform/loopback.py)."""
    address = str(path)
    if not is_endpoint(address) and not address_fits(address):
        raise CollectorError(f"socket path {address} is too long; set CODETAPE_HOME to a shorter directory")
    return address


def open_socket(home: Home, timeout: float) -> _socket.socket:
    """A connection to the collector of `home` (its Unix socket, or loopback TCP with the secret proved),
    blocking once open; OSError when nobody listens."""
    sock = connect(socket_address(home.socket), timeout, _socket.socket)
    sock.settimeout(None)
    return sock


def start_detached(home: Home, *, wait_s: float = AUTOSTART_WAIT_S) -> None:
    """Run `codetape collector --detach` for this home; it returns once the socket accepts connections.
    The collector is told which command started it (`codetape status` says so)."""
    import subprocess  # (only to start one: `status` never does)

    # deferred: only to start one (a connection to a running collector does without them)
    from collector.protocol.spawn import python_command
    from collector.protocol.starter import STARTED_BY, handover, starter
    from collector.protocol.starting import starting

    env = {**os.environ, "CODETAPE_HOME": str(home.root),
           STARTED_BY: handover("autostart", by=starter(sys.argv), pid=os.getpid())}
    try:
        with starting(home):  # a pytest ending meanwhile waits for it (protocol/starting.py)
            done = subprocess.run(
                python_command("collector", "collector", "--detach"),
                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                timeout=wait_s + 5, check=False,
            )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CollectorError(f"could not start the collector: {exc}") from None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = lines[-1] if lines else f"exit status {done.returncode}"
        raise CollectorError(f"could not start the collector: {detail}")


class Client:
    """One connection to the collector. Use `Client.connect`; close it (or use it as a context manager)."""

    def __init__(
        self, sock: _socket.socket, *, send_queue: int = 100_000, request_timeout: float = 300.0,
        as_json: bool = False,
    ) -> None:
        self._sock = sock
        self._as_json = as_json  # plain maps only: a step struct is not the standard library's JSON
        self._outbox: queue.Queue[bytes | object] = queue.Queue(maxsize=send_queue)
        self._events: queue.Queue[dict[str, Any] | object] = queue.Queue()
        self._pending: dict[int, tuple[threading.Event, list[dict[str, Any]]]] = {}
        self._pending_lock = threading.Lock()
        self._ids = itertools.count(1)
        self._closed = threading.Event()
        self._lost = 0
        self._lost_total = 0
        self._source = "client"
        self.request_timeout = request_timeout
        self._writer = threading.Thread(target=self._write_loop, name="codetape-client-writer", daemon=True)
        self._reader = threading.Thread(target=self._read_loop, name="codetape-client-reader", daemon=True)
        self._writer.start()
        self._reader.start()

    @classmethod
    def connect(cls, home: Home, *, autostart: bool, timeout: float = 2.0, as_json: bool = False) -> Client:
        """Connect to the collector of `home`; with autostart, start it first when nobody listens, unless
        the user stopped it (StoppedByYou: protocol/stopped.py). `as_json`: the JSON dialect, for a
        client that sends only plain maps (no msgspec loaded)."""
        try:
            return cls(open_socket(home, timeout), as_json=as_json)
        except CollectorError:
            raise
        except OSError as exc:
            if not autostart:
                reason = exc.strerror or exc
                raise CollectorError(f"collector not running at {home.socket} ({reason})") from None
        from collector.protocol.stopped import refuse_if_stopped  # deferred: only before starting one

        refuse_if_stopped(home)
        start_detached(home)
        deadline = time.monotonic() + max(timeout, 2.0)
        while True:
            try:
                return cls(open_socket(home, timeout), as_json=as_json)
            except OSError as exc:
                if time.monotonic() > deadline:
                    message = f"collector started but {home.socket} refuses connections: {exc}"
                    raise CollectorError(message) from None
                time.sleep(0.05)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        """True once the connection is gone (closed here or by the collector)."""
        return self._closed.is_set()

    @property
    def lost_steps(self) -> int:
        """Steps dropped so far because the send queue was full."""
        return self._lost_total

    def hello(
        self, workspace: Path, source: str, *, client: dict[str, Any] | None = None,
        position_encoding: str | None = None,
    ) -> dict[str, Any]:
        """Name this connection's source and workspace; returns the reply (`recording`, `episode`, ...)."""
        self._source = source
        reply = self._call({
            "op": "hello", "workspace": str(workspace), "source": source, "pid": os.getpid(),
            "client": client, "position_encoding": position_encoding,
        })
        return reply

    def send_step(self, at_ms: int, step: Step | dict[str, Any]) -> None:
        """Queue one step, a struct (messages.py) or a map (fire and forget). Raises CollectorError only
        when the connection is closed."""
        self._send_fire_and_forget({"op": "step", "at": at_ms, "step": step})

    def send_steps(self, items: Sequence[tuple[int, Step | dict[str, Any]]]) -> None:
        """Queue several steps as one message (fire and forget)."""
        self._send_fire_and_forget({"op": "steps", "items": [[at, step] for at, step in items]})

    def request(self, op: str, **args: Any) -> Any:
        """Send a request and wait for its result; CollectorError carries the collector's one-line error."""
        reply = self._call({"op": op, **args})
        return reply.get("result")

    def next_event(self, timeout: float | None = None) -> dict[str, Any] | None:
        """The next unsolicited event (`sealed`, `paused`, `resumed`), or None on timeout or close."""
        try:
            item = self._events.get(timeout=timeout)
        except queue.Empty:
            return None
        if item is _CLOSED:
            self._events.put(_CLOSED)
            return None
        assert isinstance(item, dict)
        return item

    def events(self) -> Iterator[dict[str, Any]]:
        """Every event, blocking, until the connection closes."""
        while (event := self.next_event()) is not None:
            yield event

    def close(self) -> None:
        """Flush what is queued, say that nothing more comes (a half close), and read the collector's
        answers until it closes its side: each bounded, 2 s. Closing both sides at once would make the
        collector's answer to a request still in flight fail, and the collector stop reading what was
        sent after that request."""
        if not self._closed.is_set():
            with contextlib.suppress(queue.Full):
                self._outbox.put(_CLOSED, timeout=2.0)
            self._writer.join(timeout=2.0)
            if not self._writer.is_alive() and not self._closed.is_set():
                with contextlib.suppress(OSError):
                    self._sock.shutdown(_socket.SHUT_WR)
                self._reader.join(timeout=2.0)
        self._shutdown()
        self._reader.join(timeout=2.0)

    def _send_fire_and_forget(self, message: dict[str, Any]) -> None:
        if self._closed.is_set():
            raise CollectorError("the collector connection is closed")
        data = self._encode(message)
        if self._lost:
            gap = {"kind": "gap", "t_ms": 0, "source": self._source, "reason": "recorder_behind",
                   "detail": "client send queue was full", "lost_steps": self._lost}
            try:
                self._outbox.put_nowait(self._encode({"op": "step", "at": now_ms(), "step": gap}))
            except queue.Full:
                self._count_lost(message)
                return
            self._lost = 0
        try:
            self._outbox.put_nowait(data)
        except queue.Full:
            self._count_lost(message)

    def _encode(self, message: dict[str, Any]) -> bytes:
        """One message framed in this connection's dialect."""
        return encode_plain(message) if self._as_json else encode(message)

    def _count_lost(self, message: dict[str, Any]) -> None:
        count = len(message["items"]) if message["op"] == "steps" else 1
        self._lost += count
        self._lost_total += count

    def _call(self, message: dict[str, Any]) -> dict[str, Any]:
        request_id = next(self._ids)
        done = threading.Event()
        slot: list[dict[str, Any]] = []
        with self._pending_lock:  # (asked under the lock _shutdown wakes the waiting under: a connection that
            # closes between the two is seen here, never waited on for request_timeout)
            if self._closed.is_set():
                raise CollectorError("the collector connection is closed")
            self._pending[request_id] = (done, slot)
        try:
            self._outbox.put(self._encode({**message, "id": request_id}), timeout=self.request_timeout)
            if not done.wait(self.request_timeout):
                waited = f"{self.request_timeout:g} s"
                raise CollectorError(f"the collector did not answer {message['op']} in {waited}")
        except queue.Full:
            raise CollectorError("the collector is not reading this connection") from None
        finally:
            with self._pending_lock:
                self._pending.pop(request_id, None)
        if not slot:
            raise CollectorError(f"the collector closed the connection during {message['op']}")
        reply = slot[0]
        if not reply.get("ok", False):
            raise CollectorError(str(reply.get("error") or f"{message['op']} failed"))
        return reply

    def _write_loop(self) -> None:
        """Send what is queued, batching whatever is already waiting (up to 1 MiB) into one write."""
        while True:
            item = self._outbox.get()
            batch: list[bytes] = []
            size = 0
            while item is not _CLOSED and not self._closed.is_set():
                assert isinstance(item, bytes)
                batch.append(item)
                size += len(item)
                if size >= _BATCH_BYTES:
                    break
                try:
                    item = self._outbox.get_nowait()
                except queue.Empty:
                    break
            try:
                if batch:
                    self._sock.sendall(b"".join(batch))
            except OSError:
                self._shutdown()
                return
            if item is _CLOSED or self._closed.is_set():
                return

    def _read_loop(self) -> None:
        try:
            while (message := recv_message(self._sock, plain=self._as_json)) is not None:
                if "event" in message:
                    self._events.put(message)
                    continue
                with self._pending_lock:
                    waiting = self._pending.get(message.get("id", -1))
                if waiting is not None:
                    waiting[1].append(message)
                    waiting[0].set()
        except (OSError, FramingError):
            pass
        self._shutdown()

    def _shutdown(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        with contextlib.suppress(OSError):
            self._sock.shutdown(_socket.SHUT_RDWR)
        self._sock.close()
        self._events.put(_CLOSED)
        with contextlib.suppress(queue.Full):
            self._outbox.put_nowait(_CLOSED)
        with self._pending_lock:
            for done, _slot in self._pending.values():
                done.set()
