"""Observe mode: `codetape bridge`, an extra language server next to the editor's real ones.

It offers no language feature: only text sync (incremental; whole-document changes are handled too),
saves with their text, file operations, the `codetape.*` commands and the position encoding the editor
prefers (`wire/initialize.py`). It reads the editor's stream with the framing proxy mode uses
(`wire/framing.py`), parses each message once as plain JSON and dispatches it here: text sync and
`codetape/*` notifications go to `EditorCapture` and `Extensions` as they are, so a keystroke costs one
`json.loads` and its translation. Why not pygls: bench/README.md, "Observe mode: one LSP stack".

Whatever the editor sends, the session goes on: a message that cannot be read is one log line and a
`malformed_input` gap; a request the bridge does not serve, or cannot read the params of, is answered
with an error. The bridge's own requests to the editor (the review prompt, file watching) go through
`Editor`, as in proxy mode. Messages are handled on one thread, in the order they came; only the answers
to `workspace/executeCommand` are written later, from the thread that has the collector's answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from collector.protocol.clock import now_ms
from lsp_bridge.capture.extensions import Extensions
from lsp_bridge.capture.handlers import EditorCapture
from lsp_bridge.capture.notebooks import NOTEBOOK_SYNC
from lsp_bridge.capture.sync import HOLD_MS, TEXT_SYNC
from lsp_bridge.errors import MalformedMessage
from lsp_bridge.modes.early import Early
from lsp_bridge.wire.editor import Editor
from lsp_bridge.wire.framing import LspFrame, encode, parse
from lsp_bridge.wire.initialize import capability, client_of, folders_of, initialize_result
from lsp_bridge.wire.pipes import Stdin
from schemas.methods import NOTIFICATION_METHODS

log = logging.getLogger(__name__)

# JSON-RPC error codes
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603

FILES = frozenset({"workspace/didCreateFiles", "workspace/didRenameFiles", "workspace/didDeleteFiles",
                   "workspace/didChangeWatchedFiles"})
CAPTURED = TEXT_SYNC | FILES | NOTEBOOK_SYNC  # handed to EditorCapture as they are
EXTENSIONS = frozenset(NOTIFICATION_METHODS)  # handed to Extensions as they are
WATCH_EVERY_FILE = {"registrations": [{
    "id": "codetape-watched-files", "method": "workspace/didChangeWatchedFiles",
    "registerOptions": {"watchers": [{"globPattern": "**/*"}]}}]}


def _is_id(value: Any) -> bool:
    return isinstance(value, int | str) and not isinstance(value, bool)


class Observer:
    """Observe mode's server: `receive` takes every frame from the editor, in order, on one thread.

    `write` sends one framed message to the editor and may be called from any thread; `answered_early`
    names the `initialize` requests `early.answer_initialize` answered already.
    """

    def __init__(self, capture: EditorCapture, write: Callable[[bytes], None], *,
                 answered_early: set[int | str] | None = None,
                 clock: Callable[[], int] | None = None) -> None:
        self.recorder = capture.recorder
        self.capture = capture
        self.extensions = Extensions(self.capture)
        self.editor = Editor(write)
        self.clock = clock or now_ms
        self.capabilities: dict[str, Any] = {}  # the editor's, from `initialize`
        self.shutdown_requested = False
        self.exited = False
        self.finished = False
        self.on_initialized: Callable[[Any], None] = lambda experimental: None  # the editor's experimental
        self._write = write
        self._answered_early = set(answered_early or ())
        self._requests: dict[str, Callable[[Any], Any]] = {
            "initialize": self.initialize,
            "shutdown": self.shutdown,
            "workspace/executeCommand": self.execute_command,
        }
        self._notifications: dict[str, Callable[[Any], None]] = {
            "initialized": self.initialized,
            "exit": self.exit,
            "workspace/didChangeWorkspaceFolders": self.folders_changed,
        }

    # -- reading -------------------------------------------------------------------------------------

    def receive(self, frame: LspFrame, at: int) -> None:
        """One frame from the editor, which arrived at `at` (ms)."""
        if frame.error is not None:
            self.capture.unreadable(at, frame.error, from_editor=True)
            return
        if frame.body is None:
            return
        try:
            message = parse(frame.body)
            if not isinstance(message, dict):
                raise MalformedMessage("not a JSON-RPC message (not an object)")
            if message.get("jsonrpc") != "2.0":
                raise MalformedMessage("not a JSON-RPC 2.0 message")
            method, key = message.get("method"), message.get("id")
            if "id" in message and not _is_id(key):
                raise MalformedMessage("the message id is neither a number nor a string")
            if "method" in message and not isinstance(method, str):
                raise MalformedMessage("the method is not a string")
        except MalformedMessage as exc:
            self.capture.unreadable(at, str(exc), from_editor=True)
            return
        if method is None:
            if not self.editor.answered(message):
                log.debug("codetape: skipped an answer to no request of the bridge's (id %r)", key)
        elif isinstance(key, int | str):  # a request (a bool id was refused above)
            self._request(key, method, message.get("params"))
        else:
            self._notification(method, message.get("params"), at)

    def _notification(self, method: str, params: Any, at: int) -> None:
        if self.shutdown_requested and method != "exit":
            return
        if method in CAPTURED:
            self.capture.handle(method, params, at)  # the keystroke path
        elif method in EXTENSIONS:
            self.extensions.handle(method, params, at)
        elif (handler := self._notifications.get(method)) is not None:
            try:
                handler(params)
            except MalformedMessage as exc:
                log.error("codetape: skipped %s: %s", method, exc)
            except Exception as exc:  # one line; the traceback only with --verbose
                log.debug("codetape: %s failed", method, exc_info=True)
                log.error("codetape: skipped %s: %r", method, exc)

    def _request(self, key: int | str, method: str, params: Any) -> None:
        if self.shutdown_requested:
            self._error(key, INVALID_REQUEST, f"{method}: the bridge is shutting down")
            return
        handler = self._requests.get(method)
        if handler is None:
            self._error(key, METHOD_NOT_FOUND, f"{method}: not served by the codetape bridge")
            return
        try:
            result = handler(params)
        except MalformedMessage as exc:
            log.error("codetape: refused %s: %s", method, exc)
            self._error(key, INVALID_PARAMS, f"{method}: {exc}")
            return
        except Exception as exc:  # one line; the traceback only with --verbose
            log.debug("codetape: %s failed", method, exc_info=True)
            log.error("codetape: %s failed: %r", method, exc)
            self._error(key, INTERNAL_ERROR, f"{method} failed: {exc!r}")
            return
        if isinstance(result, Future):
            result.add_done_callback(lambda done: self._answer_later(key, done))
        else:
            self._answer(key, result)

    # -- answering -----------------------------------------------------------------------------------

    def _answer(self, key: int | str, result: Any) -> None:
        if key in self._answered_early:
            self._answered_early.discard(key)
            return
        self._write(encode({"jsonrpc": "2.0", "id": key, "result": result}))

    def _error(self, key: int | str, code: int, message: str) -> None:
        self._write(encode({"jsonrpc": "2.0", "id": key, "error": {"code": code, "message": message}}))

    def _answer_later(self, key: int | str, done: Future[Any]) -> None:
        """(any thread) The answer to a request whose result came as a future."""
        if done.cancelled():
            self._error(key, INTERNAL_ERROR, "cancelled")
        elif (exc := done.exception()) is not None:
            self._error(key, INTERNAL_ERROR, str(exc))
        else:
            self._answer(key, done.result())

    # -- requests ------------------------------------------------------------------------------------

    def initialize(self, params: Any) -> dict[str, Any]:
        """initialize: record the editor, the negotiated position encoding and the workspace folders."""
        result = initialize_result(params)
        self.capabilities = params["capabilities"]
        self.capture.initialized(result["capabilities"]["positionEncoding"], client_of(params),
                                 folders_of(params))
        return result

    def shutdown(self, params: Any) -> None:
        """shutdown: hand what is spooled to the collector."""
        self.shutdown_requested = True
        self.finish()

    def execute_command(self, params: Any) -> Future[Any]:
        """workspace/executeCommand for the `codetape.*` commands: the collector's answer."""
        if not isinstance(params, dict) or not isinstance(params.get("command"), str):
            raise MalformedMessage("executeCommand params name no command")
        arguments = params.get("arguments")
        return self.extensions.execute(params["command"], arguments if isinstance(arguments, list) else None)

    # -- notifications -------------------------------------------------------------------------------

    def initialized(self, params: Any) -> None:
        """initialized: ask to be told about file changes on disk, when the editor can watch files."""
        self.on_initialized(self.capabilities.get("experimental"))
        self.capture.origins.initialized(self.capabilities.get("experimental"))
        watched = capability(self.capabilities, "workspace", "didChangeWatchedFiles", "dynamicRegistration")
        if watched is True:
            self.editor.request("client/registerCapability", WATCH_EVERY_FILE)

    def exit(self, params: Any) -> None:
        """exit"""
        self.exited = True
        self.finish()

    def folders_changed(self, params: Any) -> None:
        """workspace/didChangeWorkspaceFolders: the added folders' workspaces start recording."""
        added = capability(params, "event", "added") if isinstance(params, dict) else None
        if not isinstance(added, list):
            raise MalformedMessage("event.added is not a list")
        uris = [f["uri"] for f in added if isinstance(f, dict) and isinstance(f.get("uri"), str)]
        for root in self.capture.workspaces.add_folders(uris):
            self.recorder.open(root)

    def finish(self) -> None:
        if not self.finished:
            self.finished = True
            self.capture.release(None, self.clock())  # changes still waiting for a predecessor
            self.recorder.flush()


def serve(observer: Observer, stdin: Stdin, early: Early) -> int:
    """Serve until exit or the end of input, after what `early` read (and answered); 0 after a proper
    shutdown, else 1 (as LSP asks)."""
    for frame, at in early.frames:
        if observer.exited:
            break
        observer.receive(frame, at)
    framer, ended = early.framer, early.ended
    capture = observer.capture
    while not ended and not observer.exited:
        # changes waiting for a predecessor wait HOLD_MS at most, also when the editor then goes quiet
        data = stdin.take(HOLD_MS / 1000 if capture.holding else None)
        at = observer.clock()
        if data is None:
            capture.expire(at)
            continue
        if data:
            frames = framer.feed(data)
        else:  # the end of input: what is held back is a damaged frame
            ended = True
            frames = [tail] if (tail := framer.finish()) is not None else []
        for frame in frames:
            observer.receive(frame, at)
            if observer.exited:
                break
    observer.finish()
    return 0 if observer.shutdown_requested else 1
