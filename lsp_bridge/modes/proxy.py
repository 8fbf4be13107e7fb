"""Proxy mode: `codetape bridge -- CMD ARGS...` between the editor and a real language server.

Two forwarding threads copy messages unchanged and in order, editor -> server and server -> editor
(bytes that form no message at all are dropped and logged, so that neither end loses its framing). The
one message a server may not send is a `codetape/*` one (lsp_bridge/wire/reserved.py): it is dropped, logged
once, and a request among them is answered with an error so that the server does not wait. The
editor's `codetape/*` notifications (an extension's cursor, diagnostics, notes) are for the bridge alone:
they are translated, never forwarded to the server, which would only log them as unknown. A
message is written first; only then is a reference to its body handed to the tap, a bounded in-memory
queue that never blocks, read by the translator thread. Nothing on the forwarding path touches disk,
parses JSON (except a small body that may answer one of the bridge's own requests, or name a codetape
method, or say exit; each through `framing.parse`, which cannot raise past a refusal) or waits for the
recorder.

The bridge's own requests to the editor (lsp_bridge/wire/editor.py, as in observe mode) use string ids
`codetape-N`; the editor's answers to them are kept from the server. When the server exits, what the
editor had already sent is still read and recorded (the editor thread says when it is all in the tap; at
most FINISH_READING_S), then the editor's stream is closed and the bridge exits with the server's
status; when the editor says exit or goes away, the server gets a few seconds (exit_grace_s) to exit
before it is terminated. A server the bridge terminated after the editor's exit was doing as asked, only
slowly (a loaded machine, a lint finishing): the bridge then exits with 0, as that server would have, not
with the signal's 128 + N, which says a server died of a signal nobody asked for (the bridge's own
SIGTERM, passed on to the server, still gives 143).

The server's answer to the editor's `shutdown` waits (at most SHUTDOWN_WAIT_S) until the translator has read
everything the editor sent before it and the recorder has handed those steps to the collector: an editor may
kill its servers as soon as they answer (Helix does), and the bridge with them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from collector.platform.spawn import KILL, Readable
from collector.protocol.clock import now_ms
from lsp_bridge.errors import MalformedMessage
from lsp_bridge.server import ServerProcess, start_server
from lsp_bridge.wire.editor import Editor
from lsp_bridge.wire.framing import Framer, LspFrame, encode, parse
from lsp_bridge.wire.pipes import Outlet
from lsp_bridge.wire.reserved import PREFIX, Reserved, refusal, reserved_method
from lsp_bridge.wire.tap import Tap

if TYPE_CHECKING:  # built by the translator thread once the server has spoken (see Proxy)
    from lsp_bridge.modes.traffic import Traffic

log = logging.getLogger(__name__)

CHUNK = 256 * 1024
TRANSLATE_PACE_S = 0.01  # the translator drains the tap this often; forwarding never wakes it
IDLE_PACE_S = 0.2  # and backs off to this while nothing comes
FINISH_TRANSLATING_S = 5.0  # after the server exits, translating what was forwarded may take this long
FINISH_READING_S = 1.0  # and reading what the editor had sent by then (an editor that never stops: no longer)
SHUTDOWN_WAIT_S = 2.5  # the answer to the editor's shutdown waits at most this long for its steps
SWITCH_INTERVAL_S = 0.0002  # a forwarding thread waits at most this long for the translator's GIL
TapItem = tuple[str, int, bytes | None, str | None]


_CODETAPE_METHOD = re.compile(rb'"method"\s*:\s*"codetape/')  # (a quote inside a JSON string is escaped)
OWN_NOTIFICATION_LIMIT = 1 << 20  # a larger body that names a codetape method is forwarded, not parsed


def _is_own_notification(body: bytes) -> bool:
    """(editor thread) Whether `body` is a `codetape/*` notification from the editor's extension: only a
    body with a `"method": "codetape/` key in the clear, below OWN_NOTIFICATION_LIMIT, is parsed."""
    if (len(body) > OWN_NOTIFICATION_LIMIT or b"codetape/" not in body
            or _CODETAPE_METHOD.search(body) is None):
        return False
    try:
        message = parse(body)
    except MalformedMessage:  # forwarded, and the translator makes it a gap
        return False
    if not isinstance(message, dict) or "id" in message:
        return False
    method = message.get("method")
    return isinstance(method, str) and method.startswith(PREFIX)


def _shutdown_id(body: bytes) -> int | str | None:
    """The id of an editor's `shutdown` request in `body`, else None (only a small body naming it is
    parsed)."""
    if len(body) > 512 or b'"shutdown"' not in body:
        return None
    try:
        message = parse(body)
    except MalformedMessage:
        return None
    if not isinstance(message, dict) or message.get("method") != "shutdown":
        return None
    key = message.get("id")
    return key if isinstance(key, (int, str)) and not isinstance(key, bool) else None


def _answer_id(body: bytes) -> object:
    """The id of the response in `body` (a small one: a shutdown's answer is `null`), else None."""
    if len(body) > 512 or b'"method"' in body:
        return None
    try:
        message = parse(body)
    except MalformedMessage:
        return None
    return message.get("id") if isinstance(message, dict) else None


def _is_exit(body: bytes) -> bool:
    if len(body) > 512 or b'"exit"' not in body:
        return False
    try:
        message = parse(body)
    except MalformedMessage:
        return False
    return isinstance(message, dict) and message.get("method") == "exit"


class Proxy:
    """`traffic` may be given as a function that builds it: the translator thread calls it once the
    server has written its first bytes (or is gone), so that loading and starting the recording does not
    compete with the server's own start; until then the tap holds what was forwarded."""

    def __init__(self, command: list[str], traffic: Traffic | Callable[[], Traffic], *, editor_in: int = 0,
                 editor_out: int = 1,
                 clock: Callable[[], int] | None = None, tap: Tap[TapItem] | None = None,
                 exit_grace_s: float = 3.0, finish_translating_s: float = FINISH_TRANSLATING_S,
                 server: ServerProcess | None = None) -> None:
        self.command = command
        self._make_traffic = traffic if callable(traffic) else None
        self.traffic: Traffic | None = None if callable(traffic) else traffic
        self._server_spoke = threading.Event()
        self._editor_in = editor_in
        self.out = Outlet(editor_out, "editor")
        self.server_in: Outlet | None = None  # the server's stdin, once it runs
        self.editor = Editor(self.out.inject)
        self._clock = clock or now_ms
        self.tap: Tap[TapItem] = tap or Tap()
        self._exit_grace_s = exit_grace_s
        self._finish_translating_s = finish_translating_s
        self._proc: ServerProcess | None = server  # started already, or by run()
        self._refused_once = False
        self._stop_timer: threading.Timer | None = None
        self._exit_forwarded = False  # (editor thread) the editor said exit, and the server was told
        self._stopped_after_exit = False  # the bridge terminated a server that was slow to honour it
        self._abandon = threading.Event()  # set when the server is gone and translating takes too long
        self._server_gone = threading.Event()
        self._editor_drained = threading.Event()  # server gone, and all the editor had sent is in the tap
        self._wake_read, self._wake_write = -1, -1  # a pipe that wakes the idle editor thread (made by run)
        self._shutdown_ids: set[int | str] = set()  # (editor thread) the editor's shutdown requests
        self._handed_over = threading.Event()  # what the editor sent before shutdown is with the collector

    def run(self) -> int:
        """Forward until the server exits; returns the server's exit status (128 + N for signal N)."""
        if self._proc is None:
            self._proc = start_server(self.command)
        assert self._proc.stdin is not None
        self.server_in = Outlet(self._proc.stdin.fileno(), "language server")
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: self._terminate())
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        self._wake_read, self._wake_write = os.pipe()
        threads = [threading.Thread(target=self._editor_pump, name="codetape-editor", daemon=True),
                   threading.Thread(target=self._translate, name="codetape-translator", daemon=True)]
        for thread in threads:
            thread.start()
        self._server_pump()
        try:
            code = self._proc.wait(self._exit_grace_s)
        except subprocess.TimeoutExpired:
            log.warning("codetape: the language server closed its output but did not exit; terminating it")
            self._stop_slow_server()
            code = self._proc.wait()
        self._finish_reading()
        os.close(self._wake_write)
        self.out.close()
        if self._stop_timer is not None:
            self._stop_timer.cancel()
        self.tap.close()
        threads[1].join(self._finish_translating_s)
        if threads[1].is_alive():  # what is left is counted into a gap, not dropped silently
            self._abandon.set()
            threads[1].join(self._finish_translating_s)
        if self._stopped_after_exit and code in (-signal.SIGTERM, -KILL):
            log.info("codetape: the language server had not exited %g s after the editor's exit, so the "
                     "bridge stopped it", self._exit_grace_s)
            return 0
        if code:
            log.warning("codetape: the language server exited with status %s", code)
        return code if code >= 0 else 128 - code

    # -- forwarding threads ------------------------------------------------------------------------------

    def _refuse(self, reserved: Reserved) -> None:
        """(server thread) Keep a server's codetape/* message from the editor; answer a request."""
        if not self._refused_once:
            self._refused_once = True
            log.warning("codetape: the language server sent %s; codetape/* messages come only from the "
                        "bridge, so it was not forwarded to the editor (nor will any more be)",
                        reserved.method)
        if reserved.request_id is not None and self.server_in is not None:
            self.server_in.inject(encode(refusal(reserved)))

    def _put(self, side: str, frame: LspFrame, at: int) -> None:
        if frame.body is None and frame.error is None:
            return
        body = frame.body
        self.tap.put((side, at, body, frame.error), 256 + (len(body) if body is not None else 0))

    def _finish_reading(self) -> None:
        """The server is gone: what the editor had sent by now is still the developer's work. Wake the
        editor thread (an idle editor: it waits for input) and wait until it says it has tapped all of it,
        or has ended, or FINISH_READING_S has passed (an editor that never stops sending)."""
        self._server_gone.set()
        with contextlib.suppress(OSError):  # (the editor thread has ended, and closed the other end)
            os.write(self._wake_write, b"x")
        self._editor_drained.wait(FINISH_READING_S)

    def _editor_pump(self) -> None:
        try:
            self._forward_editor()
        finally:
            self._editor_drained.set()
            os.close(self._wake_read)

    def _forward_editor(self) -> None:
        """Only this thread knows when a chunk it read is in the tap: once the server is gone, it says so
        between reads while nothing more is pending (one flag read a chunk until then). It waits for the
        editor's input or the wake-up `_finish_reading` sends, never in a read that nothing may end."""
        framer = Framer()
        server_in = self.server_in
        assert server_in is not None and self._proc is not None and self._proc.stdin is not None
        editor = Readable(self._editor_in)
        either = Readable(self._editor_in, self._wake_read)
        while True:
            if self._server_gone.is_set() and not editor.ready(0):
                self._editor_drained.set()
            if self._editor_in not in either.ready():
                either.forget(self._wake_read)  # woken once: the server is gone, say so above
                continue
            try:
                data = os.read(self._editor_in, CHUNK)
            except OSError:
                data = b""
            if not data:
                break
            at = self._clock()
            for frame in framer.feed(data):
                if frame.body is not None and self.editor.claim(frame.body):
                    continue
                if frame.body is not None and (key := _shutdown_id(frame.body)) is not None:
                    self._shutdown_ids.add(key)  # (before it is tapped: the translator hands over at it)
                self._put("editor", frame, at)  # tapped before the server can answer it (see _server_pump)
                if frame.body is not None and _is_own_notification(frame.body):
                    continue  # the bridge's alone
                server_in.frame(frame)
                if frame.body is not None and _is_exit(frame.body):
                    self._exit_forwarded = True
                    self._stop_later()
        if (tail := framer.finish()) is not None:
            self._put("editor", tail, self._clock())
        server_in.close(self._proc.stdin.close)
        self._stop_later()

    def _server_pump(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        framer = Framer()
        spoke = False
        while True:
            try:
                data = os.read(fd, CHUNK)
            except OSError:
                data = b""
            if not data:
                break
            at = self._clock()
            for frame in framer.feed(data):
                if frame.body is not None and (reserved := reserved_method(frame.body)) is not None:
                    self._refuse(reserved)
                    continue
                # tapped before the editor sees it: what the editor sends in reply is tapped after it, so
                # the translator reads the initialize answer (the position encoding) before the edits
                self._put("server", frame, at)
                if self._shutdown_ids and frame.body is not None \
                        and _answer_id(frame.body) in self._shutdown_ids:
                    self._handed_over.wait(SHUTDOWN_WAIT_S)  # (an editor may kill the bridge once answered)
                self.out.frame(frame)
            if not spoke:  # (Event.set takes a lock: once is enough)
                self._server_spoke.set()
                spoke = True
        if (tail := framer.finish()) is not None:
            self._put("server", tail, self._clock())
            self.out.frame(tail)
        self._server_spoke.set()

    def _stop_later(self) -> None:
        """The editor said exit or went away: give the server a few seconds, then terminate it."""
        if self._stop_timer is None:
            self._stop_timer = threading.Timer(self._exit_grace_s, self._stop_slow_server)
            self._stop_timer.daemon = True
            self._stop_timer.start()

    def _stop_slow_server(self) -> None:
        """(timer, or the main thread) The server outlasted the grace after the editor said exit or went
        away, or after it closed its output: terminate it, noting first whether it had been asked to exit
        (the main thread reads the note once the server's exit, which follows it, is seen)."""
        self._stopped_after_exit = self._exit_forwarded
        self._terminate()

    def _terminate(self) -> None:
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(self._exit_grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()

    # -- translator thread ---------------------------------------------------------------------------------

    def _hand_over(self, traffic: Traffic) -> None:
        """The editor asked for shutdown: what it sent before is translated; hand it to the collector now,
        before the server's answer reaches the editor (Helix kills its servers as soon as they answer:
        the last keystrokes and save before `:q` were lost with the bridge)."""
        traffic.capture.release(None, self._clock())  # changes still waiting for a predecessor
        if not traffic.capture.recorder.hand_over():
            log.warning("codetape: the collector did not take the steps before the editor's shutdown in time")
        self._handed_over.set()

    def _translate(self) -> None:
        if self._make_traffic is not None:
            self._server_spoke.wait()
            self.traffic = self._make_traffic()
        traffic = self.traffic
        assert traffic is not None
        pace = TRANSLATE_PACE_S
        while True:
            closed = self.tap.closed
            items, dropped_after = self.tap.drain(pace)
            pace = TRANSLATE_PACE_S if items else min(pace * 2, IDLE_PACE_S)
            for index, ((side, at, body, error), dropped) in enumerate(items):
                if self._abandon.is_set():
                    left = len(items) - index + sum(d for _, d in items[index:]) + dropped_after
                    rest, dropped_rest = self.tap.drain(0)
                    left += len(rest) + sum(d for _, d in rest) + dropped_rest
                    traffic.capture.lost_messages(self._clock(), left)
                    return
                if dropped:
                    traffic.capture.lost_messages(at, dropped)
                traffic.received(side, at, body, error)
                if side == "editor" and self._shutdown_ids and body is not None \
                        and _shutdown_id(body) is not None:
                    self._hand_over(traffic)
            if dropped_after:
                traffic.capture.lost_messages(self._clock(), dropped_after)
            if traffic.capture.holding:  # changes waiting for a predecessor wait HOLD_MS at most
                traffic.capture.expire(self._clock())
            if closed and not items:
                traffic.capture.release(None, self._clock())
                traffic.capture.offers.finish(self._clock())
                return
