"""Suggestions a language server offered in proxy mode, and what the developer did with them (`offer` steps,
schemas/steps/offer.py), fed by lsp_bridge/modes/traffic.py after the answers were forwarded.

Two kinds of answer are offers: a `textDocument/completion` list (`via` completion; its items as
lsp_bridge/authorship/origins.py reads them, which also says which item a change applied) and a
`textDocument/inlineCompletion` answer (LSP 3.18, `via` inline: ghost text, as Copilot's language server
offers it; always an AI's). One offer per document is pending, from its answer to the change that decides
it; the offer's step is recorded just before that change's `edit`, with `range` the caret in the text
that change starts from:

- `accepted`: the change applies an item (a completion item as origins.py matches it; an inline item's
  text inserted at the caret, or its `range` replaced by its `insertText`);
- `partly_accepted` (inline only): the change inserts at the caret the first two or more characters of an
  item's text and not all of it (an editor's "accept word" or "accept line");
- `not_taken`: any other change to the document, or it closes, or OFFER_MS pass, or the bridge stops.

While a completion list is open, changes that only type on at the caret or delete back towards it (the
list filtering what it shows) keep it pending, at most FILTER_CHANGES of them; an inline suggestion stays
pending while the developer types its next character (typing through). A new answer for the document
replaces the pending offer: silently when it is for the same line at or after its caret (the list or the
suggestion asked again as the developer typed on), else the old one is recorded `not_taken` first.

Whether an offer is an AI's: an inline completion always is; a completion list is when the server's
`serverInfo.name` names an AI assistant (AI_SERVERS). Item texts are kept bounded (MAX_ITEMS items,
ITEM_TEXT_MAX characters each) and redacted when the episode is sealed, like every text. Everything here
runs on the translator thread, never on the forwarding path, and holds at most one offer per document.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lsp_bridge.documents.tracked import count_units, index_of
from lsp_bridge.errors import MalformedMessage
from lsp_bridge.steps.completions import caret_and_items
from lsp_bridge.steps.snippets import strip_snippet
from lsp_bridge.steps.translate import range_
from schemas.steps.base import Position
from schemas.steps.offer import ITEM_TEXT_MAX, MAX_ITEMS

if TYPE_CHECKING:
    from schemas.common import PositionEncoding
    from schemas.steps.base import Range
    from schemas.steps.edit import ContentChange

OFFER_MS = 60_000  # an offer not decided this long after its answer is not taken
FILTER_CHANGES = 32  # changes that type on while a completion list stays open
MAX_INLINE = 64  # inline items of one answer read
MAX_DOCUMENTS = 256
# a language server whose serverInfo.name holds one of these (lower case) is an AI assistant
AI_SERVERS = ("copilot", "tabnine", "codeium", "windsurf", "supermaven", "llm-ls", "cody", "continue",
              "codegpt", "fittencode", "amazon q", "codewhisperer")
Record = Callable[[str, dict[str, Any], Position, dict[str, Position], int], None]  # (uri, fields, caret, its
# variants, at)
Item = tuple[str, bool]  # what an item inserts, and whether it is marked as an AI's


def is_ai_server(name: str | None) -> bool:
    lowered = (name or "").lower()
    return any(marker in lowered for marker in AI_SERVERS)


@dataclass(slots=True)
class _Pending:
    via: str
    evidence: str
    provider: str | None
    ai: bool
    caret: Position
    texts: list[str]  # what each item inserts at the caret (inline: once what is already typed is left out)
    whole: list[tuple[Range, str] | None]  # inline: an item's range and insertText, applied as one change
    more: int
    until: int
    changes_left: int = FILTER_CHANGES
    variants: dict[str, Position] = field(default_factory=dict)  # the caret in the other encodings wanted


class Offers:
    def __init__(self, record: Record) -> None:
        self._record = record
        self._pending: dict[str, _Pending] = {}

    def completion(self, uri: str, caret: Position, texts: list[str], provider: str | None, at: int) -> None:
        """A completion list's items (what each inserts, in the server's order) at `caret`."""
        if texts:
            self._offer(uri, _Pending("completion", "lsp:textDocument/completion", provider,
                                      is_ai_server(provider), caret, texts, [None] * len(texts), 0,
                                      at + OFFER_MS), at)

    def inline(self, uri: str, params: Any, result: Any, line: str | None, encoding: PositionEncoding,
               provider: str | None, at: int) -> None:
        """A `textDocument/inlineCompletion` answer; `line`: the text of the caret's line (None: unknown)."""
        answer = caret_and_items(params, result)
        if answer is None:
            return
        caret, raw = answer
        texts: list[str] = []
        whole: list[tuple[Range, str] | None] = []
        for entry in raw[:MAX_INLINE]:
            found = _inline_item(entry, caret, line, encoding)
            if found is not None:
                texts.append(found[0])
                whole.append(found[1])
        if texts:
            self._offer(uri, _Pending("inline", "lsp:textDocument/inlineCompletion", provider, True, caret,
                                      texts, whole, max(0, len(raw) - MAX_INLINE), at + OFFER_MS), at)

    def pending(self, uri: str) -> bool:
        return uri in self._pending

    def place(self, uri: str, variants: dict[str, Position]) -> None:
        """The pending offer's caret counted in the other encodings the recording wants, from the text the
        next change starts from."""
        pending = self._pending.get(uri)
        if pending is not None:
            pending.variants = variants

    def caret(self, uri: str) -> Position | None:
        pending = self._pending.get(uri)
        return None if pending is None else pending.caret

    def changed(self, uri: str, changes: list[ContentChange], taken: int | None, encoding: PositionEncoding,
                at: int) -> None:
        """A change to `uri` is about to be recorded; `taken`: the completion item it applies, if any."""
        pending = self._pending.get(uri)
        if pending is None:
            return
        if pending.until < at:
            self._decide(uri, "not_taken", at)
        elif pending.via == "completion":
            if taken is not None:
                self._decide(uri, "accepted", at, taken)
            elif not _filtering(pending, changes, encoding):
                self._decide(uri, "not_taken", at)
        else:
            self._inline_changed(uri, pending, changes, encoding, at)

    def drop(self, uri: str) -> None:
        """The document's copy went stale (a gap says so): its offer is not recorded."""
        self._pending.pop(uri, None)

    def closed(self, uri: str, at: int) -> None:
        if uri in self._pending:
            self._decide(uri, "not_taken", at)

    def finish(self, at: int) -> None:
        """The bridge stops: what is pending was not taken."""
        for uri in list(self._pending):
            self._decide(uri, "not_taken", at)

    # -- inside -------------------------------------------------------------------------------------------

    def _offer(self, uri: str, offer: _Pending, at: int) -> None:
        old = self._pending.get(uri)
        if old is not None and not (old.via == offer.via and old.caret.line == offer.caret.line and
                                    old.caret.character <= offer.caret.character):
            self._decide(uri, "not_taken", at)
        self._pending[uri] = offer
        while len(self._pending) > MAX_DOCUMENTS:
            self._decide(next(iter(self._pending)), "not_taken", at)

    def _inline_changed(self, uri: str, pending: _Pending, changes: list[ContentChange],
                        encoding: PositionEncoding, at: int) -> None:
        change = changes[0] if len(changes) == 1 else None
        if change is None or change.range is None:
            self._decide(uri, "not_taken", at)
            return
        for index, whole in enumerate(pending.whole):
            if whole is not None and change.range.start == whole[0].start and change.text == whole[1]:
                self._decide(uri, "accepted", at, index)
                return
        at_caret = change.range.start == change.range.end == pending.caret
        text = change.text
        for index, rest in enumerate(pending.texts):
            if at_caret and text == rest:
                self._decide(uri, "accepted", at, index)
                return
        for index, rest in enumerate(pending.texts):
            if at_caret and len(text) >= 2 and rest.startswith(text):
                self._decide(uri, "partly_accepted", at, index, len(text))
                return
        if at_caret and len(text) == 1 and "\n" not in text and \
                any(rest.startswith(text) for rest in pending.texts) and pending.changes_left > 0:
            # typed through: the suggestion's next character, the rest still offered
            pending.changes_left -= 1
            kept = [(rest[1:], None) for rest in pending.texts if rest.startswith(text) and len(rest) > 1]
            if not kept:  # typed to its end: all of it is there
                self._decide(uri, "accepted", at, 0)
                return
            pending.texts, pending.whole = [k[0] for k in kept], [k[1] for k in kept]
            pending.caret = _moved(pending.caret, count_units(text, encoding))
            return
        self._decide(uri, "not_taken", at)

    def _decide(self, uri: str, decision: str, at: int, taken: int | None = None,
                chars: int | None = None) -> None:
        pending = self._pending.pop(uri)
        fields: dict[str, Any] = {"via": pending.via, "evidence": pending.evidence,
                                  **offered([(text, False) for text in pending.texts], taken, pending.more),
                                  "decision": decision}
        if pending.provider:
            fields["provider"] = pending.provider[:128]
        if pending.ai:
            fields["ai"] = True
        if chars is not None:
            fields["taken_chars"] = chars
        self._record(uri, fields, pending.caret, pending.variants, at)


