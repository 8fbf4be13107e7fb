"""A notebook's cells told at the seal (collector/seal/cells.py): sessions made as JupyterLab makes them
(every change the whole virtual document, narrowed as the bridge narrows it; each save the `.ipynb` the
watcher records), with cells that hold blank-line pairs. An edit's cell is where it was typed, or it says
why it cannot be told: never a wrong one."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from collector.seal.cells import MAX_HELD, align_cells
from collector.text.narrow import narrowed, narrowed_span
from collector.text.notebook_cells import virtual_text
from schemas import Step
from schemas.steps import EditStep, FileChangeStep, OpenStep, SaveStep
from schemas.steps.base import Position, Range
from schemas.steps.edit import ContentChange
from tests.examples import examples
from tests.unit.text.test_notebook_cells import CELLS, _act

Cells = list[tuple[str, str]]
VIRTUAL = ".virtual_documents/nb.ipynb"


def ipynb(cells: Cells) -> str:
    return json.dumps({"cells": [{"cell_type": kind, "metadata": {}, "source": source,
                                  **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                                 for kind, source in cells],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


class Session:
    """Steps as the bridge and the watcher record a JupyterLab session."""

    def __init__(self, cells: Cells, virtual: str = VIRTUAL, name: str = "nb.ipynb", *, on_disk: bool = True
                 ) -> None:
        self.t = 0
        self.virtual, self.name = virtual, name
        self.cells = cells
        self.steps: list[Step] = []
        if on_disk:
            self.add(FileChangeStep(t_ms=0, source="watcher", path=name, change="created", text=ipynb(cells)))
        self.add(OpenStep(t_ms=0, source="bridge", path=virtual, language_id="python",
                          text=virtual_text(cells)))
        self.expected: list[set[int] | None] = []  # each edit's cells that give the same document
        self.views: list[FileChangeStep] = []  # the watcher's views of saves, not yet seen

    def add(self, step: Step) -> None:
        self.t += 1
        self.steps.append(step.__class__(**{**{f: getattr(step, f) for f in step.__struct_fields__},
                                             "t_ms": self.t}))

    def change(self, after: Cells, same: set[int]) -> None:
        old, new = virtual_text(self.cells), virtual_text(after)
        self.cells = after
        if old == new:
            return
        change = narrowed(old, new)
        sl, sc, el, ec = narrowed_span(old, change, "utf-16")
        where = Range(start=Position(line=sl, character=sc), end=Position(line=el, character=ec))
        self.add(EditStep(t_ms=0, source="bridge", path=self.virtual,
                          changes=[ContentChange(range=where, text=new[change.start:change.after_end])]))
        self.expected.append(same)

    def type(self, cell: int, text: str) -> None:
        """Key by key at the end of `cell`."""
        for char in text:
            after = list(self.cells)
            after[cell] = (after[cell][0], after[cell][1] + char)
            self.change(after, {cell})

    def save(self, name: str | None = None, *, late: bool = False) -> None:
        """The bridge's save, and the watcher's view of the file it wrote: now, or `late` (when `seen`)."""
        self.add(SaveStep(t_ms=0, source="bridge", path=self.virtual))
        self.views.append(FileChangeStep(t_ms=0, source="watcher", path=name or self.name, change="modified",
                                         text=ipynb(self.cells)))
        if not late:
            self.seen(len(self.views))

    def seen(self, count: int) -> None:
        """The watcher's views of the first `count` saves not yet seen arrive, in order."""
        for view in self.views[:count]:
            self.add(view)
        del self.views[:count]

    def sealed(self, held: int = MAX_HELD) -> list[Step]:
        out = list(align_cells(iter(self.steps), "utf-16", held))
        assert [step.t_ms for step in out] == [step.t_ms for step in self.steps]  # all, in order
        return out


def edits(steps: list[Step], virtual: str = VIRTUAL) -> list[EditStep]:
    return [step for step in steps if isinstance(step, EditStep) and step.path == virtual]


