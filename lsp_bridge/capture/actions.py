"""What the developer did with the server's help (proxy mode): completions accepted, code actions and
commands executed, workspace edits applied. Recorded as `note` steps prefixed `lsp `; the text they
changed arrives as ordinary edits.

A completion counts as accepted when one of the next few changes to the document leaves the caret right
after an item's text and inserted part of it (editors resolve items they only show, so a resolve alone
is not acceptance).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collector.text.positions import caret_after, content_of
from lsp_bridge.capture.handlers import EditorCapture
from lsp_bridge.documents.tracked import index_of
from lsp_bridge.errors import MalformedMessage
from lsp_bridge.recording.spool import Outgoing
from lsp_bridge.steps.snippets import strip_snippet
from lsp_bridge.steps.translate import note_step, range_

CHANGES_WATCHED = 3


def completion_candidates(result: Any, *, limit: int = 2000) -> list[tuple[str, str]]:
    """(label, text the item inserts) for each item of a completion result."""
    items = result.get("items") if isinstance(result, dict) else result
    if not isinstance(items, list):
        return []
    out = []
    for item in items[:limit]:
        if not isinstance(item, dict) or not isinstance(item.get("label"), str):
            continue
        label = item["label"]
        edit = item.get("textEdit")
        insert = edit.get("newText") if isinstance(edit, dict) else item.get("insertText")
        if not isinstance(insert, str):
            insert = label
        if item.get("insertTextFormat") == 2:
            insert = strip_snippet(insert)
        out.append((label[:256], insert))
    return out


def code_action_titles(result: Any, *, limit: int = 500) -> list[tuple[str, str | None]]:
    """(title, command id or None) for each code action (or bare command) of a codeAction result."""
    if not isinstance(result, list):
        return []
    out = []
    for item in result[:limit]:
        if not isinstance(item, dict) or not isinstance(item.get("title"), str):
            continue
        command = item.get("command")
        if isinstance(command, dict):
            command = command.get("command")
        out.append((item["title"][:512], command if isinstance(command, str) else None))
    return out


def workspace_edit_summary(edit: Any) -> tuple[int, list[str]]:
    """(number of text edits, document URIs) of a WorkspaceEdit."""
    if not isinstance(edit, dict):
        return 0, []
    count = 0
    uris: list[str] = []
    changes = edit.get("changes")
    if isinstance(changes, dict):
        for uri, edits in changes.items():
            uris.append(uri)
            count += len(edits) if isinstance(edits, list) else 0
    document_changes = edit.get("documentChanges")
    if isinstance(document_changes, list):
        for change in document_changes:
            if not isinstance(change, dict):
                continue
            target = change.get("textDocument")
            if isinstance(target, dict) and isinstance(target.get("uri"), str):
                uris.append(target["uri"])
                edits = change.get("edits")
                count += len(edits) if isinstance(edits, list) else 0
            elif isinstance(change.get("uri"), str):
                uris.append(change["uri"])
                count += 1
    return count, uris


@dataclass
class _Completion:
    candidates: list[tuple[str, str]]
    changes_left: int = CHANGES_WATCHED


class Actions:
    def __init__(self, capture: EditorCapture) -> None:
        self.capture = capture
        self._completions: dict[str, _Completion] = {}
        self._actions: list[tuple[str, str | None]] = []
        self._actions_uri: str | None = None

    def _note(self, uri: str | None, text: str, at: int) -> None:
        root = self._root(uri)
        if root is not None:
            self.capture.recorder.record(root, Outgoing(at, note_step(text)))

    def _root(self, uri: str | None) -> Path | None:
        doc = self.capture.documents.by_uri.get(uri) if uri else None
        return doc.root if doc is not None else self.capture.workspaces.root_for(uri)

    # -- completion ------------------------------------------------------------------------------------

    def completion_result(self, uri: str, result: Any) -> None:
        """The server answered textDocument/completion for a document."""
        candidates = [c for c in completion_candidates(result) if c[1]]
        if candidates and uri in self.capture.documents.by_uri:
            self._completions[uri] = _Completion(candidates)
        else:
            self._completions.pop(uri, None)

    def changed(self, uri: str, params: Any, at: int) -> None:
        """After a didChange was recorded: did it accept a completion item?"""
        pending = self._completions.get(uri)
        doc = self.capture.documents.by_uri.get(uri)
        if pending is None or doc is None or doc.stale:
            return
        changes = params.get("contentChanges") if isinstance(params, dict) else None
        last = changes[-1] if isinstance(changes, list) and changes else None
        where = last.get("range") if isinstance(last, dict) else None
        text = last.get("text") if isinstance(last, dict) else None
        label = None
        if isinstance(where, dict) and isinstance(text, str) and text.strip():
            try:
                start = range_(where).start
            except MalformedMessage:
                return
            line, character = caret_after(start.line, start.character, text, doc.encoding)
            lines = doc.doc.lines
            if line < len(lines):
                content = content_of(lines[line])
                before = content[: index_of(content, character, doc.encoding)]
                label = _accepted(pending.candidates, before, text)
        if label is not None:
            del self._completions[uri]
            self._note(uri, f"lsp completion accepted: {label}", at)
            return
        pending.changes_left -= 1
        if pending.changes_left <= 0:
            del self._completions[uri]

    # -- code actions, commands, workspace edits -----------------------------------------------------------

    def code_actions(self, uri: str | None, result: Any) -> None:
        """The server answered textDocument/codeAction."""
        self._actions = code_action_titles(result)
        self._actions_uri = uri

    def code_action_resolved(self, params: Any, at: int) -> None:
        """The editor resolved a code action (codeAction/resolve): the developer picked it."""
        if isinstance(params, dict) and isinstance(params.get("title"), str):
            self._note(self._actions_uri, f"lsp code action: {params['title'][:512]}", at)

    def command_executed(self, params: Any, at: int) -> None:
        """workspace/executeCommand from the editor (a code action's or a completion item's command)."""
        command = params.get("command") if isinstance(params, dict) else None
        if not isinstance(command, str):
            return
        titles = [title for title, cmd in self._actions if cmd == command]
        name = command[:256]
        text = f"lsp code action: {titles[0]} ({name})" if titles else f"lsp command: {name}"
        self._note(self._actions_uri, text, at)

    def edit_applied(self, params: Any, result: Any, at: int) -> None:
        """The editor answered the server's workspace/applyEdit."""
        if not isinstance(params, dict):
            return
        count, uris = workspace_edit_summary(params.get("edit"))
        given = params.get("label")
        label = given if isinstance(given, str) else "(no label)"
        applied = isinstance(result, dict) and result.get("applied") is True
        verb = "applied" if applied else "rejected"
        files = len(set(uris))
        self._note(uris[0] if uris else None,
                   f"lsp workspace edit {verb}: {label[:512]} ({count} edits in {files} files)", at)


def _accepted(candidates: list[tuple[str, str]], before: str, inserted: str) -> str | None:
    """The label of the first item whose text ends where the caret is and that the change inserted."""
    piece = inserted.rstrip()
    for label, text in candidates:
        tail = text.rsplit("\n", 1)[-1]
        if not tail or not before.endswith(tail):
            continue
        if piece == text or (len(piece) >= 2 and piece in text):
            return label
    return None
