"""A notebook's cells in its virtual document (collector/text/notebook_cells.py): laid over it from a save,
and carried through a change, with generated cells that hold blank-line pairs, start with blank lines and
sit between markdown cells."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collector.text.narrow import narrowed
from collector.text.notebook_cells import (
    SEPARATOR,
    aligned,
    moves,
    notebook_cells,
    separated,
    virtual_text,
)
from tests.examples import examples

LINES = st.lists(st.sampled_from(["x", "", "y = 1", "é", "😀", "    z", "def f():", "#"]), max_size=5)
SOURCES = LINES.map("\n".join)  # blank lines anywhere: two in a row, at the start, at the end
Cells = list[tuple[str, str]]
CELLS = st.lists(st.tuples(st.sampled_from(["code", "code", "code", "markdown", "raw"]), SOURCES),
                 min_size=1, max_size=6)


def truth(cells: list[tuple[str, str]]) -> tuple[int, ...]:
    """Where the separators of these cells' virtual document are, as jupyterlab-lsp joins them."""
    seps, at = [], 0
    for kind, source in cells[:-1]:
        at += len(source) if kind == "code" else 0
        seps.append(at)
        at += len(SEPARATOR)
    return tuple(seps)


def test_the_separator_is_what_jupyterlab_lsps_join_makes() -> None:
    """(the JupyterLab e2e test checks the join itself against what JupyterLab sends)"""
    assert virtual_text([("markdown", "# T"), ("code", "import os"), ("code", "x = 1")]) == \
        "\n\n\nimport os\n\n\nx = 1\n"


@settings(max_examples=examples(500))
@given(CELLS)
def test_a_save_lays_its_cells_over_the_document_as_they_are(cells: list[tuple[str, str]]) -> None:
    doc = virtual_text(cells)
    assert aligned(doc, cells) == truth(cells)
    assert separated(doc, truth(cells)) == [source if kind == "code" else "" for kind, source in cells]


def test_a_pep8_cell_is_one_cell() -> None:
    cells = [("markdown", "# Title"), ("code", "import os\n\n\ndef f():\n    return os.sep"), ("code", "f()")]
    doc = virtual_text(cells)
    seps = aligned(doc, cells)
    assert seps is not None and len(seps) == 2
    assert separated(doc, seps)[2] == "f()"


def test_a_save_that_is_not_the_document_lays_nothing() -> None:
    cells = [("code", "a"), ("code", "b")]
    assert aligned(virtual_text(cells), [("code", "a"), ("code", "c")]) is None
    assert aligned(virtual_text(cells), [("code", "a")]) is None
    assert aligned(virtual_text(cells) + "x", cells) is None


def test_an_ipython_line_magic_is_the_line_jupyterlab_lsp_rewrote() -> None:
    cells = [("code", "%matplotlib inline\nimport os"), ("code", "!ls")]
    doc = ('get_ipython().run_line_magic("matplotlib", " inline")\nimport os\n\n\n'
           'get_ipython().getoutput("ls")\n')
    assert aligned(doc, cells) == (doc.index("import os") + len("import os"),)


def test_a_cell_magic_is_any_lines_where_the_cells_around_tell() -> None:
    cells = [("code", "%%time\nx = 1\n\n\ny = 2"), ("code", "z")]
    doc = 'get_ipython().run_cell_magic("time", "", """x = 1\n\n\ny = 2""")\n\n\nz\n'
    assert aligned(doc, cells) == (doc.index('""")') + 4,)
    two = [("code", "%%time\nx"), ("code", "%%time\ny")]  # which of the runs parts them: not told
    assert aligned('get_ipython()\n\n\nq\n\n\nget_ipython()\n', two) is None


def test_a_notebooks_cells_from_its_json() -> None:
    text = json.dumps({"cells": [{"cell_type": "markdown", "source": ["# a\n", "b"]},
                                 {"cell_type": "code", "source": "x", "outputs": []}]})
    assert notebook_cells(text) == [("markdown", "# a\nb"), ("code", "x")]
    assert notebook_cells("not json") is None and notebook_cells("[]") is None
    assert notebook_cells('{"cells": [{"cell_type": 1}]}') is None


def cells_of(before: list[tuple[str, str]], after: list[tuple[str, str]]) -> set[int | None]:
    old, new = virtual_text(before), virtual_text(after)
    change = narrowed(old, new)
    found = moves(old, new, change.start, change.before_end - change.start, change.after_end - change.start,
                  frozenset({truth(before)}))
    assert found is not None
    return found[truth(after)]