def told(steps: list[Step]) -> list[int | str | None]:
    return [edit.cell if edit.cell is not None else edit.cell_unknown for edit in edits(steps)]


def test_a_pep8_cell_shifts_no_later_cell() -> None:
    """The issue's case: a markdown cell above two code cells, one formatted to PEP 8; saved at the end."""
    session = Session([("markdown", "# Analysis"), ("code", ""), ("code", "")])
    session.type(1, "import os\n\n\ndef f():\n    return os.sep")
    session.type(2, "f()")
    session.save()
    assert told(session.sealed()) == [1] * len("import os\n\n\ndef f():\n    return os.sep") + [2, 2, 2]


def test_typed_again_after_a_save_into_the_cell_after_the_pep8_one() -> None:
    session = Session([("code", "import os\n\n\ndef f():\n    pass"), ("code", "x")])
    session.type(1, " = 1")
    session.save()
    session.type(0, "\n\n\ndef g():\n    pass")
    session.type(1, "\ny = 2")
    session.save()
    steps = session.sealed()
    assert told(steps) == [1] * 4 + [0] * len("\n\n\ndef g():\n    pass") + [1] * 6
    assert [step.notebook for step in steps if isinstance(step, SaveStep)] == ["nb.ipynb", "nb.ipynb"]


def test_a_line_break_between_two_cells_no_save_tells_is_ambiguous() -> None:
    """Enter at a cell's end is that cell's last line or the next one's first, the same text either way:
    the save after it tells; without one, the edit says so."""
    session = Session([("code", "a"), ("code", "b")])
    session.type(0, "\n")
    assert told(session.sealed()) == ["ambiguous"]
    session.save()
    assert told(session.sealed()) == [0]


def test_held_too_long_the_edits_are_told_from_the_save_before_them() -> None:
    """Past the steps it may hold, the seal tells the oldest document's edits from the anchor before them
    alone, and goes on from where they leave it: typing inside a cell needs nothing after it."""
    session = Session([("code", "import os\n\n\nx = 1"), ("code", "")])
    session.type(1, "print(x)")
    session.type(0, "\n")  # (a line break at a cell's end: only a later text or save tells whose)
    session.type(1, "!")
    assert told(session.sealed(held=3)) == [1] * 8 + ["ambiguous", 1]
    session.save()  # (within what may be held of it: the save tells)
    assert told(session.sealed(held=3)) == told(session.sealed()) == [1] * 8 + [0, 1]
    assert told(session.sealed(held=1)) == [1] * 8 + ["ambiguous", 1]


def test_without_a_text_of_the_notebook_no_cell_is_told() -> None:
    session = Session([("code", "a"), ("code", "b")], on_disk=False)
    session.type(1, "c")
    assert told(session.sealed()) == ["unaligned"]
    session.save()  # (the save's text tells it)
    assert told(session.sealed()) == [1]


def test_a_new_notebook_renamed_at_its_first_save_is_tied_to_its_new_name() -> None:
    """JupyterLab 4 renames a new notebook at its first save; jupyterlab-lsp goes on sending the first
    name. The watcher's rename ties the virtual document to the file it became."""
    session = Session([("code", "")], ".virtual_documents/Untitled.ipynb", "Untitled.ipynb")
    session.type(0, "import os\n\n\nx = 1")
    session.add(FileChangeStep(t_ms=0, source="watcher", path="Untitled.ipynb", change="renamed",
                               new_path="analysis.ipynb"))
    session.save("analysis.ipynb")
    steps = session.sealed()
    assert [step.notebook for step in steps if isinstance(step, SaveStep)] == ["analysis.ipynb"]
    typed = edits(steps, ".virtual_documents/Untitled.ipynb")
    assert [e.cell for e in typed] == [0] * len("import os\n\n\nx = 1")


