"""Observe mode: `codetape bridge`, an extra language server next to the real ones (pygls).

It advertises no language features: only text sync (incremental; full changes are handled too), saves
with their text, file operations, the `codetape.*` commands, and the position encoding the editor
prefers. Text sync and `codetape/*` params reach the handlers as plain JSON (`RawNotification`), so
`Capture` checks them itself and a malformed message costs a gap, never the session. The transport is
`lsp_bridge.framing` (damaged input is logged and skipped) feeding pygls's JSON-RPC layer.

The text-sync notifications (one per keystroke) take a direct path: parsed once as plain JSON and handed
to `Capture` without pygls's structuring and dispatch, which cost most of the time per keystroke. Every
other message, and any message after `shutdown`, goes through pygls as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

import attrs
import cattrs
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, default_converter, lsp_method
from pygls.uris import from_fs_path

from collector import __version__
from collector.protocol.clock import now_ms
from lsp_bridge.capture import Capture
from lsp_bridge.early import SERVER_NAME, Early
from lsp_bridge.errors import MalformedMessage
from lsp_bridge.extensions import Extensions
from lsp_bridge.framing import Frame, parse
from lsp_bridge.recorder import Recorder
from lsp_bridge.stdin import Stdin, Stdout
from lsp_bridge.workspaces import Workspaces
from schemas.methods import COMMANDS, NOTIFICATION_METHODS

log = logging.getLogger(__name__)

_FILE_OPERATIONS = lsp.FileOperationRegistrationOptions(
    filters=[lsp.FileOperationFilter(pattern=lsp.FileOperationPattern(glob="**/*"), scheme="file")])
TEXT_SYNC_METHODS = frozenset({
    lsp.TEXT_DOCUMENT_DID_OPEN, lsp.TEXT_DOCUMENT_DID_CHANGE, lsp.TEXT_DOCUMENT_DID_CLOSE,
    lsp.TEXT_DOCUMENT_DID_SAVE, lsp.WORKSPACE_DID_CREATE_FILES, lsp.WORKSPACE_DID_RENAME_FILES,
    lsp.WORKSPACE_DID_DELETE_FILES, lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
})
RAW_METHODS = TEXT_SYNC_METHODS | frozenset(NOTIFICATION_METHODS)


@attrs.define
class RawNotification:
    """A notification whose params stay plain JSON values."""

    method: str
    jsonrpc: str
    params: Any = None


_SKIP = RawNotification(method="", jsonrpc="skip")


def _converter() -> cattrs.Converter:
    converter: cattrs.Converter = default_converter()  # type: ignore[no-untyped-call]
    converter.register_structure_hook(RawNotification, lambda data, _cls: RawNotification(
        method=data.get("method"), jsonrpc=data.get("jsonrpc"), params=data.get("params")))
    return converter


class BridgeProtocol(LanguageServerProtocol):
    """pygls's LSP protocol, minus its own document store (the bridge tracks documents itself)."""

    _server: ObserveServer
    answered_early: dict[int | str, dict[str, Any]]

    def __init__(self, server: Any, converter: Any) -> None:
        super().__init__(server, converter)
        self.answered_early = {}

    def get_message_type(self, method: str) -> type[Any] | None:  # type: ignore[override]
        if method in RAW_METHODS:
            return RawNotification
        return super().get_message_type(method)

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            method = data.get("method")
            log.error("codetape: refused %s: params do not match the LSP types", method or "a message")
            if "id" in data and method is not None:
                self._send_response(data["id"], error=exc.to_response_error())
            return _SKIP

    def handle_message(self, message: Any) -> None:
        if message is _SKIP:
            return
        super().handle_message(message)

    def _send_response(self, msg_id: Any, result: Any | None = None, error: Any | None = None) -> None:
        """pygls's answer to a request answered early (`initialize`) is dropped, after comparing."""
        sent = self.answered_early.pop(msg_id, None) if isinstance(msg_id, int | str) else None
        if sent is None:
            super()._send_response(msg_id, result, error)
            return
        ours = None if error is not None else self._converter.unstructure(result)
        if ours != sent:
            log.error("codetape: the early answer to request %r was %s; pygls's is %s", msg_id,
                      json.dumps(sent), json.dumps(ours) if error is None else error)

    @lsp_method(lsp.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: Any) -> Any:
        if (handler := self.fm.features.get(lsp.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: Any) -> Any:
        if (handler := self.fm.features.get(lsp.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: Any) -> Any:
        if (handler := self.fm.features.get(lsp.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None


class ObserveServer(LanguageServer):
    """The observe-mode server: state lives here, handlers below take it as `ls`."""

    protocol: BridgeProtocol

    def __init__(self, recorder: Recorder, workspaces: Workspaces,
                 clock: Callable[[], int] | None = None) -> None:
        super().__init__(SERVER_NAME, __version__,
                         text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental,
                         protocol_cls=BridgeProtocol, converter_factory=_converter)
        self.recorder = recorder
        self.capture = Capture(recorder, workspaces)
        self.extensions = Extensions(self.capture)
        self.clock = clock or now_ms
        self.received_at = 0
        self.shutdown_requested = False
        self.finished = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self.experimental: Any = None  # the editor's experimental capabilities
        self.on_initialized: Callable[[Any], None] = lambda experimental: None

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Errors are logged, never shown: the bridge stays invisible to the developer."""
        log.error("codetape: %s", error)

    def receive(self, frame: Frame, at: int) -> None:
        """One frame from the editor: what cannot be read or handled is one log line and a gap, and the
        session goes on with the next frame."""
        if frame.error is not None:
            self.capture.unreadable(at, frame.error, from_editor=True)
            return
        if frame.body is None:
            return
        self.received_at = at
        try:
            data = parse(frame.body)
            if not isinstance(data, dict):
                raise MalformedMessage("not a JSON-RPC message (not an object)")
            method, notification = data.get("method"), "id" not in data
            if notification and method is not None and not isinstance(method, str):  # pygls answers a request
                raise MalformedMessage("a notification whose method is not a string")
        except MalformedMessage as exc:
            self.capture.unreadable(at, str(exc), from_editor=True)
            return
        if (notification and isinstance(method, str) and method in TEXT_SYNC_METHODS
                and not self.shutdown_requested and data.get("jsonrpc") == "2.0"):
            self.capture.handle(method, data.get("params"), at)  # the keystroke path
            return
        try:
            self.protocol.handle_message(self.protocol.structure_message(data))
        except Exception as exc:  # pygls reports what its handlers raise; this is what it did not read
            self.capture.unreadable(at, f"not a JSON-RPC message ({exc!r})", from_editor=True)

    def finish(self) -> None:
        if not self.finished:
            self.finished = True
            self.recorder.flush()


def initialize(ls: ObserveServer, params: lsp.InitializeParams) -> None:
    """initialize: record the editor, the negotiated position encoding and the workspace folders."""
    ls.experimental = params.capabilities.experimental
    info = params.client_info
    client = {"name": info.name, "version": info.version} if info is not None else None
    folders = [f.uri for f in params.workspace_folders or ()]
    if not folders and params.root_uri:
        folders = [params.root_uri]
    if not folders and params.root_path:
        folders = [from_fs_path(params.root_path) or ""]
    encoding = str(getattr(ls.workspace.position_encoding, "value", ls.workspace.position_encoding))
    ls.capture.initialized(encoding, client, folders)  # type: ignore[arg-type]


def initialized(ls: ObserveServer, params: lsp.InitializedParams) -> None:
    """initialized: ask to be told about file changes on disk, when the editor can watch files."""
    ls.on_initialized(ls.experimental)
    workspace = ls.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace is not None else None
    if watched is None or not watched.dynamic_registration:
        return
    watchers = [lsp.FileSystemWatcher(glob_pattern="**/*")]
    options = lsp.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)
    registration = lsp.Registration(id="codetape-watched-files",
                                    method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options)
    ls.client_register_capability(lsp.RegistrationParams(registrations=[registration]))


def shutdown(ls: ObserveServer, params: None) -> None:
    """shutdown: hand what is spooled to the collector."""
    ls.shutdown_requested = True
    ls.finish()


def exit_(ls: ObserveServer, params: None) -> None:
    """exit"""
    ls.finish()


def text_sync(method: str) -> Callable[[ObserveServer, Any], None]:
    def handler(ls: ObserveServer, params: Any) -> None:
        ls.capture.handle(method, params, ls.received_at)
    handler.__doc__ = method
    return handler


def custom(method: str) -> Callable[[ObserveServer, Any], None]:
    def handler(ls: ObserveServer, params: Any) -> None:
        ls.extensions.handle(method, params, ls.received_at)
    handler.__doc__ = method
    return handler


def folders_changed(ls: ObserveServer, params: lsp.DidChangeWorkspaceFoldersParams) -> None:
    """workspace/didChangeWorkspaceFolders"""
    for root in ls.capture.workspaces.add_folders([f.uri for f in params.event.added]):
        ls.recorder.open(root)


def command(name: str) -> Callable[..., Any]:
    async def handler(ls: ObserveServer, *args: Any) -> Any:
        return await asyncio.wrap_future(ls.extensions.execute(name, list(args)))
    handler.__doc__ = f"workspace/executeCommand {name}"
    return handler


def build(recorder: Recorder, workspaces: Workspaces,
          clock: Callable[[], int] | None = None) -> ObserveServer:
    """The observe-mode server with every handler registered."""
    server = ObserveServer(recorder, workspaces, clock)
    server.feature(lsp.INITIALIZE)(initialize)
    server.feature(lsp.INITIALIZED)(initialized)
    server.feature(lsp.SHUTDOWN)(shutdown)
    server.feature(lsp.EXIT)(exit_)
    server.feature(lsp.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)(folders_changed)
    for method in (lsp.TEXT_DOCUMENT_DID_OPEN, lsp.TEXT_DOCUMENT_DID_CHANGE, lsp.TEXT_DOCUMENT_DID_CLOSE,
                   lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES):
        server.feature(method)(text_sync(method))
    server.feature(lsp.TEXT_DOCUMENT_DID_SAVE, lsp.SaveOptions(include_text=True))(
        text_sync(lsp.TEXT_DOCUMENT_DID_SAVE))
    for method in (lsp.WORKSPACE_DID_CREATE_FILES, lsp.WORKSPACE_DID_RENAME_FILES,
                   lsp.WORKSPACE_DID_DELETE_FILES):
        server.feature(method, _FILE_OPERATIONS)(text_sync(method))
    for method in NOTIFICATION_METHODS:
        server.feature(method)(custom(method))
    for name in COMMANDS:
        server.command(name)(command(name))
    return server


class ObserveEditor:
    """The review prompt's way to the editor: pygls requests, scheduled on the server's loop."""

    def __init__(self, server: ObserveServer) -> None:
        self.server = server

    def ask(self, message: str, actions: tuple[str, ...], answer: Callable[[str | None], None]) -> None:
        if self.server.loop is not None:
            self.server.loop.call_soon_threadsafe(self._ask, message, actions, answer)

    def _ask(self, message: str, actions: tuple[str, ...], answer: Callable[[str | None], None]) -> None:
        params = lsp.ShowMessageRequestParams(type=lsp.MessageType.Info, message=message,
                                              actions=[lsp.MessageActionItem(title=a) for a in actions])

        def done(future: Any) -> None:
            chosen = None if future.cancelled() or future.exception() else future.result()
            answer(getattr(chosen, "title", None))

        self.server.window_show_message_request(params).add_done_callback(done)

    def notify(self, method: str, params: dict[str, Any]) -> None:
        if self.server.loop is None:
            return
        if method == lsp.WINDOW_SHOW_MESSAGE:
            shown = lsp.ShowMessageParams(type=lsp.MessageType(params["type"]), message=params["message"])
            self.server.loop.call_soon_threadsafe(self.server.window_show_message, shown)
        else:
            self.server.loop.call_soon_threadsafe(self.server.protocol.notify, method, params)


async def _serve(server: ObserveServer, stdin: Stdin, early: Early) -> None:
    loop = asyncio.get_running_loop()
    server.loop = loop
    for frame, at in early.frames:  # read before pygls loaded, the `initialize` request first
        server.receive(frame, at)
    framer = early.framer
    if not early.ended:
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        stdin.hand_over(lambda data: loop.call_soon_threadsafe(queue.put_nowait, data))
        while data := await queue.get():
            at = server.clock()
            for frame in framer.feed(data):
                server.receive(frame, at)
    if (tail := framer.finish()) is not None:
        server.receive(tail, server.clock())


def serve(server: ObserveServer, stdin: Stdin, stdout: Stdout, early: Early | None = None) -> int:
    """Serve over stdio until exit or end of input, after what `early` read and answered; 0 after a
    proper shutdown, else 1 (as LSP asks)."""
    early = early or Early()
    server.protocol.answered_early.update(early.answered)
    server.protocol.set_writer(stdout)
    with contextlib.suppress(SystemExit):
        asyncio.run(_serve(server, stdin, early))
    server.finish()
    return 0 if server.shutdown_requested else 1
