"""A notebook as LSP 3.17's notebook sync sends it (VS Code and its forks, through vscode-languageclient),
recorded as JupyterLab's is: one virtual document per notebook, `.virtual_documents/REL` beside the
notebook REL (collector/text/notebooks.py), its cells joined by three line breaks and ended with one
(collector/text/notebook_cells.py), and each edit with `cell`, the notebook's cell index.

Unlike jupyterlab-lsp's, every cell's source is in the document, a markdown or raw cell's too (VS Code types
them in cell documents like any other), and the editor says where the cells are: a cell's change is its
ranged change moved down by the lines of the cells above it; cells added, deleted or moved are the one
ranged change that turns the document before into the one after, its `cell` the first cell the splice
touched. A cell's kind is not in the text (a kind changed changes no text); the `.ipynb` the file watcher
records at each save says it. The notebook's save is the document's, with its text (checked against the
bridge's copy like any save).

A cell's `codetape/origin` (its URI and version) is told of the virtual document's version its change made.
A message that cannot be read (a change to a cell the notebook does not hold, say) leaves a gap in the
virtual document, which then goes stale like any document (handlers.py).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from collector.text.narrow import narrowed, narrowed_span
from collector.text.notebook_cells import SEPARATOR
from collector.text.notebooks import VIRTUAL_DOCUMENTS, is_notebook
from collector.text.positions import line_end, line_start, to_index
from collector.text.positions import units as units_in
from lsp_bridge.errors import MalformedMessage
from lsp_bridge.steps.translate import content_changes, integer, obj, optional_int, string
from schemas.steps.base import Position, Range
from schemas.steps.edit import ContentChange

if TYPE_CHECKING:
    from lsp_bridge.capture.resync import Resync
    from lsp_bridge.capture.sync import TextSync
    from schemas.common import PositionEncoding

NOTEBOOK_SYNC = frozenset({"notebookDocument/didOpen", "notebookDocument/didChange",
                           "notebookDocument/didSave", "notebookDocument/didClose"})
MAX_CELLS = 10_000  # cells in one notebook, at most
MAX_ORIGINS = 4096  # cell versions remembered for their codetape/origin, at most


@dataclass(slots=True)
class _Notebook:
    key: str  # the notebook's URI
    uri: str  # its virtual document's
    cells: list[str]  # the cells' document URIs, in the notebook's order
    texts: dict[str, str]  # each cell's source
    version: int = 0
    made: OrderedDict[tuple[str, int], int] = field(default_factory=OrderedDict)  # cell version -> ours

    def text(self) -> str:
        return SEPARATOR.join(self.texts.get(cell, "") for cell in self.cells) + "\n"


def virtual_uri(notebook: str) -> str | None:
    """The virtual document of a `file:` notebook URI (`file:///ws/a/nb.ipynb`:
    `file:///ws/a/.virtual_documents/nb.ipynb`); None for any other."""
    if not notebook.startswith("file:") or not is_notebook(notebook):
        return None
    folder, _, name = notebook.rpartition("/")
    return f"{folder}/{VIRTUAL_DOCUMENTS}/{name}"


class NotebookSync:
    """notebookDocument/* turned into the virtual document's text sync (sync.py) and saves (resync.py)."""

    def __init__(self, sync: TextSync, resync: Resync) -> None:
        self.sync = sync
        self.resync = resync
        self.notebooks: dict[str, _Notebook] = {}  # by the notebook's URI
        self.of_cell: dict[str, str] = {}  # a cell's URI -> its notebook's

    @property
    def _units(self) -> PositionEncoding:
        documents = self.sync.documents
        return documents.units or documents.encoding

    def did_open(self, params: Any, at: int) -> None:
        """notebookDocument/didOpen"""
        item = obj(obj(params, "params").get("notebookDocument"), "notebookDocument")
        uri = string(item.get("uri"), "notebookDocument.uri", limit=8192)
        virtual = virtual_uri(uri)
        if virtual is None:
            return
        cells = [_cell_uri(cell) for cell in _list(item.get("cells"), "cells")]
        texts, language = {}, ""
        for document in _list(obj(params, "params").get("cellTextDocuments"), "cellTextDocuments"):
            cell = string(obj(document, "cellTextDocument").get("uri"), "cell uri", limit=8192)
            texts[cell] = string(document.get("text"), "cell text")
            if not language and isinstance(document.get("languageId"), str) and \
                    document["languageId"] not in ("markdown", "raw"):
                language = document["languageId"]
        self._forget(uri)
        notebook = self.notebooks[uri] = _Notebook(uri, virtual, cells, texts)
        self.of_cell.update(dict.fromkeys(cells, uri))
        self.sync.did_open({"textDocument": {"uri": virtual, "languageId": language, "version": 0,
                                             "text": notebook.text()}}, at)

    def did_change(self, params: Any, at: int) -> None:
        """notebookDocument/didChange: the cells' structure, then their text."""
        item = obj(obj(params, "params").get("notebookDocument"), "notebookDocument")
        notebook = self.notebooks.get(string(item.get("uri"), "notebookDocument.uri", limit=8192))
        if notebook is None:
            return
        cells = obj(obj(params, "params").get("change"), "change").get("cells")
        if cells is None:
            return  # (the notebook's metadata only)
        cells = obj(cells, "change.cells")
        if (structure := cells.get("structure")) is not None:
            self._structure(notebook, obj(structure, "structure"), at)
        for index, content in enumerate(_list(cells.get("textContent") or [], "textContent")):
            what = f"textContent[{index}]"
            document = obj(obj(content, what).get("document"), f"{what}.document")
            cell = string(document.get("uri"), f"{what}.document.uri", limit=8192)
            version = optional_int(document.get("version"), f"{what}.document.version")
            changes = content_changes({"contentChanges": content.get("changes")})
            self._typed(notebook, cell, version, changes, at)

    def _structure(self, notebook: _Notebook, structure: dict[str, Any], at: int) -> None:
        """Cells added, deleted or moved: one splice of the cell array."""
        array = obj(structure.get("array"), "structure.array")
        start = integer(array.get("start"), "array.start", low=0, high=len(notebook.cells))
        count = integer(array.get("deleteCount"), "array.deleteCount", low=0,
                        high=len(notebook.cells) - start)
        added = [_cell_uri(cell) for cell in _list(array.get("cells") or [], "array.cells")]
        for document in _list(structure.get("didOpen") or [], "structure.didOpen"):
            cell = string(obj(document, "didOpen item").get("uri"), "didOpen uri", limit=8192)
            notebook.texts[cell] = string(document.get("text"), "didOpen text")
        before = notebook.text()
        notebook.cells[start:start + count] = added
        if len(notebook.cells) > MAX_CELLS:
            raise MalformedMessage(f"a notebook of more than {MAX_CELLS} cells")
        for document in _list(structure.get("didClose") or [], "structure.didClose"):
            cell = string(obj(document, "didClose item").get("uri"), "didClose uri", limit=8192)
            if cell not in notebook.cells:
                notebook.texts.pop(cell, None)
                self.of_cell.pop(cell, None)
        self.of_cell.update(dict.fromkeys(added, notebook.key))
        after = notebook.text()
        if after != before:
            change = narrowed(before, after)
            sl, sc, el, ec = narrowed_span(before, change, self._units)
            where = Range(start=Position(line=sl, character=sc), end=Position(line=el, character=ec))
            self._send(notebook, [ContentChange(range=where, text=after[change.start:change.after_end])],
                       at, start)

    def _typed(self, notebook: _Notebook, cell: str, version: int | None, changes: list[ContentChange],
               at: int) -> None:
        """One cell's changes, moved down to where the cell starts in the virtual document."""
        if cell not in notebook.texts or cell not in notebook.cells:
            raise MalformedMessage("a change to a cell the notebook does not hold")
        index = notebook.cells.index(cell)
        below = sum(notebook.texts[other].count("\n") + 3 for other in notebook.cells[:index])
        moved = []
        text = notebook.texts[cell]
        for change in changes:
            where = change.range if change.range is not None else _whole(text, self._units)
            moved.append(ContentChange(text=change.text, range=Range(
                start=Position(line=where.start.line + below, character=where.start.character),
                end=Position(line=where.end.line + below, character=where.end.character))))
            text = _applied(text, where, change.text, self._units)
        notebook.texts[cell] = text
        version_made = self._send(notebook, moved, at, index)
        if version is not None:
            notebook.made[(cell, version)] = version_made
            while len(notebook.made) > MAX_ORIGINS:
                notebook.made.popitem(last=False)

    def _send(self, notebook: _Notebook, changes: list[ContentChange], at: int, cell: int) -> int:
        notebook.version += 1
        self.sync.changed(notebook.uri, notebook.version, changes, at, cell)
        return notebook.version

    def did_save(self, params: Any, at: int) -> None:
        """notebookDocument/didSave: the virtual document saved, with its text."""
        item = obj(obj(params, "params").get("notebookDocument"), "notebookDocument")
        notebook = self.notebooks.get(string(item.get("uri"), "notebookDocument.uri", limit=8192))
        if notebook is not None:
            # (the text is the bridge's own cells, not the editor's word: a difference is drift, a resync)
            self.resync.did_save({"textDocument": {"uri": notebook.uri}, "text": notebook.text()}, at,
                                 editors=False)

    def did_close(self, params: Any, at: int) -> None:
        """notebookDocument/didClose"""
        item = obj(obj(params, "params").get("notebookDocument"), "notebookDocument")
        notebook = self._forget(string(item.get("uri"), "notebookDocument.uri", limit=8192))
        if notebook is not None:
            self.sync.did_close({"textDocument": {"uri": notebook.uri}}, at)

    def _forget(self, uri: str) -> _Notebook | None:
        notebook = self.notebooks.pop(uri, None)
        if notebook is not None:
            for cell in notebook.cells:
                self.of_cell.pop(cell, None)
        return notebook

    def document_of(self, params: Any) -> str | None:
        """The virtual document of the notebook a notebookDocument/* message names (None: none open)."""
        item = obj(obj(params, "params").get("notebookDocument"), "notebookDocument")
        notebook = self.notebooks.get(string(item.get("uri"), "notebookDocument.uri", limit=8192))
        return None if notebook is None else notebook.uri

    def origin_target(self, uri: str, version: int) -> tuple[str, int]:
        """Where a `codetape/origin` for (uri, version) points: a cell's version is the virtual document's
        version its change made; any other document's is itself."""
        notebook = self.notebooks.get(self.of_cell.get(uri, ""))
        made = None if notebook is None else notebook.made.get((uri, version))
        if notebook is None or made is None:
            return uri, version
        return notebook.uri, made


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list) or len(value) > MAX_CELLS:
        raise MalformedMessage(f"{what} is not a list of at most {MAX_CELLS} items")
    return value


def _cell_uri(cell: Any) -> str:
    return string(obj(cell, "notebook cell").get("document"), "notebook cell document", limit=8192)


def _whole(text: str, units: PositionEncoding) -> Range:
    """The range of all of `text`."""
    last = text.rfind("\n") + 1
    return Range(start=Position(line=0, character=0),
                 end=Position(line=text.count("\n"), character=units_in(text[last:], units)))


def _applied(text: str, where: Range, inserted: str, units: PositionEncoding) -> str:
    """`text` with `where` replaced by `inserted`; MalformedMessage for a line the cell does not have (never
    clamped, as collector/text/document.py clamps: in the virtual document that line is the next cell's)."""
    offsets = []
    for at in (where.start, where.end):
        start = line_start(text, at.line)
        if start is None:
            raise MalformedMessage(f"a cell change at line {at.line} of a cell of fewer lines")
        offsets.append(start + to_index(text[start:line_end(text, start)], at.character, units))
    return text[:offsets[0]] + inserted + text[offsets[1]:]
