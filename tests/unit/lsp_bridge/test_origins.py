"""Whose work an edit is, from the evidence proxy mode sees (lsp_bridge/authorship/origins.py), in process:
the real traffic reader, capture and recorder in front of a collector connection that keeps what it is
sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collector.text.document import Document
from lsp_bridge.capture.handlers import EditorCapture
from lsp_bridge.documents.tracked import TrackedDocuments
from lsp_bridge.documents.workspaces import Workspaces
from lsp_bridge.modes.traffic import Traffic
from lsp_bridge.recording.recorder import Recorder
from tests.unit.lsp_bridge.test_observe import Collected
from tests.unit.lsp_bridge.test_traffic import message
from tests.waiting import wait_for

TEXT = "import os\nvalue = os.pa\nprint( value )\n"


def proxy_for(root: Path) -> tuple[Traffic, Collected, Recorder]:
    """Proxy mode's traffic for the workspace `root`, its steps recorded into the returned Collected."""
    collected = Collected()
    documents = TrackedDocuments()
    recorder = Recorder(lambda: collected, state=documents.file_states)
    recorder.start()
    found = Workspaces(lambda p: root if root in (p, *p.parents) else None)
    return Traffic(EditorCapture(recorder, found, documents), server_name="server"), collected, recorder


def opened(root: Path, name: str, text: str, *,
           announcing: bool = True) -> tuple[Traffic, Collected, Recorder, str]:
    """Proxy mode for `root` with `name` open as `text`; `announcing`: the editor says it sends
    codetape/origin (so edits without a word wait for one)."""
    traffic, collected, recorder = proxy_for(root)
    uri = (root / name).as_uri()
    capabilities = {"experimental": {"codetape": {"origin": True}}} if announcing else {}
    message(traffic, "editor", {"id": 1, "method": "initialize", "params": {
        "rootUri": root.as_uri(), "capabilities": capabilities}})
    message(traffic, "server", {"id": 1, "result": {"capabilities": {}}})
    message(traffic, "editor", {"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "python", "version": 1, "text": text}}})
    return traffic, collected, recorder, uri


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[tuple[Traffic, Collected, str]]:
    root = tmp_path.resolve()
    traffic, collected, recorder = proxy_for(root)
    uri = (root / "a.py").as_uri()
    message(traffic, "editor", {"id": 1, "method": "initialize", "params": {"rootUri": root.as_uri(),
                                                                             "capabilities": {}}})
    message(traffic, "server", {"id": 1, "result": {"capabilities": {}}})
    message(traffic, "editor", {"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "python", "version": 1, "text": TEXT}}})
    try:
        yield traffic, collected, uri
    finally:
        recorder.flush()


def rng(sl: int, sc: int, el: int, ec: int) -> dict[str, Any]:
    return {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}}


def change(traffic: Traffic, uri: str, version: int, *changes: tuple[dict[str, Any] | None, str]) -> None:
    message(traffic, "editor", {"method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri, "version": version},
        "contentChanges": [{"text": text} if where is None else {"range": where, "text": text}
                           for where, text in changes]}})


def ask(traffic: Traffic, key: int, method: str, params: dict[str, Any], result: Any) -> None:
    message(traffic, "editor", {"id": key, "method": method, "params": params})
    message(traffic, "server", {"id": key, "result": result})


def completion(traffic: Traffic, uri: str, items: list[dict[str, Any]], key: int = 10) -> None:
    ask(traffic, key, "textDocument/completion", {"textDocument": {"uri": uri},
                                                  "position": {"line": 1, "character": 13}}, {"items": items})


def origins(collected: Collected, count: int) -> list[tuple[Any, Any]]:
    wait_for(lambda: collected.kinds().count("edit") >= count, what=f"{count} edits")
    return [(s.get("origin"), s.get("origin_detail")) for s in collected.steps if s["kind"] == "edit"]


PATH_ITEM = {"label": "path", "textEdit": {"range": rng(1, 11, 1, 13), "newText": "path"}}


def test_an_accepted_completion_item_is_its_edit(proxied: tuple[Traffic, Collected, str]) -> None:
    traffic, collected, uri = proxied
    pardir = {"label": "pardir", "textEdit": {"range": rng(1, 11, 1, 13), "newText": "pardir"}}
    completion(traffic, uri, [pardir, PATH_ITEM])
    change(traffic, uri, 2, (rng(1, 11, 1, 13), "path"))
    assert origins(collected, 1) == [("completion", "lsp:textDocument/completion")]


def test_typing_after_a_completion_list_is_not_a_completion(proxied: tuple[Traffic, Collected, str]) -> None:
    traffic, collected, uri = proxied
    completion(traffic, uri, [PATH_ITEM, {"label": "pathsep", "insertText": "pathsep"}])
    change(traffic, uri, 2, (rng(1, 13, 1, 13), "t"))  # "os.pat": a keystroke, no item's edit
    change(traffic, uri, 3, (rng(1, 14, 1, 14), "h"))  # "os.path": what the item makes, typed
    assert origins(collected, 2) == [(None, None), (None, None)]


def test_an_item_without_a_text_edit_replaces_the_word_or_inserts_its_tail(
        proxied: tuple[Traffic, Collected, str]) -> None:
    traffic, collected, uri = proxied
    completion(traffic, uri, [{"label": "pathsep", "insertText": "pathsep"}])
    change(traffic, uri, 2, (rng(1, 11, 1, 13), "pathsep"))  # VS Code: the word up to the caret replaced
    completion(traffic, uri, [{"label": "pathsep()", "insertText": "pathsep()"}], key=11)
    change(traffic, uri, 3, (rng(1, 18, 1, 18), "()"))  # Neovim's diff: the tail at the caret
    assert origins(collected, 2) == [("completion", "lsp:textDocument/completion"),
                                     ("completion", "lsp:textDocument/completion tail")]


def test_a_whole_text_that_applies_an_item_is_its_tail_once_narrowed(
        proxied: tuple[Traffic, Collected, str]) -> None:
    """JupyterLab sends the whole text: narrowed (capture/sync.py), it is the item's tail at the caret."""
    traffic, collected, uri = proxied
    completion(traffic, uri, [PATH_ITEM])
    change(traffic, uri, 2, (None, TEXT.replace("os.pa\n", "os.path\n")))
    assert origins(collected, 1) == [("completion", "lsp:textDocument/completion tail")]
    edit = next(s for s in collected.steps if s["kind"] == "edit")
    assert edit["changes"] == [{"range": rng(1, 13, 1, 13), "text": "th"}]


def test_a_resolved_item_with_an_import_matches_as_resolved(proxied: tuple[Traffic, Collected, str]) -> None:
    traffic, collected, uri = proxied
    completion(traffic, uri, [{"label": "path", "insertText": "path"}])
    ask(traffic, 12, "completionItem/resolve", {"label": "path"}, {
        "label": "path", "textEdit": {"range": rng(1, 11, 1, 13), "newText": "path"},
        "additionalTextEdits": [{"range": rng(0, 9, 0, 9), "newText": ", sys"}]})
    change(traffic, uri, 2, (rng(1, 11, 1, 13), "path"), (rng(0, 9, 0, 9), ", sys"))
    assert origins(collected, 1) == [("completion", "lsp:completionItem/resolve")]


FORMATTED = "import os\nvalue = os.pa\nprint(value)\n"


@pytest.mark.parametrize("applied", [
    [(rng(0, 0, 3, 0), FORMATTED)],  # the server's edit as it is
    [(rng(2, 12, 2, 13), ""), (rng(2, 6, 2, 7), "")],  # an editor's smaller diff, from the end
])
def test_a_formatting_answer_applied_is_format(proxied: tuple[Traffic, Collected, str],
                                               applied: list[tuple[dict[str, Any], str]]) -> None:
    traffic, collected, uri = proxied
    ask(traffic, 20, "textDocument/formatting", {"textDocument": {"uri": uri}, "options": {}},
        [{"range": rng(0, 0, 3, 0), "newText": FORMATTED}])
    change(traffic, uri, 2, *applied)
    assert origins(collected, 1) == [("format", "lsp:textDocument/formatting")]
    assert traffic.capture.documents.by_uri[uri].text == FORMATTED


def test_a_formatting_answer_not_applied_labels_nothing(proxied: tuple[Traffic, Collected, str]) -> None:
    traffic, collected, uri = proxied
    ask(traffic, 20, "textDocument/rangeFormatting", {"textDocument": {"uri": uri}, "options": {}},
        [{"range": rng(2, 6, 2, 7), "newText": ""}])
    change(traffic, uri, 2, (rng(2, 0, 2, 0), "#"))  # something else first: the answer is stale
    change(traffic, uri, 3, (rng(2, 7, 2, 8), ""))
    assert origins(collected, 2) == [(None, None), (None, None)]


def test_a_rename_and_an_applied_workspace_edit(proxied: tuple[Traffic, Collected, str]) -> None:
    traffic, collected, uri = proxied
    ask(traffic, 30, "textDocument/rename", {"textDocument": {"uri": uri}, "newName": "v"}, {
        "documentChanges": [{"textDocument": {"uri": uri, "version": 1},
                             "edits": [{"range": rng(1, 0, 1, 5), "newText": "v"},
                                       {"range": rng(2, 7, 2, 12), "newText": "v"}]}]})
    change(traffic, uri, 2, (rng(2, 7, 2, 12), "v"), (rng(1, 0, 1, 5), "v"))
    message(traffic, "server", {"id": 5, "method": "workspace/applyEdit", "params": {
        "edit": {"changes": {uri: [{"range": rng(0, 0, 0, 0), "newText": "# top\n"}]}}}})
    change(traffic, uri, 3, (rng(0, 0, 0, 0), "# top\n"))
    message(traffic, "editor", {"id": 5, "result": {"applied": True}})
    assert origins(collected, 2) == [("rename", "lsp:textDocument/rename"),
                                     ("code_action", "lsp:workspace/applyEdit")]


def test_the_editors_word_before_or_after_its_change(proxied: tuple[Traffic, Collected, str]) -> None:
    traffic, collected, uri = proxied

    def said(version: int, origin: str, detail: str) -> None:
        message(traffic, "editor", {"method": "codetape/origin", "params": {
            "uri": uri, "version": version, "origin": origin, "detail": detail}})

    said(2, "paste", "test:paste before")
    change(traffic, uri, 2, (rng(3, 0, 3, 0), "x = 1\n"))
    change(traffic, uri, 3, (rng(4, 0, 4, 0), "y"))
    said(3, "ai_completion", "test:accepted after")  # comes after its change, within the wait
    said(4, "typed", "bad detail")  # refused: not `<where>:<what>`
    change(traffic, uri, 4, (rng(4, 1, 4, 1), "z"))
    change(traffic, uri, 5, (rng(4, 2, 4, 2), "w"))
    handed = origins(collected, 4)  # held up to ORIGIN_WAIT_MS for a word after them, then handed over
    said(5, "typed", "test:too late")  # the change went on its way without it
    assert handed == origins(collected, 4) == [
        ("paste", "test:paste before"), ("ai_completion", "test:accepted after"), (None, None), (None, None)]


def test_an_edit_held_for_its_origin_is_handed_over_when_the_bridge_stops(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    traffic, collected, recorder, uri = opened(root, "a.py", TEXT)
    change(traffic, uri, 2, (rng(3, 0, 3, 0), "x"))  # no word for it yet: held up to ORIGIN_WAIT_MS
    recorder.flush()  # the editor quit at once (Neovim's `:qa` right after an edit)
    assert collected.kinds().count("edit") == 1


def test_a_save_lets_the_edits_held_for_their_origin_go_first(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The watcher sees a save's write at once and waits for the editor's steps only the collector's
    HOLD_MS: an edit the editor gave no word for (a Backspace) goes on at the save, before it, not when its
    wait for a word ends."""
    monkeypatch.setattr("lsp_bridge.authorship.origins.ORIGIN_WAIT_MS", 600_000)  # only a save lets it go
    root = tmp_path.resolve()
    traffic, collected, recorder, uri = opened(root, "a.py", TEXT)
    change(traffic, uri, 2, (rng(2, 6, 2, 7), ""))  # a deletion: no word will come
    (root / "a.py").write_text(TEXT.replace("( ", "("), encoding="utf-8")
    message(traffic, "editor", {"method": "textDocument/didSave", "params": {"textDocument": {"uri": uri}}})
    try:
        wait_for(lambda: "save" in collected.kinds(), what="the save")
        assert [kind for kind in collected.kinds() if kind in ("edit", "save")] == ["edit", "save"]
        assert origins(collected, 1) == [(None, None)]
    finally:
        recorder.flush()


SPREAD = "def f( a ):\n    LIMIT = 10\n    return ( a )\n"  # LIMIT's line: the agent's, say
SPREAD_FORMATTED = "def f(a):\n    LIMIT = 10\n    return a\n"


@pytest.mark.parametrize("known", ["answer", "word before", "word after"])
def test_a_format_is_recorded_as_the_lines_it_changed(tmp_path: Path, known: str) -> None:
    """Applied as Neovim applies it (one change from the first character it changed to the end, re-inserting
    the lines between), a format, known from the server's answer or from the editor's word before or after
    the change (Neovim's plugin says it once the change has gone: issue 90), is recorded as the lines it
    changed: the line it left as it was is in none of its changes."""
    root = tmp_path.resolve()
    traffic, collected, recorder, uri = opened(root, "f.py", SPREAD, announcing=known == "word after")
    word = {"method": "codetape/origin", "params": {
        "uri": uri, "version": 2, "origin": "format", "detail": "test:format command"}}
    if known == "word before":
        message(traffic, "editor", word)
    elif known == "answer":
        ask(traffic, 20, "textDocument/formatting", {"textDocument": {"uri": uri}, "options": {}},
            [{"range": rng(0, 0, 3, 0), "newText": SPREAD_FORMATTED}])
    change(traffic, uri, 2, (rng(0, 6, 3, 0), SPREAD_FORMATTED[6:]))
    if known == "word after":
        message(traffic, "editor", word)
    try:
        assert origins(collected, 1)[0][0] == "format"
        [edit] = [s for s in collected.steps if s["kind"] == "edit"]
        lines = {line for c in edit["changes"] for line in range(c["range"]["start"]["line"],
                                                                  c["range"]["end"]["line"] + 1)}
        assert lines == {0, 2}, edit["changes"]
        document = Document(SPREAD, "utf-16")
        for c in edit["changes"]:
            r = c["range"]
            document.apply_span((r["start"]["line"], r["start"]["character"], r["end"]["line"],
                                 r["end"]["character"]), c["text"])
        assert document.text == SPREAD_FORMATTED == traffic.capture.documents.by_uri[uri].text
    finally:
        recorder.flush()
