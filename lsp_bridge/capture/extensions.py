"""`codetape/*` notifications from editor extensions and the `codetape.*` commands, for both modes.

Params are validated with the models in `schemas/messages.py`; invalid ones are logged and skipped.
Notes, tasks, pause and resume become collector requests (the collector records them and may seal);
diagnostics, cursors, offers and terminal commands become steps; an origin labels the edit it names.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from collector.errors import CollectorError
from lsp_bridge.capture.handlers import EditorCapture
from lsp_bridge.documents.workspaces import uri_to_path
from lsp_bridge.recording.spool import Outgoing
from lsp_bridge.steps.translate import command_step
from schemas.steps.base import Position
from schemas.steps.cursor import Selection

if TYPE_CHECKING:
    from schemas import messages as m

log = logging.getLogger(__name__)

_WORKSPACE_COMMANDS = {"codetape.pause": "pause", "codetape.resume": "resume", "codetape.seal": "seal"}


def _failed(message: str) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_exception(CollectorError(message))
    return future


def _report(what: str) -> Any:
    def done(future: Future[Any]) -> None:
        if not future.cancelled() and (exc := future.exception()) is not None:
            log.error("codetape: %s failed: %s", what, exc)
    return done


class Extensions:
    def __init__(self, capture: EditorCapture) -> None:
        self.capture = capture
        self.recorder = capture.recorder
        self.workspaces = capture.workspaces

    def handle(self, method: str, params: Any, at: int) -> None:
        """One `codetape/*` notification; invalid params are logged and skipped."""
        import msgspec  # the message models: on the first one only

        from collector.text.validation import first_error
        from schemas import messages as m

        model = m.NOTIFICATIONS.get(method)
        if model is None:
            log.warning("codetape: unknown notification %s: skipped", method)
            return
        try:
            message = msgspec.convert(params, model)
        except msgspec.ValidationError as exc:
            log.error("codetape: skipped %s: %s", method, first_error(exc, "params"))
            return
        try:
            self._dispatch(method, message, params, at)
        except Exception as exc:
            log.error("codetape: skipped %s: %s", method, exc)

    def _dispatch(self, method: str, message: m.Message, params: dict[str, Any], at: int) -> None:
        # the message models load with the first extension message, not with the bridge
        from schemas import messages as m

        if isinstance(message, m.DiagnosticsParams):
            self.capture.diagnostics(message.uri, message.origin, message.version, params["diagnostics"], at)
        elif isinstance(message, m.CursorParams):
            selections = [Selection(anchor=Position(line=s.anchor.line, character=s.anchor.character),
                                    active=Position(line=s.active.line, character=s.active.character))
                          for s in message.selections]
            self.capture.cursor(message.uri, selections, at)
        elif isinstance(message, m.OriginParams):
            uri, version = self.capture.notebooks.origin_target(message.uri, message.version)
            self.capture.origins.said(uri, version, message.origin, message.detail, at)
        elif isinstance(message, m.OfferParams):
            self.capture.offered.reported(message, at)
        elif isinstance(message, m.CommandParams):
            self._command(message, at)
        elif isinstance(message, m.NoteParams):
            self._ask("note", message.uri, text=message.text)
        elif isinstance(message, m.TaskParams):
            if message.action == "start":
                self._ask("task_start", message.uri, statement=message.statement or "")
            else:
                self._ask("task_done", message.uri, outcome=message.outcome or "pass")
        elif isinstance(message, m.WorkspaceParams):
            self._ask(method.removeprefix("codetape/"), message.uri)

    def _command(self, message: m.CommandParams, at: int) -> None:
        cwd = uri_to_path(message.cwd) if message.cwd.startswith("file:") else Path(message.cwd)
        if cwd is None or not cwd.is_absolute():
            raise ValueError(f"cwd {message.cwd!r} is not an absolute path or file URI")
        root = self.workspaces.root_of(cwd)
        if root is None:
            return
        relative = cwd.resolve().relative_to(root).as_posix()
        step = command_step(message.command_line, relative, message.exit_code, message.duration_ms)
        self.recorder.record(root, Outgoing(at, step))

    def _ask(self, op: str, uri: str | None, **args: Any) -> None:
        root = self.workspaces.root_for(uri)
        if root is None:
            log.warning("codetape: %s: no opted-in workspace (run: codetape init)", op)
            return
        self.recorder.request(op, root, workspace=str(root), **args).add_done_callback(_report(op))

    def execute(self, command: str, arguments: list[Any] | None) -> Future[Any]:
        """workspace/executeCommand for `codetape.*`: the collector's answer, as a future."""
        if command == "codetape.status":
            return self.recorder.request("status", self.workspaces.primary)
        op = _WORKSPACE_COMMANDS.get(command)
        if op is None:
            return _failed(f"unknown command {command}")
        first = arguments[0] if arguments else None
        root = self.workspaces.root_for(first if isinstance(first, str) else None)
        if root is None:
            return _failed("no opted-in workspace for this editor (run: codetape init)")
        return self.recorder.request(op, root, workspace=str(root))
