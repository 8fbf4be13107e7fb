"""A notebook's virtual document (lsp_bridge/documents/notebooks.py, capture/sync.py): JupyterLab's
whole-text changes recorded as ranged edits, each with the code cell it lies in, and replayed byte for byte.

The virtual documents are made as jupyterlab-lsp makes them (`VirtualDocument.value`): each cell's code
ended with a line break, the cells joined with two more."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from collector.text.narrow import narrowed
from lsp_bridge.documents.notebooks import CELL_SEPARATOR, cell_of, is_notebook
from tests.unit.lsp_bridge.test_capture_drift import Session

NOTEBOOK = ".virtual_documents/analysis.ipynb"


def virtual(*cells: str) -> str:
    """jupyterlab-lsp's virtual document of a notebook with these code cells."""
    return "\n\n".join(cell + "\n" for cell in cells)


def cell(before: list[str], after: list[str]) -> int | None:
    old, new = virtual(*before), virtual(*after)
    return cell_of(old, new, narrowed(old, new))


def test_the_separator_is_what_jupyterlab_lsps_join_makes() -> None:
    """(the JupyterLab e2e test checks the join itself against what JupyterLab sends)"""
    assert virtual("import os", "x = 1") == "import os" + CELL_SEPARATOR + "x = 1\n"


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (["a", "b", "c"], ["a", "bx", "c"], 1),  # typed at the end of a cell
        (["a", "b", "c"], ["xa", "b", "c"], 0),  # at the start of the first
        (["a", "b", "c"], ["a", "b", "c\nd"], 2),  # a line in the last
        (["a", "b"], ["a\n", "b"], 0),  # a line break at the end of a cell: that cell, not the next
        (["a", "b"], ["a\n    ", "b"], 0),  # with the indent the editor adds
        (["a\n", "b"], ["a", "b"], 0),  # and taken away again
        (["a", "b"], ["a", "", "b"], 1),  # a cell added between two: the new one
        (["a"], ["a", ""], 1),  # and after the last
        (["a", ""], ["a", "z"], 1),  # typed into it
        (["a", "", "b"], ["a", "b"], 1),  # an empty cell deleted
        (["a", "b", "c"], ["a", "c"], 1),  # a cell deleted
        (["a", "b", "c"], ["b", "c"], 0),  # the first
        (["a", "b", "c"], ["a", "b"], 2),  # the last
        (["def f():\n    return 1", "f()"], ["def f():\n    return 2", "f()"], 0),
    ],
)
def test_the_cell_of_a_change(before: list[str], after: list[str], expected: int) -> None:
    assert cell(before, after) == expected


def test_a_cell_holding_two_blank_lines_in_a_row_counts_as_two() -> None:
    """The limit the module docstring states: the virtual document alone cannot tell such a cell from two."""
    two = "def f():\n    pass\n\n\ndef g():\n    pass"
    assert cell([two, "x"], [two, "xy"]) == 2


def test_only_a_notebooks_virtual_document_has_cells() -> None:
    assert is_notebook(".virtual_documents/a.ipynb") and is_notebook("sub/.virtual_documents/b.ipynb")
    assert not is_notebook("a.ipynb") and not is_notebook(".virtual_documents/a.py")
    assert not is_notebook(".virtual_documents/a.ipynb.python-1(cell).py")  # a `%%` magic's document


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


def test_whole_text_changes_are_recorded_ranged_with_their_cells(session: Session) -> None:
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
    assert all("range" in s["changes"][0] for s in recorded)
    assert [s["cell"] for s in recorded] == [1, 1, 1, 0, 0, 1, 1, 1]
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
    assert last["changes"] == [{"text": virtual("ab")}] and "cell" not in last
    assert session.texts_at_saves(NOTEBOOK) == [virtual("ab")]


def test_the_same_text_again_is_in_no_cell() -> None:
    text = virtual("a", "b")
    assert cell_of(text, text, narrowed(text, text)) is None


def test_a_change_of_every_character_stays_whole_and_in_no_cell(session: Session) -> None:
    session.open(NOTEBOOK, virtual("a"), 1)
    whole(session, NOTEBOOK, 2, "b = 2")
    session.save(NOTEBOOK, "b = 2")
    (edit,) = edits(session.steps())
    assert edit["changes"] == [{"text": "b = 2"}] and "cell" not in edit
    assert session.texts_at_saves(NOTEBOOK) == ["b = 2"]


LINES = st.lists(st.sampled_from(["x", "y = 1", "é", "😀", "    z", "#"]), max_size=3)
NOTEBOOKS = st.lists(LINES.map("\n".join), min_size=1, max_size=6)  # no blank line in a cell


@settings(max_examples=400)
@given(NOTEBOOKS, st.data())
def test_the_cell_of_any_one_action_in_a_notebook_without_blank_line_pairs(
    cells: list[str], data: Any
) -> None:
    """Typing or deleting a character in a cell, a line break at a cell's end, adding an empty cell or
    deleting one: the change's cell is where it happened (any of the cells that give the same notebook),
    wherever the narrowing put the change in a run of line breaks."""
    action = data.draw(st.sampled_from(["type", "delete", "break", "add", "remove"]))
    where = data.draw(st.integers(0, len(cells) - 1))
    after = list(cells)
    if action == "type":
        at = data.draw(st.integers(0, len(cells[where])))
        after[where] = (
            cells[where][:at] + data.draw(st.sampled_from(["a", "ü", "😀", " ", "\n"])) + cells[where][at:]
        )
        assume(not after[where].startswith("\n") and "\n\n\n" not in after[where])  # (the limits)
    elif action == "delete":
        assume(cells[where])
        at = data.draw(st.integers(0, len(cells[where]) - 1))
        assume(cells[where][at] != "\n")  # (joining two lines: they may hold anything)
        after[where] = cells[where][:at] + cells[where][at + 1 :]
        assume(not after[where].startswith("\n"))  # (a cell that starts with a line break: the limit)
    elif action == "break":
        assume(cells[where] and not cells[where].endswith("\n"))
        after[where] = cells[where] + "\n"
    elif action == "add":
        where = data.draw(st.integers(0, len(cells)))
        after.insert(where, "")
    else:
        assume(len(cells) > 1)
        del after[where]
    assume(after != cells)
    same = {k for k in range(len(cells) + 1) if _did(action, cells, k) == after} or {where}
    assert cell(cells, after) in same


def _did(action: str, cells: list[str], k: int) -> list[str] | None:
    """The notebook after `action` at cell `k`, for the actions whose place the text alone may not tell."""
    if action == "add":
        return [*cells[:k], "", *cells[k:]]
    if action == "remove" and k < len(cells):
        return [*cells[:k], *cells[k + 1 :]]
    return None


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
