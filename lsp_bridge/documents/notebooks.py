"""A notebook's virtual document (jupyterlab-lsp), and the notebook's cell a change to it lies in.

jupyterlab-lsp sends the language server one document per notebook, `.virtual_documents/NAME.ipynb`: one
block per cell, a code cell's lines (a markdown or raw cell's: none, its text a foreign document of its
own, so one empty line) joined with `\\n` and ended with one, the blocks then joined with two more
(`VirtualDocument.value`: `lineBlocks.join('\\n'.repeat(blankLinesBetweenCells))`, `blankLinesBetweenCells
= 2`, in @jupyterlab/lsp and jupyterlab-lsp's `src/virtual/document.ts`). So cells are separated by
CELL_SEPARATOR, three line breaks, and the document ends with one; a block's index is its cell's in the
notebook, markdown and raw cells counted (the `.ipynb`'s `cells`).

Cells are read from the separators: each run of line breaks holds as many as it has three line breaks,
the ones left over ending the cell before (a cell that ends with a blank line, as after Enter at its end).
This is exact while no cell holds two blank lines in a row (such a cell reads as two) and no cell starts
with a blank line (its line break reads as the cell before's). The cell of a change (its range narrowed,
collector/text/narrow.py) is the first where the cells before and after it differ, both read only around
the change: the separators before it are counted at C speed. A change that changes nothing is in no cell.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from collector.text.notebooks import VIRTUAL_DOCUMENTS

if TYPE_CHECKING:
    from collector.text.narrow import Narrowed

CELL_SEPARATOR = "\n\n\n"
_RUN = re.compile("\n{3,}")


def is_notebook(path: str) -> bool:
    """Whether a workspace-relative path is a notebook's virtual document (not a `%%` magic's own)."""
    return path.endswith(".ipynb") and VIRTUAL_DOCUMENTS in path.split("/")[:-1]


def cell_of(before: str, after: str, change: Narrowed) -> int | None:
    """The notebook's cell (from 0, every kind counted) where `change`, turning `before` into `after`, first
    makes the cells differ (module docstring); None when it changed nothing (JupyterLab sends the same text
    again at times)."""
    if change.start == change.before_end == change.after_end:
        return None
    start = change.start
    while start and before[start - 1] == "\n":  # out of a run of line breaks, into a cell's text
        start -= 1
    found = before.rfind(CELL_SEPARATOR, 0, start)
    first = 0 if found < 0 else found + len(CELL_SEPARATOR)  # where that cell starts
    cells_before = _cells(before, first, change.before_end)
    cells_after = _cells(after, first, change.after_end)
    shared = min(len(cells_before), len(cells_after))
    tail = 0
    while tail < shared and cells_before[-1 - tail] == cells_after[-1 - tail]:
        tail += 1
    head = 0
    while head < shared - tail and cells_before[head] == cells_after[head]:
        head += 1
    return before.count(CELL_SEPARATOR, 0, first) + head


def _cells(text: str, start: int, end: int) -> list[str]:
    """The whole cells from the one starting at `start` to the one holding `end` (past the line breaks
    there), each run of line breaks giving its leftover ones to the cell before."""
    last = len(text) - 1 if text.endswith("\n") else len(text)  # (the document's own last line break)
    while end < last and text[end] == "\n":
        end += 1
    found = text.find(CELL_SEPARATOR, end, last)
    end = last if found < 0 else found
    cells, at = [], start
    for run in _RUN.finditer(text, start, end):
        cut = run.end() - len(run.group()) // 3 * 3
        cells.append(text[at:cut])
        cells.extend([""] * ((run.end() - cut) // 3 - 1))
        at = run.end()
    cells.append(text[at:end])
    return cells
