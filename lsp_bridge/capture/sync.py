"""Text sync: a document opened, changed and closed, as `open`, `edit` and `close` steps.

Changes are applied in version order: one whose predecessor has not arrived yet (Helix sends
`7, 11, 8, 12, ...` after a buffer opens) is held, for at most HOLD_MS of the editor's later traffic
and never past a save or close of its document. An editor whose versions skip numbers (Neovim counts
`b:changedtick`) is noticed the first time a hold runs out with nothing filled, and not held again.

A change of the whole text (JupyterLab sends nothing else) is narrowed, while the copy is exact, to the one
ranged change that makes the same text (collector/text/narrow.py). An edit of a notebook's virtual
document is given its notebook cell at the seal, from the notebook's saves (collector/seal/cells.py), unless
the editor said it (LSP notebook sync: notebooks.py).

Each change is applied to the bridge's copy (documents/tracked.py) in the encoding the editor really counts
in and recorded in the negotiated one, with variants for the others the sessions want; the origin of its
text (authorship/origins.py) and what it made of a pending offer (authorship/offers.py) are settled with it.
A change that cannot be applied leaves the document stale and a `gap`, until the editor sends its whole text
again. The save, which checks the copy, is resync.py's.
"""

from __future__ import annotations

import bisect
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from collector.text.linediff import replacements
from collector.text.narrow import Narrowed, narrowed, narrowed_span, narrowed_spans
from lsp_bridge.authorship.offer_steps import OfferSteps
from lsp_bridge.authorship.origins import Narrowing, Origins
from lsp_bridge.documents.tracked import TrackedDocument
from lsp_bridge.documents.tracking import Tracking
from lsp_bridge.errors import OutOfRange
from lsp_bridge.recording.spool import Outgoing
from lsp_bridge.steps.translate import (
    close_step,
    content_changes,
    document_uri,
    document_version,
    edit_step,
    gap_step,
    obj,
    open_step,
    optional_int,
    string,
    too_large,
)
from schemas.limits import MAX_CHANGES
from schemas.steps import Step
from schemas.steps.base import Position, Range
from schemas.steps.edit import ContentChange

if TYPE_CHECKING:
    from pathlib import Path

    from schemas.common import PositionEncoding

log = logging.getLogger(__name__)

HOLD_MS = 250  # a change whose predecessor has not arrived waits at most this long of later traffic
HOLD_CHANGES = 256  # and at most this many changes wait per document
TEXT_SYNC = frozenset({"textDocument/didOpen", "textDocument/didChange", "textDocument/didClose",
                       "textDocument/didSave"})


@dataclass(frozen=True, slots=True)
class _Held:
    """A change that arrived before its predecessor."""
    version: int
    at: int
    changes: list[ContentChange]
    cell: int | None = None


