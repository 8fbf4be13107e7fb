"""A notebook's virtual document (capture/sync.py): JupyterLab's whole-text changes recorded as ranged
edits, replayed byte for byte; their cells are told at the seal (tests/unit/seal/test_cells.py).

The virtual documents are made as jupyterlab-lsp makes them (`VirtualDocument.value`): each cell's code
ended with a line break, the cells joined with two more."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collector.text.notebooks import mirrored
from tests.unit.lsp_bridge.test_capture_drift import Session

NOTEBOOK = ".virtual_documents/analysis.ipynb"


def virtual(*cells: str) -> str:
    """jupyterlab-lsp's virtual document of a notebook with these code cells."""
    return "\n\n".join(cell + "\n" for cell in cells)


def test_only_a_notebooks_virtual_document_mirrors_a_notebook() -> None:
    assert mirrored(".virtual_documents/a.ipynb") == "a.ipynb"
    assert mirrored("sub/.virtual_documents/b.ipynb") == "b.ipynb"
    assert mirrored("a.ipynb") is None and mirrored(".virtual_documents/a.py") is None
    assert mirrored(".virtual_documents/a.ipynb.python-1(cell).py") is None  # a `%%` magic's document


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    session = Session(tmp_path.resolve())
    session.recorder.start()
    try:
        yield session
    finally:
        session.recorder.flush()


def whole(session: Session, path: str, version: int, text: str) -> None:
    session.send(
        "textDocument/didChange",
        {"textDocument": {"uri": session.uri(path), "version": version}, "contentChanges": [{"text": text}]},
    )


def edits(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in steps if s["kind"] == "edit"]


def test_whole_text_changes_are_recorded_ranged(session: Session) -> None:
    notebooks = [
        ["import os"],
        ["import os", ""],
        ["import os", "p"],
        ["import os", "pr😀"],
        ["import os\n", "pr😀"],
        ["import os\nx = 1", "pr😀"],
        ["import os\nx = 1", "", "pr😀"],
        ["import os\nx = 1", "y", "pr😀"],
        ["import os\nx = 1", "pr😀"],
    ]
    session.open(NOTEBOOK, virtual(*notebooks[0]), 1)
    for version, cells in enumerate(notebooks[1:], start=2):
        whole(session, NOTEBOOK, version, virtual(*cells))
    session.save(NOTEBOOK, virtual(*notebooks[-1]))
    steps = session.steps()
    recorded = edits(steps)
    assert all("range" in s["changes"][0] and "cell" not in s for s in recorded)  # (told at the seal)
    assert [s["changes"][0]["text"] for s in recorded] == [
        "\n\n\n",
        "p",
        "r😀",
        "\n",
        "x = 1",
        "\n\n\n",
        "y",
        "",
    ]
    assert session.texts_at_saves(NOTEBOOK) == [virtual(*notebooks[-1])]


def test_a_file_has_ranged_edits_and_no_cell(session: Session) -> None:
    session.open("a.py", "x = 1\n", 1)
    whole(session, "a.py", 2, "x = 12\n")
    session.save("a.py", "x = 12\n", disk="x = 12\n")
    (edit,) = edits(session.steps())
    assert "cell" not in edit
    at = {"line": 0, "character": 5}
    assert edit["changes"] == [{"range": {"start": at, "end": at}, "text": "2"}]
    assert session.texts_at_saves("a.py") == ["x = 12\n"]


def test_a_stale_copy_takes_the_whole_text_as_it_comes(session: Session) -> None:
    """A change past the end leaves the copy stale; the next whole text is the recording's again, whole."""
    session.open(NOTEBOOK, virtual("a"), 1)
    session.change(NOTEBOOK, 2, (9, 0), (9, 0), "lost")
    whole(session, NOTEBOOK, 3, virtual("ab"))
    session.save(NOTEBOOK, virtual("ab"))
    last = edits(session.steps())[-1]
    assert last["changes"] == [{"text": virtual("ab")}]
    assert session.texts_at_saves(NOTEBOOK) == [virtual("ab")]


def test_a_change_of_every_character_stays_whole(session: Session) -> None:
    session.open(NOTEBOOK, virtual("a"), 1)
    whole(session, NOTEBOOK, 2, "b = 2")
    session.save(NOTEBOOK, "b = 2")
    (edit,) = edits(session.steps())
    assert edit["changes"] == [{"text": "b = 2"}]
    assert session.texts_at_saves(NOTEBOOK) == ["b = 2"]


def test_a_narrowed_whole_text_leaves_the_copy_exact_for_telling_how_the_editor_counts(
    session: Session,
) -> None:
    """After a whole text, the editor's next change is counted in utf-8 though it negotiated utf-16: the
    save's text is explained from that whole text on (resync.py), as before narrowing."""
    session.open("a.py", "é\n", 1)
    whole(session, "a.py", 2, "éa\n")
    session.change("a.py", 3, (0, 2), (0, 2), "b")  # after `é`, counted in utf-8 bytes
    session.save("a.py", "éba\n", disk="éba\n")
    (gap,) = [s for s in session.steps() if s["kind"] == "gap"]
    assert "counts columns in utf-8" in gap["detail"]
