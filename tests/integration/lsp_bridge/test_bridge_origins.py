"""Whose work an edit is, recorded through the bridge in front of a real pylsp: a completion item accepted,
a rename (jedi's WorkspaceEdit) applied, each with its origin; a keystroke after a completion list that
was not accepted stays unknown; an editor's `codetape/origin` labels the change it names, sent after it
(the first it sends: the editor said in `initialize` that it would)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types as lsp

from tests.support.bridge_harness import (
    PYLSP,
    at_least,
    change,
    daemon,
    init_params,
    seal,
    start_bridge,
    steps_of,
    uri,
    ws,
)
from tests.support.collector_harness import Daemon

__all__ = ["daemon", "ws"]


def opened(client: Any, doc: str, text: str) -> None:
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=doc, language_id="python", version=1, text=text)))


async def items_at(client: Any, doc: str, line: int, character: int) -> list[lsp.CompletionItem]:
    found = await client.text_document_completion_async(lsp.CompletionParams(
        text_document=lsp.TextDocumentIdentifier(uri=doc),
        position=lsp.Position(line=line, character=character)))
    return list(found.items if isinstance(found, lsp.CompletionList) else found or [])


async def test_completion_rename_and_the_editors_word_are_recorded_with_their_origin(daemon: Daemon,
                                                                                     ws: Path) -> None:
    client = await start_bridge(daemon.home.root, "--", *PYLSP)
    params = init_params(ws, None)
    params.capabilities.experimental = {"codetape": {"origin": True}}  # it sends codetape/origin
    await client.initialize_session(params)

    accepted = uri(ws, "accepted.py")
    opened(client, accepted, "import os\nos.pa")
    path = next(item for item in await items_at(client, accepted, 1, 5) if item.label == "path")
    assert path.text_edit is None  # pylsp's items carry insertText: the editor replaces the word typed so far
    client.text_document_did_change(change(accepted, 2, ((1, 3, 1, 5), path.insert_text or path.label)))

    declined = uri(ws, "declined.py")
    opened(client, declined, "import os\nos.pa")
    assert any(item.label == "path" for item in await items_at(client, declined, 1, 5))
    client.text_document_did_change(change(declined, 2, ((1, 5, 1, 5), "t")))  # typed on instead

    renamed = uri(ws, "renamed.py")
    source = "def area(width):\n    return width * width\n"
    opened(client, renamed, source)
    edit = await client.text_document_rename_async(lsp.RenameParams(
        text_document=lsp.TextDocumentIdentifier(uri=renamed), position=lsp.Position(line=0, character=10),
        new_name="side"))
    assert edit is not None and edit.document_changes
    [document_change] = edit.document_changes
    assert isinstance(document_change, lsp.TextDocumentEdit)
    applied = [((e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character),
                e.new_text) for e in document_change.edits]
    client.text_document_did_change(change(renamed, 2, *applied))  # as the editor applies it
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(
        uri=renamed)))

    pasted = uri(ws, "pasted.py")
    opened(client, pasted, "x = 1\n")
    client.text_document_did_change(change(pasted, 2, ((1, 0, 1, 0), "y = [1, 2, 3]\n")))
    # after its change: the edit waited for it
    client.protocol.notify("codetape/origin", {"uri": pasted, "version": 2, "origin": "paste",
                                               "detail": "test:clipboard"})
    await client.shutdown_session()

    steps = steps_of(seal(daemon, ws, until=at_least(4, "edit"), what="four edits"))
    edits = {s["path"]: (s.get("origin"), s.get("origin_detail")) for s in steps if s["kind"] == "edit"}
    assert edits == {
        "accepted.py": ("completion", "lsp:textDocument/completion"),
        "declined.py": (None, None),
        "renamed.py": ("rename", "lsp:textDocument/rename"),
        "pasted.py": ("paste", "test:clipboard"),
    }