class TextSync:
    def __init__(self, tracking: Tracking, offered: OfferSteps, origins: Origins) -> None:
        self.tracking = tracking
        self.documents = tracking.documents
        self.recorder = tracking.recorder
        self.workspaces = tracking.workspaces
        self.offered = offered
        self.offers = offered.offers
        self.origins = origins
        self.too_large: set[str] = set()
        self.unrecorded: set[Path] = set()  # notebooks said to be in no opted-in workspace
        self.held: dict[str, list[_Held]] = {}  # uri -> changes waiting for their predecessor, by version
        self._versions_skip = False  # the editor's versions skip numbers: changes apply as they arrive
        self._filled = False  # a held change's predecessor arrived late at least once (real reordering)

    def did_open(self, params: Any, at: int) -> None:
        """textDocument/didOpen"""
        item = obj(obj(params, "params").get("textDocument"), "textDocument")
        uri = string(item.get("uri"), "uri", limit=8192)
        text = string(item.get("text"), "text")
        version = optional_int(item.get("version"), "version")
        language = item.get("languageId")
        language_id = language if isinstance(language, str) else ""
        self.documents.by_uri.pop(uri, None)
        self.too_large.discard(uri)
        located = self.workspaces.locate(uri, fresh=True)
        if located is None:
            self._unrecorded(uri)
            return
        if too_large(text):
            self.too_large.add(uri)
            log.warning("codetape: %s is too large to record; its edits are skipped", located.path)
            gap = gap_step("other", f"{located.path} is too large to record ({len(text)} characters)")
            self.recorder.record(located.root, Outgoing(at, gap))
            return
        doc = TrackedDocument(uri, located.root, located.path, text,
                              self.documents.units or self.documents.encoding,
                              version=version, language_id=language_id)
        self.documents.by_uri[uri] = doc
        self.tracking.record(doc.root, at, open_step(doc.path, language_id, version, text), (doc.path,))

    def _unrecorded(self, uri: str) -> None:
        """A notebook in no opted-in workspace: said once on stderr (Jupyter's server log) and to the
        collector, which `codetape status` asks."""
        notebook = self.workspaces.unrecorded_notebook(uri)
        if notebook is None or notebook in self.unrecorded:
            return
        self.unrecorded.add(notebook)
        log.warning("codetape: %s is in no opted-in workspace, so it is not recorded (run `codetape init` in "
                    "its project to record it)", notebook)
        self.recorder.tell("unrecorded", path=str(notebook), why="notebook in no opted-in workspace")

    def did_change(self, params: Any, at: int) -> None:
        """textDocument/didChange, in version order (module docstring)."""
        self.changed(document_uri(params), document_version(params), content_changes(params), at)

    def changed(self, uri: str, version: int | None, changes: list[ContentChange], at: int,
                cell: int | None = None) -> None:
        """A document's change, `cell` the notebook cell it lies in when the editor says so (notebooks.py)."""
        doc = self.documents.by_uri.get(uri)
        if doc is None:
            if uri not in self.too_large and self.workspaces.locate(uri) is not None:
                log.warning("codetape: didChange for %s, which was never opened: skipped", uri)
            return
        if version is not None and doc.version is not None and version > doc.version + 1 \
                and not self._versions_skip:
            waiting = self.held.setdefault(uri, [])
            bisect.insort(waiting, _Held(version, at, changes, cell), key=lambda h: h.version)
            if len(waiting) > HOLD_CHANGES:
                self.release(uri, at)
            return
        self._change(doc, version, changes, at, cell)
        held = self.held.get(uri)
        while held and doc.version is not None and held[0].version == doc.version + 1:
            self._filled = True
            waited = held.pop(0)
            self._change(doc, waited.version, waited.changes, waited.at, waited.cell)
        if held == []:
            del self.held[uri]

    def expire(self, at: int) -> None:
        """Apply the changes that have waited HOLD_MS for a predecessor that did not come."""
        for uri in [u for u, held in self.held.items() if held[0].at + HOLD_MS <= at]:
            if not self._filled and not self._versions_skip:
                self._versions_skip = True
                log.info("codetape: this editor's document versions skip numbers; changes apply as they "
                         "arrive")
            self.release(uri, at)

    def release(self, uri: str | None, at: int) -> None:
        """Apply the held changes of one document (`uri`), or of all (None), in version order."""
        for key in list(self.held) if uri is None else [uri]:
            held = self.held.pop(key, None)
            doc = self.documents.by_uri.get(key)
            if not held or doc is None:
                continue
            for waited in held:
                if doc.version is not None and waited.version > doc.version + 1:
                    first, last = doc.version + 1, waited.version - 1
                    doc.drift = f"version {first} never arrived" if first == last else \
                        f"versions {first} to {last} never arrived"
                self._change(doc, waited.version, waited.changes, waited.at, waited.cell)

    def _change(self, doc: TrackedDocument, version: int | None, changes: list[ContentChange],
                at: int, cell: int | None = None) -> None:
        previous = doc.version  # (what a server's edits were computed for: lsp_bridge/authorship/origins.py)
        if version is not None and doc.version is not None and version <= doc.version:
            log.warning("codetape: %s went from version %s back to %s", doc.path, doc.version, version)
            doc.drift = f"version {version} arrived after version {doc.version}"
        doc.version = version
        if any(change.range is None for change in changes) and not self.tracking.still_there(doc, at):
            return
        if doc.stale:
            self.offers.drop(doc.uri)
            fulls = [i for i, change in enumerate(changes) if change.range is None]
            if not fulls:
                return
            changes = changes[fulls[-1]:]
        if too_large(*(change.text for change in changes)):
            doc.stale = True
            self.offers.drop(doc.uri)
            log.warning("codetape: a change to %s is too large to record", doc.path)
            gap = gap_step("other", f"a change to {doc.path} is too large to record", lost=1)
            self.recorder.record(doc.root, Outgoing(at, gap))
            return
        whole = None
        if len(changes) == 1 and changes[0].range is None and not doc.stale:
            whole = changes[0].text
            changes = narrowed_edit(doc, whole)
        encoding = self.documents.encoding
        targets = self.tracking.targets(doc.root)
        # (a server's edits, a format; a change whose word may come after it: authorship/origins.py `late`)
        late = self.origins.late(changes)
        before = doc.text if late or self.origins.wanted(doc.uri, version) else None
        if targets and (caret := self.offers.caret(doc.uri)) is not None:
            here = Range(start=caret, end=caret)
            self.offers.place(doc.uri, {str(e): doc.convert(here, e, encoding).start for e in targets})
        try:
            if doc.encoding == encoding:
                variants = doc.apply(changes, targets)
            else:  # the editor's positions, counted as it really counts, recorded as negotiated
                raw, variants = changes, doc.apply(changes, (*targets, encoding))
                changes = variants.pop(encoding, raw)
                if doc.encoding in targets:
                    variants[doc.encoding] = raw
        except OutOfRange as exc:
            doc.stale = True
            self.offers.drop(doc.uri)
            log.error("codetape: skipped a change to %s: %s", doc.path, exc)
            gap = gap_step("malformed_input", f"didChange: {exc}", lost=1)
            self.recorder.record(doc.root, Outgoing(at, gap))
            return
        doc.stale = False
        if whole is not None:
            doc.exact(whole)
        origin = self.origins.of(doc.uri, version, previous, changes, before, doc.doc, encoding, at)
        if origin is not None and origin[0] == "format" and before is not None and \
                (lines := formatted(before, doc.text, encoding, targets)) is not None:
            changes, variants = lines
        step = edit_step(doc.path, version, changes, origin, cell)
        others: dict[str, Step] = {str(e): edit_step(doc.path, version, c, origin, cell)
                                   for e, c in variants.items()}
        item = Outgoing(at, step, others or None, (doc.path,))
        if origin is None:
            self.origins.held(doc.uri, version, item, None if not late or before is None else
                              _narrowing(before, doc.text, encoding, targets))
        self.offers.changed(doc.uri, changes, self.origins.taken, encoding, at)  # (its step first)
        self.recorder.record(doc.root, item)
        if self.offered.due:
            self.offered.record_due(doc, at)

    def did_close(self, params: Any, at: int) -> None:
        """textDocument/didClose"""
        uri = document_uri(params)
        self.too_large.discard(uri)
        self.origins.closed(uri)
        self.offered.closed(uri, at)
        doc = self.documents.by_uri.pop(uri, None)
        if doc is not None:
            self.tracking.record(doc.root, at, close_step(doc.path), (doc.path,))