def test_saved_under_its_first_name_then_renamed() -> None:
    """JupyterLab 4's own order: the new notebook saved as `Untitled.ipynb`, then renamed: the save names
    the file it wrote as it is named when typing goes on."""
    session = Session([("code", "")], ".virtual_documents/Untitled.ipynb", "Untitled.ipynb")
    session.type(0, "x = 1")
    session.save()
    session.add(FileChangeStep(t_ms=0, source="watcher", path="Untitled.ipynb", change="renamed",
                               new_path="analysis.ipynb"))
    session.type(0, "\ny = 2")
    session.save("analysis.ipynb")
    steps = session.sealed()
    assert [step.notebook for step in steps if isinstance(step, SaveStep)] == ["analysis.ipynb"] * 2
    assert [e.cell for e in edits(steps, ".virtual_documents/Untitled.ipynb")] == [0] * 11


def test_without_the_rename_its_cells_tie_it_unless_two_notebooks_match() -> None:
    session = Session([("code", "")], ".virtual_documents/Untitled.ipynb", "Untitled.ipynb")
    session.type(0, "x = 1")
    session.add(FileChangeStep(t_ms=0, source="watcher", path="Untitled.ipynb", change="deleted"))
    session.save("analysis.ipynb")  # (the watcher saw a delete and a create)
    steps = session.sealed()
    assert [step.notebook for step in steps if isinstance(step, SaveStep)] == ["analysis.ipynb"]
    assert [e.cell for e in edits(steps, ".virtual_documents/Untitled.ipynb")] == [0] * 5
    # a copy of the same cells on disk: which one it was is not told by the cells
    session = Session([("code", "")], ".virtual_documents/Untitled.ipynb", "Untitled.ipynb")
    session.type(0, "x = 1")
    session.add(FileChangeStep(t_ms=0, source="watcher", path="copy.ipynb", change="created",
                               text=ipynb(session.cells)))  # (Untitled.ipynb still there: not tied)
    session.add(FileChangeStep(t_ms=0, source="watcher", path="Untitled.ipynb", change="deleted"))
    session.save("analysis.ipynb")
    steps = session.sealed()
    assert [step.notebook for step in steps if isinstance(step, SaveStep)] == ["Untitled.ipynb"]


def test_the_view_of_a_save_may_come_after_the_next_save() -> None:
    """JupyterLab's order under load: a cell added and typed in, saved, deleted, saved again, and the
    watcher's views of both saves arriving after the second: each view is laid over the save whose text
    it lines up with, so the typing is told in its cell."""
    session = Session([("code", "x = 1")])
    session.change([("code", "x = 1"), ("code", "")], {0, 1})
    session.type(1, "y = x + 1")
    session.save(late=True)
    session.change([("code", "x = 1")], {0, 1})
    session.save(late=True)
    session.seen(2)
    assert told(session.sealed())[1:-1] == [1] * len("y = x + 1")


@settings(max_examples=examples(300), deadline=None)
@given(CELLS, st.data())
def test_never_a_wrong_cell(cells: Cells, data: Any) -> None:
    """Any actions, saved now and then, however few steps the seal may hold: each edit's cell is where it
    happened (or one of the cells that give the same document), or it says it cannot be told."""
    session = Session(cells)
    for _ in range(data.draw(st.integers(1, 12))):
        session.change(*_act(session.cells, data))
        if data.draw(st.booleans()):
            session.save()
    held = data.draw(st.sampled_from([1, 2, 5, MAX_HELD]))
    for edit, same in zip(edits(session.sealed(held)), session.expected, strict=True):
        assert (edit.cell in same) if edit.cell is not None else edit.cell_unknown is not None, (edit, same)


@settings(max_examples=examples(300), deadline=None)
@given(CELLS, st.data())
def test_saved_after_every_action_every_cell_is_told(cells: Cells, data: Any) -> None:
    session = Session(cells)
    for _ in range(data.draw(st.integers(1, 8))):
        session.change(*_act(session.cells, data))
        session.save(late=True)  # the watcher's views of the saves seen at any later point, in order
        session.seen(data.draw(st.integers(0, len(session.views))))
    session.seen(len(session.views))
    for edit, same in zip(edits(session.sealed()), session.expected, strict=True):
        assert edit.cell in same if len(same) == 1 else edit.cell in same or edit.cell_unknown == "ambiguous"
