"""LSP's notebook sync (VS Code's, lsp_bridge/capture/notebooks.py): the cells' changes recorded as edits of
one virtual document per notebook, every cell's source in it, each edit with its cell; replayed byte for
byte at each save."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collector.seal.cells import align_cells
from collector.text.notebook_cells import SEPARATOR
from lsp_bridge.capture.notebooks import virtual_uri
from schemas import Step
from schemas import steps as kinds
from tests.unit.lsp_bridge.test_capture_drift import Session

NOTEBOOK = "nb.ipynb"
VIRTUAL = ".virtual_documents/nb.ipynb"
CODE, MARKUP = 2, 1


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    session = Session(tmp_path.resolve())
    session.recorder.start()
    try:
        yield session
    finally:
        session.recorder.flush()


def cell(session: Session, name: str) -> str:
    return f"vscode-notebook-cell:{(session.root / NOTEBOOK).as_posix()}#{name}"


def notebook_params(session: Session, version: int) -> dict[str, Any]:
    return {"uri": session.uri(NOTEBOOK), "version": version}


def open_notebook(session: Session, cells: list[tuple[str, int, str]]) -> None:
    listed = [{"kind": kind, "document": cell(session, name)} for name, kind, _ in cells]
    documents = [{"uri": cell(session, name), "languageId": "python" if kind == CODE else "markdown",
                  "version": 1, "text": text} for name, kind, text in cells]
    session.send("notebookDocument/didOpen", {"notebookDocument": {
        **notebook_params(session, 0), "notebookType": "jupyter-notebook", "cells": listed},
        "cellTextDocuments": documents})


def typed(session: Session, name: str, version: int, at: tuple[int, int], text: str,
          end: tuple[int, int] | None = None) -> None:
    end = end or at
    span = {"start": {"line": at[0], "character": at[1]}, "end": {"line": end[0], "character": end[1]}}
    content = {"document": {"uri": cell(session, name), "version": version},
               "changes": [{"range": span, "text": text}]}
    session.send("notebookDocument/didChange", {"notebookDocument": notebook_params(session, version),
                                                "change": {"cells": {"textContent": [content]}}})


def spliced(session: Session, start: int, count: int, cells: list[tuple[str, int]],
            opened: dict[str, str] | None = None, closed: list[str] | None = None) -> None:
    structure: dict[str, Any] = {"array": {"start": start, "deleteCount": count, "cells": [
        {"kind": kind, "document": cell(session, name)} for name, kind in cells]}}
    if opened:
        structure["didOpen"] = [{"uri": cell(session, name), "languageId": "python", "version": 1,
                                 "text": text} for name, text in opened.items()]
    if closed:
        structure["didClose"] = [{"uri": cell(session, name)} for name in closed]
    session.send("notebookDocument/didChange", {"notebookDocument": notebook_params(session, 1),
                                                "change": {"cells": {"structure": structure}}})


def saved(session: Session) -> None:
    session.send("notebookDocument/didSave", {"notebookDocument": {"uri": session.uri(NOTEBOOK)}})


def joined(*sources: str) -> str:
    return SEPARATOR.join(sources) + "\n"


def test_only_a_file_notebook_has_a_virtual_document() -> None:
    assert virtual_uri("file:///w/a/nb.ipynb") == "file:///w/a/.virtual_documents/nb.ipynb"
    assert virtual_uri("untitled:Untitled-1.ipynb") is None
    assert virtual_uri("file:///w/a/b.py") is None


def test_every_cells_keystrokes_are_edits_with_their_cell(session: Session) -> None:
    open_notebook(session, [("a", CODE, "x = 1"), ("m", MARKUP, "# Title"), ("b", CODE, "")])
    typed(session, "b", 2, (0, 0), "y")
    typed(session, "m", 2, (0, 7), "\n")
    typed(session, "m", 3, (1, 0), "é😀")
    typed(session, "a", 2, (0, 5), "0")
    saved(session)
    spliced(session, 3, 0, [("c", CODE)], opened={"c": "z"})  # added at the end
    spliced(session, 0, 2, [("m", MARKUP), ("a", CODE)])  # moved: the first cell below the second
    spliced(session, 1, 1, [], closed=["a"])  # deleted
    session.send("notebookDocument/didChange", {"notebookDocument": notebook_params(session, 2), "change": {
        "cells": {"textContent": [{"document": {"uri": cell(session, "c"), "version": 2},
                                   "changes": [{"text": "z = 2\n"}]}]}}})  # a cell's whole text
    saved(session)
    steps = session.steps()
    edits = [s for s in steps if s["kind"] == "edit"]
    assert all(s["path"] == VIRTUAL for s in edits)
    assert [s["cell"] for s in edits] == [2, 1, 1, 0, 3, 0, 1, 2]
    assert [s["changes"][0]["text"] for s in edits[:4]] == ["y", "\n", "é😀", "0"]
    assert session.texts_at_saves(VIRTUAL) == [
        joined("x = 10", "# Title\né😀", "y"),
        joined("# Title\né😀", "y", "z = 2\n"),
    ]
    (opened,) = [s for s in steps if s["kind"] == "open"]
    assert opened["text"] == joined("x = 1", "# Title", "") and opened["language_id"] == "python"


def test_a_cells_origin_names_the_virtual_documents_version(session: Session) -> None:
    open_notebook(session, [("a", CODE, ""), ("b", CODE, "")])
    typed(session, "b", 2, (0, 0), "q")
    sync = session.capture.notebooks
    assert sync.origin_target(cell(session, "b"), 2) == (session.uri(".virtual_documents/nb.ipynb"), 1)
    assert sync.origin_target(cell(session, "b"), 3) == (cell(session, "b"), 3)  # no such change
    assert sync.origin_target(session.uri("a.py"), 4) == (session.uri("a.py"), 4)


def test_a_change_to_a_cell_the_notebook_does_not_hold_is_a_gap(session: Session) -> None:
    open_notebook(session, [("a", CODE, "x")])
    typed(session, "ghost", 2, (0, 0), "y")
    steps = session.steps()
    assert [s["kind"] for s in steps if s["kind"] in ("edit", "gap")] == ["gap"]
    assert session.capture.documents.by_uri[session.uri(VIRTUAL)].stale


def test_a_notebook_outside_the_workspace_is_not_recorded(session: Session, tmp_path: Path) -> None:
    outside = (tmp_path.parent / "elsewhere.ipynb").as_uri()
    session.send("notebookDocument/didOpen", {
        "notebookDocument": {"uri": outside, "version": 0, "notebookType": "jupyter-notebook", "cells": []},
        "cellTextDocuments": []})
    assert [s for s in session.steps() if s["kind"] in ("open", "edit")] == []


def test_the_seal_keeps_the_cells_the_editor_told() -> None:
    def edit(t: int, cell: int) -> kinds.EditStep:
        return kinds.EditStep(t_ms=t, source="lsp", path=VIRTUAL, version=t, cell=cell,
                              changes=[kinds.ContentChange(text="x")])

    steps: list[Step] = [kinds.OpenStep(t_ms=0, source="lsp", path=VIRTUAL, language_id="python", version=0,
                            text=joined("", "")),
             edit(1, 1), kinds.SaveStep(t_ms=2, source="lsp", path=VIRTUAL, sha256=None), edit(3, 0),
             kinds.SaveStep(t_ms=4, source="lsp", path=VIRTUAL, sha256=None)]
    told = list(align_cells(iter(steps), "utf-16"))
    assert [s.t_ms for s in told] == [0, 1, 2, 3, 4]
    assert [(s.cell, s.cell_unknown) for s in told if isinstance(s, kinds.EditStep)] == [(1, None), (0, None)]
    assert [s.notebook for s in told if isinstance(s, kinds.SaveStep)] == [NOTEBOOK, NOTEBOOK]