def narrowed_edit(doc: TrackedDocument, text: str) -> list[ContentChange]:
    """The whole text `text` as the ranged change that makes it from the exact copy, in the editor's
    counting. A change that replaces the whole text stays as it came: narrowed it would say the same, and a
    ranged change over every line is slower to apply (bench/README.md, narrowing)."""
    before = doc.text
    change = narrowed(before, text)
    if change.start == 0 and change.before_end == len(before) and before:
        return [ContentChange(text=text)]
    sl, sc, el, ec = narrowed_span(before, change, doc.encoding)
    where = Range(start=Position(line=sl, character=sc), end=Position(line=el, character=ec))
    return [ContentChange(range=where, text=text[change.start : change.after_end])]


def _narrowing(before: str, after: str, encoding: PositionEncoding, targets: tuple[PositionEncoding, ...]
               ) -> Narrowing:
    """`formatted` of a change held for its word, should the word say it is a format."""
    def narrowed() -> tuple[list[ContentChange], dict[str, list[ContentChange]]] | None:
        lines = formatted(before, after, encoding, targets)
        return None if lines is None else (lines[0], {str(unit): each for unit, each in lines[1].items()})
    return narrowed


def formatted(before: str, after: str, encoding: PositionEncoding, targets: tuple[PositionEncoding, ...]
              ) -> tuple[list[ContentChange], dict[PositionEncoding, list[ContentChange]]] | None:
    """A format's change as the lines it changed, each its own ranged change (from the last, so that each
    range holds in the text before them all): however the editor sent it (Neovim re-inserts every line
    after the first it changed), the lines it left as they were are not the format's work (issue 90). In
    the negotiated `encoding`, and in each of `targets` where a position differs; None when it changed
    nothing (or more lines than an edit holds changes: then as it came)."""
    found = replacements(before, after)
    if not found or len(found) > MAX_CHANGES:
        return None

    wheres = [Narrowed(each.before_start, each.before_end, each.after_end) for each in found]

    def counted(unit: PositionEncoding) -> list[ContentChange]:
        spans = narrowed_spans(before, wheres, unit)  # (one pass over the text for all of them)
        return [ContentChange(range=Range(start=Position(line=sl, character=sc),
                                          end=Position(line=el, character=ec)),
                              text=after[each.after_start:each.after_end])
                for each, (sl, sc, el, ec) in zip(reversed(found), reversed(spans), strict=True)]

    changes = counted(encoding)
    others = {unit: counted(unit) for unit in targets if unit != encoding}
    return changes, {unit: each for unit, each in others.items() if each != changes}