def code(*sources: str) -> list[tuple[str, str]]:
    return [("code", source) for source in sources]


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (code("a", "b", "c"), code("a", "bx", "c"), {1}),  # typed at the end of a cell
        (code("a", "b"), code("a\n", "b"), {0}),  # a line break at the end of a cell: known both sides
        (code("a", "b"), code("a", "\nb"), {1}),  # at the start of the next
        (code("a", "b"), code("a", "", "b"), {1}),  # a cell added between two: the new one
        (code("a", "b", "c"), code("a", "c"), {1}),  # a cell deleted
        (code("a", "", "b"), code("a", "", "", "b"), {1, 2}),  # an empty cell beside an empty one
        (code("import os\n\n", "f()"), code("import os\n\n\n", "f()"), {0}),  # the second blank line
        (code("import os\n\n\n", "f()"), code("import os\n\n\nd", "f()"), {0}),
    ],
)
def test_the_cell_of_a_change_between_two_known_ways(before: Cells, after: Cells, expected: set[int]) -> None:
    assert cells_of(before, after) == expected


def test_a_line_break_between_two_cells_is_either_cells_from_before_alone() -> None:
    before = code("a", "b")
    old, new = virtual_text(before), virtual_text(code("a\n", "b"))
    change = narrowed(old, new)
    found = moves(old, new, change.start, 0, 1, frozenset({truth(before)}))
    assert found == {truth(code("a\n", "b")): {0}, truth(code("a", "\nb")): {1}}


def test_the_same_text_again_is_in_no_cell() -> None:
    text = virtual_text(code("a", "b"))
    assert moves(text, text, 0, 0, 0, frozenset({(1,)})) == {(1,): {None}}


def _act(cells: list[tuple[str, str]], data: Any) -> tuple[list[tuple[str, str]], set[int]]:
    """One thing a person does in JupyterLab, and the cells it could have been done in (those that give
    the same virtual document)."""
    action = data.draw(st.sampled_from(["type", "delete", "add", "remove"]))
    where = data.draw(st.integers(0, len(cells) - 1))
    after = list(cells)
    kind, source = cells[where]
    if action == "type" and kind == "code":
        at = data.draw(st.integers(0, len(source)))
        typed = data.draw(st.sampled_from(["a", "ü", "😀", " ", "\n"]))
        after[where] = (kind, source[:at] + typed + source[at:])
    elif action == "delete" and kind == "code" and source:
        at = data.draw(st.integers(0, len(source) - 1))
        after[where] = (kind, source[:at] + source[at + 1:])
    elif action == "add":
        where = data.draw(st.integers(0, len(cells)))
        after.insert(where, ("code", ""))
    elif action == "remove" and len(cells) > 1:
        del after[where]
    same = {k for k in range(len(cells) + 1) if _did(action, cells, k, after)} or {where}
    return after, same


def _did(action: str, cells: list[tuple[str, str]], k: int, after: list[tuple[str, str]]) -> bool:
    """Whether `action` at cell `k` gives the same virtual document (an empty code cell's block is a
    markdown cell's: the document cannot tell them apart, nor can the saves around)."""
    if action == "add":
        return _blocks([*cells[:k], ("code", ""), *cells[k:]]) == _blocks(after)
    if action == "remove" and k < len(cells):
        return _blocks([*cells[:k], *cells[k + 1:]]) == _blocks(after)
    return False


def _blocks(cells: list[tuple[str, str]]) -> list[str]:
    return [source if kind == "code" else "" for kind, source in cells]


@settings(max_examples=examples(1000))
@given(CELLS, st.data())
def test_between_two_saves_the_cell_of_any_one_action_is_where_it_happened(cells: list[tuple[str, str]],
                                                                         data: Any) -> None:
    """Whatever the cells hold (blank-line pairs, leading blank lines, markdown between), an action between
    two saves is told in its own cell, or in one of those that give the same notebook."""
    after, same = _act(cells, data)
    old, new = virtual_text(cells), virtual_text(after)
    if old == new:
        return
    change = narrowed(old, new)
    found = moves(old, new, change.start, change.before_end - change.start, change.after_end - change.start,
                  frozenset({truth(cells)}))
    assert found is not None and truth(after) in found
    assert found[truth(after)] <= same and found[truth(after)]
