"""Proxy mode's reading of the traffic it forwarded (translator thread, never the forwarding path).

Each frame from either side is parsed here, after it was forwarded, except a server's response while
no request codetape reads is pending (most of them: hover, definition, ...), which is skipped unparsed.
Requests are remembered by id (in a bounded table) so that responses can be understood: the
`initialize` answer gives the negotiated position encoding, completion and code action answers feed
`Actions`, pulled diagnostics (`textDocument/diagnostic`, `workspace/diagnostic`) become diagnostics steps
as published ones do, the editor's answer to the server's `workspace/applyEdit` says whether the edit was
applied. The edits the server proposes (completion items, formatting, rename, code actions, applyEdit)
are the evidence lsp_bridge/authorship/origins.py matches to the didChange that applies them.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lsp_bridge.authorship.origins import Origin
from lsp_bridge.capture.actions import Actions
from lsp_bridge.capture.extensions import Extensions
from lsp_bridge.capture.handlers import EditorCapture
from lsp_bridge.errors import MalformedMessage
from lsp_bridge.steps.translate import document_uri
from lsp_bridge.wire.framing import parse
from lsp_bridge.wire.initialize import client_of, folders_of

if TYPE_CHECKING:
    from schemas.common import PositionEncoding

log = logging.getLogger(__name__)

PENDING_LIMIT = 10_000
ENCODINGS: dict[Any, PositionEncoding] = {"utf-8": "utf-8", "utf-16": "utf-16", "utf-32": "utf-32"}
_FORMATTING = frozenset({"textDocument/formatting", "textDocument/rangeFormatting",
                         "textDocument/onTypeFormatting"})
_EDITOR_REQUESTS = frozenset({"initialize", "textDocument/completion", "textDocument/inlineCompletion",
                              "textDocument/codeAction",
                              "textDocument/diagnostic", "workspace/diagnostic", "completionItem/resolve",
                              "codeAction/resolve", "textDocument/rename", *_FORMATTING})
MAX_ACTIONS = 50  # code actions of one answer whose edits are expected
PULLED_LIMIT = 1000  # documents whose last full pulled report is kept (an `unchanged` report repeats it)


class _Pending(OrderedDict[Any, tuple[str, Any]]):
    def remember(self, key: Any, value: tuple[str, Any]) -> None:
        self[key] = value
        if len(self) > PENDING_LIMIT:
            self.popitem(last=False)


class Traffic:
    def __init__(self, capture: EditorCapture, *, server_name: str) -> None:
        self.capture = capture
        self.extensions = Extensions(capture)
        self.actions = Actions(capture)
        self.server_name = server_name
        self._from_editor: _Pending = _Pending()
        self._from_server: _Pending = _Pending()
        self._initialize: dict[str, Any] = {}
        self._pulled: OrderedDict[str, Any] = OrderedDict()  # uri -> the items of its last full report
        self.on_initialized: Callable[[Any], None] = lambda experimental: None  # the editor's experimental

    def received(self, side: str, at: int, body: bytes | None, error: str | None) -> None:
        """One forwarded frame from `side` ("editor" or "server"): its body, or what was wrong with it."""
        from_editor = side == "editor"
        if error is not None:
            self.capture.unreadable(at, error, from_editor=from_editor)
            return
        if body is None:
            return
        if not from_editor and not self._from_editor and b'"method"' not in body:
            return  # a response to nothing codetape reads (hover, definition, ...): not even parsed
        try:
            self._message(from_editor, parse(body), at)
        except MalformedMessage as exc:
            self.capture.unreadable(at, str(exc), from_editor=from_editor)
        except Exception as exc:  # one line; the traceback only with --verbose
            log.debug("codetape: could not interpret a message from the %s", side, exc_info=True)
            self.capture.unreadable(at, f"uninterpretable message: {exc!r}", from_editor=from_editor)

    def _message(self, from_editor: bool, message: Any, at: int) -> None:
        if not isinstance(message, dict):
            raise MalformedMessage("a JSON-RPC message is not an object")
        method = message.get("method")
        key = message.get("id")
        if key is not None and not isinstance(key, (int, str)):
            raise MalformedMessage("the message id is neither a number nor a string")
        params = message.get("params")
        if isinstance(method, str) and key is not None:
            if from_editor:
                self._editor_request(key, method, params, at)
            elif method == "workspace/applyEdit":
                self._from_server.remember(key, (method, params))
                self._expect_workspace_edit(params.get("edit") if isinstance(params, dict) else None,
                                            ("code_action", "lsp:workspace/applyEdit"), at)
        elif isinstance(method, str):
            if from_editor:
                self._editor_notification(method, params, at)
            elif method == "textDocument/publishDiagnostics" and isinstance(params, dict):
                self._diagnostics(params, at)
        elif key is not None:
            pending = (self._from_server if from_editor else self._from_editor).pop(key, None)
            if pending is not None:
                self._response(pending[0], pending[1], message.get("result"), at)
        else:
            raise MalformedMessage("neither a request, a notification nor a response")

    def _editor_request(self, key: Any, method: str, params: Any, at: int) -> None:
        if method in _EDITOR_REQUESTS:
            self._from_editor.remember(key, (method, params))
        if method == "codeAction/resolve":
            self.actions.code_action_resolved(params, at)
        elif method == "workspace/executeCommand":
            self.actions.command_executed(params, at)

    def _editor_notification(self, method: str, params: Any, at: int) -> None:
        if method.startswith("codetape/"):
            self.extensions.handle(method, params, at)
            return
        self.capture.handle(method, params, at)
        if method == "textDocument/didChange" and isinstance(params, dict):
            try:
                uri = document_uri(params)
            except MalformedMessage:
                return
            self.actions.changed(uri, params, at)

    def _diagnostics(self, params: dict[str, Any], at: int) -> None:
        uri = params.get("uri")
        if not isinstance(uri, str):
            log.error("codetape: skipped publishDiagnostics without a uri")
            return
        try:
            self.capture.diagnostics(uri, self.server_name, _version(params.get("version")),
                                     params.get("diagnostics"), at)
        except MalformedMessage as exc:
            log.error("codetape: skipped publishDiagnostics for %s: %s", uri, exc)

    def _response(self, method: str, params: Any, result: Any, at: int) -> None:
        if method == "initialize":
            self._initialized(params if isinstance(params, dict) else {}, result)
        elif method == "textDocument/completion":
            uri = _uri(params)
            if uri is not None:
                self.actions.completion_result(uri, result)
                self.capture.origins.completion(uri, params, result, at)
                self.capture.offered.completion(uri, self.server_name, at)
        elif method == "textDocument/inlineCompletion":
            uri = _uri(params)
            if uri is not None:
                self.capture.offered.inline(uri, params, result, self.server_name, at)
        elif method == "completionItem/resolve":
            self.capture.origins.resolved(result)
        elif method in _FORMATTING:
            uri = _uri(params)
            if uri is not None:
                origin: Origin = ("format", f"lsp:{method}")
                self.capture.origins.expect(uri, self._version_of(uri), result, origin, at)
        elif method == "textDocument/rename":
            self._expect_workspace_edit(result, ("rename", "lsp:textDocument/rename"), at)
        elif method == "codeAction/resolve":
            edit = result.get("edit") if isinstance(result, dict) else None
            self._expect_workspace_edit(edit, ("code_action", "lsp:codeAction/resolve"), at)
        elif method == "textDocument/codeAction":
            self.actions.code_actions(_uri(params), result)
            for action in result[:MAX_ACTIONS] if isinstance(result, list) else ():
                edit = action.get("edit") if isinstance(action, dict) else None
                self._expect_workspace_edit(edit, ("code_action", "lsp:textDocument/codeAction"), at)
        elif method == "workspace/applyEdit":
            self.actions.edit_applied(params, result, at)
        elif method == "textDocument/diagnostic":
            uri = _uri(params)
            if uri is not None:
                self._pulled_report(uri, result, None, at, related=True)
        elif method == "workspace/diagnostic":
            reports = result.get("items") if isinstance(result, dict) else None
            for report in reports if isinstance(reports, list) else []:
                uri = report.get("uri") if isinstance(report, dict) else None
                if isinstance(uri, str):
                    self._pulled_report(uri, report, _version(report.get("version")), at, related=False)

    def _version_of(self, uri: str) -> int | None:
        doc = self.capture.documents.by_uri.get(uri)
        return None if doc is None else doc.version

    def _expect_workspace_edit(self, edit: Any, origin: Origin, at: int) -> None:
        if isinstance(edit, dict):
            versions = {uri: doc.version for uri, doc in self.capture.documents.by_uri.items()}
            self.capture.origins.expect_workspace_edit(edit, versions, origin, at)

    def _pulled_report(self, uri: str, report: Any, version: int | None, at: int, *, related: bool) -> None:
        """A document's diagnostics the editor pulled (LSP 3.17 `textDocument/diagnostic`,
        `workspace/diagnostic`) as a diagnostics step like a published set: a `full` report's items, an
        `unchanged` one's from the last full report of that document; with `related`, the reports of the
        related documents too."""
        if not isinstance(report, dict):
            return
        if report.get("kind") == "full":
            items = report.get("items")
            self._pulled[uri] = items
            self._pulled.move_to_end(uri)
            while len(self._pulled) > PULLED_LIMIT:
                self._pulled.popitem(last=False)
        elif report.get("kind") == "unchanged" and uri in self._pulled:
            items = self._pulled[uri]
        else:
            return
        try:
            self.capture.diagnostics(uri, self.server_name, version, items, at)
        except MalformedMessage as exc:
            log.error("codetape: skipped pulled diagnostics for %s: %s", uri, exc)
        others = report.get("relatedDocuments") if related else None
        for other, other_report in (others.items() if isinstance(others, dict) else ()):
            if isinstance(other, str):
                self._pulled_report(other, other_report, None, at, related=False)

    def _initialized(self, params: dict[str, Any], result: Any) -> None:
        encoding = negotiated_encoding(result)
        info = result.get("serverInfo") if isinstance(result, dict) else None
        if isinstance(info, dict) and isinstance(info.get("name"), str):
            self.server_name = info["name"][:256]
        self.capture.initialized(encoding, client_of(params), folders_of(params))
        capabilities = params.get("capabilities")
        experimental = capabilities.get("experimental") if isinstance(capabilities, dict) else None
        self.capture.origins.initialized(experimental)
        self.on_initialized(experimental)


def negotiated_encoding(result: Any) -> PositionEncoding:
    """The position encoding both sides count in, from the server's `initialize` answer: its
    `capabilities.positionEncoding` (LSP 3.17), else clangd's earlier `offsetEncoding` extension (its
    answer, beside the capabilities, when the editor offered it, as Neovim does), else utf-16."""
    if not isinstance(result, dict):
        return "utf-16"
    capabilities = result.get("capabilities")
    offered = [capabilities.get("positionEncoding") if isinstance(capabilities, dict) else None,
               result.get("offsetEncoding")]
    chosen = next((value for value in offered if value is not None), None)
    return ENCODINGS.get(chosen, "utf-16") if isinstance(chosen, str) else "utf-16"


def _version(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _uri(params: Any) -> str | None:
    try:
        return document_uri(params)
    except MalformedMessage:
        return None
