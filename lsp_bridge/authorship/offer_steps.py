"""Offers as steps: where a document's completion and inline offers are recorded from.

Proxy mode reads what servers offered (a completion list, an inline completion answer) and offers.py
decides what came of it; here the caret is counted as the steps are and the `offer` step recorded, with
variants for the other encodings. An editor extension reports the menus it showed itself
(`codetape/offer`, sent once the menu closed): such a report is recorded once its document has reached
the version it names (its didChange may come after it), or OFFER_WAIT_MS later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from msgspec.structs import replace

from collector.text.positions import content_of
from lsp_bridge.authorship.offers import Offers, offered
from lsp_bridge.authorship.origins import Origins
from lsp_bridge.documents.tracked import TrackedDocument
from lsp_bridge.documents.tracking import Tracking
from lsp_bridge.errors import MalformedMessage
from lsp_bridge.steps.translate import SOURCE, position
from schemas.steps import OfferedItem, OfferStep, Step
from schemas.steps.base import Position, Range

if TYPE_CHECKING:
    from schemas.messages import OfferParams

OFFER_WAIT_MS = 2000  # an editor's offer waits at most this long for the change that makes its version
MAX_OFFERS_DUE = 16  # and at most this many wait per document


class OfferSteps:
    def __init__(self, tracking: Tracking, origins: Origins) -> None:
        self.tracking = tracking
        self.documents = tracking.documents
        self.documents = tracking.documents
        self.origins = origins
        self.offers = Offers(self._offered)  # what servers offered, what came of it (offers.py)
        self.due: dict[str, list[tuple[OfferParams, int]]] = {}  # an editor's, before their change

    def completion(self, uri: str, provider: str | None, at: int) -> None:
        """The completion list origins.py has just read for `uri` is an offer (offers.py)."""
        doc = self.documents.by_uri.get(uri)
        listed = self.origins.listed(uri)
        if doc is not None and not doc.stale and listed is not None:
            self.offers.completion(uri, self._caret(doc, listed[0]), listed[1], provider, at)

    def inline(self, uri: str, params: Any, result: Any, provider: str | None, at: int) -> None:
        """A `textDocument/inlineCompletion` answer for `uri`."""
        doc = self.documents.by_uri.get(uri)
        if doc is None or doc.stale or not isinstance(params, dict):
            return
        try:
            caret = self._caret(doc, position(params.get("position")))
        except MalformedMessage:
            return
        lines = doc.doc.lines
        line = content_of(lines[caret.line]) if caret.line < len(lines) else None
        self.offers.inline(uri, {**params, "position": {"line": caret.line, "character": caret.character}},
                           result, line, self.documents.encoding, provider, at)

    def _caret(self, doc: TrackedDocument, where: Position) -> Position:
        """A position the editor sent, counted as the steps are recorded."""
        if doc.encoding == self.documents.encoding:
            return where
        return doc.convert(Range(start=where, end=where), self.documents.encoding).start

    def _offered(self, uri: str, fields: dict[str, Any], caret: Position, variants: dict[str, Position],
                 at: int) -> None:
        doc = self.documents.by_uri.get(uri)
        if doc is None:
            return
        step = _offer_step(doc.path, Range(start=caret, end=caret), fields)
        others: dict[str, Step] = {e: replace(step, range=Range(start=p, end=p)) for e, p in variants.items()}
        self.tracking.record(doc.root, at, step, (doc.path,), others)

    def reported(self, message: OfferParams, at: int) -> None:
        """codetape/offer: a menu the editor showed, sent once it closed (the taken text in the buffer),
        recorded once the document is at the version it names (its didChange may come after it)."""
        doc = self.documents.by_uri.get(message.uri)
        if doc is None or doc.stale:
            return
        if message.version is not None and doc.version is not None and doc.version < message.version:
            waiting = self.due.setdefault(doc.uri, [])
            waiting.append((message, at))
            del waiting[:-MAX_OFFERS_DUE]
            return
        self._record_reported(doc, message, at)

    def record_due(self, doc: TrackedDocument, at: int) -> None:
        """Record the editor's offers that waited for the version the document has now reached (or passed
        OFFER_WAIT_MS ago)."""
        waiting = self.due.get(doc.uri, [])
        due = [(m, when) for m, when in waiting if doc.version is None or m.version is None or
               m.version <= doc.version or when + OFFER_WAIT_MS < at]
        if not due:
            return
        self.due[doc.uri] = [entry for entry in waiting if entry not in due]
        for message, _ in due:
            self._record_reported(doc, message, at)

    def closed(self, uri: str, at: int) -> None:
        """The document closed: its pending offer is not taken, its reported ones waiting are dropped."""
        self.offers.closed(uri, at)
        self.due.pop(uri, None)

    def _record_reported(self, doc: TrackedDocument, message: OfferParams, at: int) -> None:
        encoding = self.documents.encoding
        start, end = message.range.start, message.range.end
        where = Range(start=Position(line=start.line, character=start.character),
                      end=Position(line=end.line, character=end.character))
        if doc.encoding != encoding:
            where = doc.convert(where, encoding)
        items = [(item.text, item.ai) for item in message.items]
        fields: dict[str, Any] = {
            "via": message.via, "evidence": message.detail,
            **offered(items, message.taken, message.more), "decision": message.decision, "applied": True}
        if message.provider:
            fields["provider"] = message.provider
        if message.ai:
            fields["ai"] = True
        step = _offer_step(doc.path, where, fields)
        others: dict[str, Step] = {str(e): replace(step, range=doc.convert(where, e, encoding))
                                   for e in self.tracking.targets(doc.root)}
        self.tracking.record(doc.root, at, step, (doc.path,), others)


def _offer_step(path: str, where: Range, fields: dict[str, Any]) -> OfferStep:
    """The `offer` step at `where` with offers.py's fields (its items as plain maps)."""
    items = [OfferedItem(**item) for item in fields["items"]]
    return OfferStep(t_ms=0, source=SOURCE, path=path, range=where, **{**fields, "items": items})
