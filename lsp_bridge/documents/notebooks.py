"""A notebook's virtual document (jupyterlab-lsp), and the code cell a change to it lies in.

jupyterlab-lsp sends the language server one document per notebook, `.virtual_documents/NAME.ipynb`: each
code cell's lines joined with `\\n` and ended with one, the cells then joined with two more
(`VirtualDocument.value`: `lineBlocks.join('\\n'.repeat(blankLinesBetweenCells))`, `blankLinesBetweenCells
= 2`, in @jupyterlab/lsp and jupyterlab-lsp's `src/virtual/document.ts`). So cells are separated by
CELL_SEPARATOR, three line breaks, and the document ends with one.

A cell is counted as the separators before it, read from the start of the document, each run of line
breaks taking them three at a time: exact while no cell holds two blank lines in a row (a cell that does
counts as two). The cell of a change (its range narrowed, collector/text/narrow.py) is the one its new
text went into, counted in the document after it: at its first character that is not a line break, else at
its end; a change that only removes text is counted, the same way, in the document before it, and a change
that changes nothing is in no cell.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collector.text.narrow import Narrowed

VIRTUAL_DOCUMENTS = ".virtual_documents"  # jupyter-lsp's shadow folder (the file watcher's TOOL_FOLDERS)
CELL_SEPARATOR = "\n\n\n"


def is_notebook(path: str) -> bool:
    """Whether a workspace-relative path is a notebook's virtual document (not a `%%` magic's own)."""
    return path.endswith(".ipynb") and VIRTUAL_DOCUMENTS in path.split("/")[:-1]


def cell_of(before: str, after: str, change: Narrowed) -> int | None:
    """The code cell (from 0) `change` turned `before` into `after` in (module docstring); None when it
    changed nothing (JupyterLab sends the same text again at times)."""
    if change.start == change.before_end == change.after_end:
        return None
    inserted = after[change.start : change.after_end]
    if inserted:
        return after.count(CELL_SEPARATOR, 0, _at(inserted, change.start, change.after_end))
    removed = before[change.start : change.before_end]
    return before.count(CELL_SEPARATOR, 0, _at(removed, change.start, change.before_end))


def _at(text: str, start: int, end: int) -> int:
    """Where `text`, lying at `start` to `end`, has its first character that is not a line break (its end
    when it has none)."""
    breaks = len(text) - len(text.lstrip("\n"))
    return start + breaks if breaks < len(text) else end