def offered(items: list[Item], taken: int | None, more: int = 0) -> dict[str, Any]:
    """The `items`, `more` and `taken` fields of an offer step for `items` in the order offered: the first
    MAX_ITEMS (the one taken among them, in the last place when it came later), each text cut to
    ITEM_TEXT_MAX characters."""
    kept = list(range(min(len(items), MAX_ITEMS)))
    if taken is not None and taken >= MAX_ITEMS:
        kept[-1] = taken
    fields: dict[str, Any] = {"items": []}
    for index in kept:
        text, ai = items[index]
        item: dict[str, Any] = {"text": text[:ITEM_TEXT_MAX]}
        if len(text) > ITEM_TEXT_MAX:
            item["cut"] = True
        if ai:
            item["ai"] = True
        fields["items"].append(item)
    if len(items) - len(kept) + more:
        fields["more"] = len(items) - len(kept) + more
    if taken is not None:
        fields["taken"] = kept.index(taken)
    return fields


def _filtering(pending: _Pending, changes: list[ContentChange], encoding: PositionEncoding) -> bool:
    """Whether `changes` only type on at the caret or delete back towards it (an open list filters what
    it shows); the caret follows them."""
    if len(changes) != 1 or pending.changes_left <= 0:
        return False
    change = changes[0]
    where = change.range
    if where is None or "\n" in change.text or "\r" in change.text or where.start.line != where.end.line or \
            where.start.line != pending.caret.line:
        return False
    if where.start == where.end == pending.caret and change.text:
        pending.caret = _moved(pending.caret, count_units(change.text, encoding))
    elif where.end == pending.caret and not change.text:
        pending.caret = where.start
    else:
        return False
    pending.changes_left -= 1
    return True


def _moved(caret: Position, units: int) -> Position:
    """The caret after typing `units` on its line."""
    return Position(line=caret.line, character=caret.character + units)


def _inline_item(entry: Any, caret: Position, line: str | None,
                 encoding: PositionEncoding) -> tuple[str, tuple[Range, str] | None] | None:
    """An InlineCompletionItem as (what it inserts at the caret, its range and insertText); None when it
    is not one."""
    if not isinstance(entry, dict):
        return None
    raw = entry.get("insertText")
    if isinstance(raw, dict) and raw.get("kind") == "snippet" and isinstance(raw.get("value"), str):
        text = strip_snippet(raw["value"])
    elif isinstance(raw, str):
        text = raw
    else:
        return None
    if "range" not in entry:
        return text, None
    try:
        where = range_(entry["range"])
    except MalformedMessage:
        return None
    rest = text
    if line is not None and where.start.line == caret.line and where.start.character <= caret.character:
        typed = line[index_of(line, where.start.character, encoding):
                     index_of(line, caret.character, encoding)]
        if text.startswith(typed):  # the range holds what is typed already: the item goes on from it
            rest = text[len(typed):]
    return rest, (where, text)
