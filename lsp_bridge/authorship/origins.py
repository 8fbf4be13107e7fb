"""Whose work an edit is, from evidence the bridge sees (schemas/steps/edit.py has the vocabulary).

Two kinds of evidence, both tied to the `didChange` that applies them, never guessed:

- **The editor says so**: a `codetape/origin` notification names a document version. It may come before
  that version's didChange (kept ORIGIN_WAIT_MS) or after it: from an editor that says it sends them
  (`"experimental": {"codetape": {"origin": true}}` in its `initialize` capabilities) or has sent one,
  each edit without evidence is held in the recorder's spool up to ORIGIN_WAIT_MS
  (lsp_bridge/recording/recorder.py) so a late notification can still label it; the editor never waits,
  only the hand-over to the collector.
- **The server's answer is applied** (proxy mode, fed by lsp_bridge/modes/traffic.py): formatting, range and
  on-type formatting, rename, a code action's edit (resolved or not) and the server's
  `workspace/applyEdit` are *expected effects*: the next didChange of that document, from the version
  they were computed for and within EVIDENCE_MS, matches when the document it leaves is exactly the one
  the response's edits make (edits compared by what they do, so an editor that sends them as a smaller
  diff, as Neovim does, still matches; a change that does anything else does not, and ends the
  expectation). A completion matches when a content change *is* an item's edit: its `textEdit` (range
  start and text equal; the end may lie further on the line, where the caret went on while the list was
  open) or, for items without one, its text replacing the word up to the caret on the request's line;
  the item's `additionalTextEdits` may come in the same didChange. A change that inserts only the tail of
  an item's text at the caret (Neovim's diff of an accepted item) matches as a named heuristic
  (`... tail`) when it inserts at least two characters: one character is what a keystroke inserts.

Everything here runs on the thread that translates (never the forwarding path) and is bounded.
"""

from __future__ import annotations

import itertools
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from collector.text.document import Document
from collector.text.positions import content_of
from lsp_bridge.documents.tracked import index_of
from lsp_bridge.errors import MalformedMessage
from lsp_bridge.recording.recorder import Recorder
from lsp_bridge.recording.spool import Outgoing
from lsp_bridge.steps.completions import caret_and_items
from lsp_bridge.steps.snippets import strip_snippet
from lsp_bridge.steps.translate import range_, span, string
from schemas.steps.edit import ContentChange, EditOrigin

if TYPE_CHECKING:
    from schemas.common import PositionEncoding
    from schemas.steps.base import Position, Range

ORIGIN_WAIT_MS = 1500  # an editor's codetape/origin and the didChange it names may be this far apart (a
# busy machine stalls an editor between the two: VS Code's extension host was seen 535 ms late)
EVIDENCE_MS = 10_000  # a server's edits are applied this soon after its answer, or not by this answer
COMPLETION_MS = 60_000  # a completion list stays open at most this long
COMPLETION_CHANGES = 32  # and for at most this many changes that accept nothing
MAX_ITEMS = 2000  # completion items kept of one answer
MAX_EXPECTED = 64  # expected effects kept per document
MAX_EDITS = 10_000  # text edits of one expected effect
MAX_DOCUMENTS = 256
Origin = tuple[EditOrigin, str]  # (origin, origin_detail)
# a format's change as the lines it changed, per encoding (capture/sync.py `formatted`); None: as it came
Narrowing = Callable[[], tuple[list[ContentChange], dict[str, list[ContentChange]]] | None]


@dataclass(frozen=True, slots=True)
class _Effect:
    version: int | None  # the document version the edits were computed for; None: whatever it is then
    edits: tuple[ContentChange, ...]
    origin: Origin
    until: int


@dataclass(frozen=True, slots=True)
class _Item:
    text: str  # what the item inserts (a snippet's placeholders filled with their defaults)
    edit: Range | None  # its textEdit's range (an InsertReplaceEdit's insert range), None: the editor picks
    other: Range | None  # an InsertReplaceEdit's replace range
    additional: frozenset[ContentChange]
    resolved: bool = False  # as completionItem/resolve gave it


@dataclass(slots=True)
class _Completion:
    position: Position
    items: list[_Item]
    until: int
    changes_left: int = COMPLETION_CHANGES
    labels: dict[str, int] = field(default_factory=dict)  # label -> index in items (for a resolve)


class Origins:
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.announcing = False  # the editor has said it sends codetape/origin: edits wait for it a little
        self._effects: dict[str, list[_Effect]] = {}
        self._completions: dict[str, _Completion] = {}
        self._last_completion: str | None = None
        self._said: OrderedDict[tuple[str, int], tuple[Origin, int]] = OrderedDict()  # before the change
        # changes recorded, held; with how to narrow one to the lines it changed, should it be a format
        self._waiting: OrderedDict[tuple[str, int], tuple[Outgoing, Narrowing | None]] = OrderedDict()
        self.taken: int | None = None  # the index of the completion item the last change applied

    # -- the editor's word ----------------------------------------------------------------------------

    def initialized(self, experimental: Any) -> None:
        """The editor's `capabilities.experimental`: `{"codetape": {"origin": true}}` says it sends
        codetape/origin, so its edits wait for one a little from the first."""
        codetape = experimental.get("codetape") if isinstance(experimental, dict) else None
        if isinstance(codetape, dict) and codetape.get("origin") is True:
            self.announcing = True
            # the notifications' models, loaded and compiled now rather than at the first notification,
            # which would come too late for the change it names
            import schemas.messages  # noqa: F401

    def said(self, uri: str, version: int, origin: EditOrigin, detail: str, at: int) -> None:
        """codetape/origin: the change that made `version` of the document is `origin`'s work."""
        self.announcing = True
        evidence = (origin, detail)
        held, narrowing = self._waiting.pop((uri, version), (None, None))
        if held is not None:
            lines = narrowing() if narrowing is not None and origin == "format" else None
            changes = {} if lines is None else {"changes": lines[0]}
            variants = None if lines is None else {
                name: {"changes": lines[1].get(name, lines[0])} for name in held.variants or {}}
            if self.recorder.amend(held, variants, origin=origin, origin_detail=detail, **changes):
                return
        self._said[(uri, version)] = (evidence, at + ORIGIN_WAIT_MS)
        while len(self._said) > MAX_DOCUMENTS:
            self._said.popitem(last=False)

    # -- the server's answers (proxy mode) ----------------------------------------------------------------

    def expect(self, uri: str, version: int | None, edits: Any, origin: Origin, at: int) -> None:
        """A server's TextEdit[] for a document, which the editor may apply next."""
        changes = _text_edits(edits)
        if not changes:
            return
        effects = self._effects.setdefault(uri, [])
        effects.append(_Effect(version, tuple(changes), origin, at + EVIDENCE_MS))
        del effects[:-MAX_EXPECTED]
        self._bound(self._effects)

    def expect_workspace_edit(self, edit: Any, versions: dict[str, int | None], origin: Origin,
                              at: int) -> None:
        """A WorkspaceEdit (`changes` and `documentChanges`): an expected effect per document. `versions`:
        the tracked documents' versions now (a document not open yet matches at whatever version)."""
        if not isinstance(edit, dict):
            return
        changes = edit.get("changes")
        for uri, edits in (changes.items() if isinstance(changes, dict) else ()):
            if isinstance(uri, str):
                self.expect(uri, versions.get(uri), edits, origin, at)
        document_changes = edit.get("documentChanges")
        for change in document_changes[:MAX_DOCUMENTS] if isinstance(document_changes, list) else ():
            target = change.get("textDocument") if isinstance(change, dict) else None
            if isinstance(target, dict) and isinstance(target.get("uri"), str):
                version = target.get("version")
                given = version if isinstance(version, int) and not isinstance(version, bool) else None
                uri = target["uri"]
                self.expect(uri, given if given is not None else versions.get(uri), change.get("edits"),
                            origin, at)

    def completion(self, uri: str, params: Any, result: Any, at: int) -> None:
        """The server's completion list for a document (a new list replaces the last)."""
        self._completions.pop(uri, None)
        answer = caret_and_items(params, result)
        if answer is None:
            return
        caret, raw = answer
        defaults = result.get("itemDefaults") if isinstance(result, dict) else None
        default_range = defaults.get("editRange") if isinstance(defaults, dict) else None
        done = _Completion(caret, [], at + COMPLETION_MS)
        for entry in raw[:MAX_ITEMS]:
            item = _item(entry, default_range)
            if item is not None:
                done.labels[entry["label"]] = len(done.items)
                done.items.append(item)
        if done.items:
            self._completions[uri] = done
            self._last_completion = uri
            self._bound(self._completions)

    def resolved(self, result: Any) -> None:
        """completionItem/resolve's answer: the item as the editor will apply it (a text edit, additional
        edits such as an import, may come only now)."""
        pending = self._completions.get(self._last_completion or "")
        if pending is None or not isinstance(result, dict):
            return
        index = pending.labels.get(result.get("label"))  # type: ignore[arg-type]
        item = _item(result, None)
        if index is None or item is None:
            return
        if item.edit is None and pending.items[index].edit is not None:  # resolve may leave out the edit
            item = _Item(item.text, pending.items[index].edit, pending.items[index].other, item.additional)
        pending.items[index] = _Item(item.text, item.edit, item.other, item.additional, resolved=True)

    def listed(self, uri: str) -> tuple[Position, list[str]] | None:
        """The pending completion list of a document: where it was asked, what each item inserts."""
        pending = self._completions.get(uri)
        return None if pending is None else (pending.position, [item.text for item in pending.items])

    def closed(self, uri: str) -> None:
        self._effects.pop(uri, None)
        self._completions.pop(uri, None)

    # -- the change --------------------------------------------------------------------------------------

    def wanted(self, uri: str, version: int | None) -> bool:
        """Whether the document's text before its next change (to `version`) is needed: an expected effect
        is pending, or the editor said that change is a format (whose lines are found from the two texts:
        capture/sync.py)."""
        if uri in self._effects:
            return True
        said = self._said.get((uri, version)) if version is not None else None
        return said is not None and said[0][0] == "format"

    def of(self, uri: str, version: int | None, previous: int | None, changes: list[ContentChange],
           before: str | None, after: Document, encoding: PositionEncoding, at: int) -> Origin | None:
        """The evidence for a change to `uri` (from `previous` to `version`; positions in the negotiated
        `encoding`; `before`: the text before it when `wanted`, `after`: the document after it)."""
        self.taken = None
        if version is not None:
            said = self._said.pop((uri, version), None)
            if said is not None and said[1] >= at:
                self._completed(uri, changes, after, encoding, at)  # (which item: offers.py)
                self._completions.pop(uri, None)
                return said[0]
        found = self._effect(uri, previous, changes, before, after, encoding, at)
        if found is None:
            found = self._completed(uri, changes, after, encoding, at)
        return found

    def late(self, changes: list[ContentChange]) -> bool:
        """Whether a change recorded without evidence may yet be said to be a format that re-inserted lines
        it left as they were (Neovim sends a format's change before its word: its didChange goes out as the
        change is made): it spans lines, while the editor sends codetape/origin. Such a change keeps the
        texts before and after it while it waits (capture/sync.py)."""
        return self.announcing and any(
            change.range is not None and change.range.start.line != change.range.end.line
            and change.text.count("\n") > 1 for change in changes)

    def held(self, uri: str, version: int | None, item: Outgoing, narrowing: Narrowing | None = None) -> None:
        """An edit recorded without evidence: while the editor sends codetape/origin, it waits in the
        spool a little for a notification that names it; `narrowing` gives its changes as the lines it
        changed (in the negotiated encoding, and in each variant's where they differ), should that
        notification say `format`."""
        if not self.announcing or version is None:
            return
        item.hold_until = time.monotonic() + ORIGIN_WAIT_MS / 1000
        self._waiting[(uri, version)] = (item, narrowing)
        while len(self._waiting) > MAX_DOCUMENTS:
            self._waiting.popitem(last=False)

    def saving(self) -> None:
        """A save: the edits held for their origin go on now, with the evidence they have. The file watcher
        sees the save's write at once and waits for the editor's steps only so long (the collector's
        HOLD_MS, shorter than ORIGIN_WAIT_MS): held longer, the edits and the save would come after the
        watcher's view of what they wrote and not be its explanation."""
        for item, _ in self._waiting.values():
            self.recorder.release(item)
        self._waiting.clear()

    def _effect(self, uri: str, previous: int | None, changes: list[ContentChange], before: str | None,
                after: Document,
                encoding: PositionEncoding, at: int) -> Origin | None:
        effects = self._effects.pop(uri, None)
        if not effects or before is None:
            return None
        text = after.text
        for effect in effects:
            if effect.until < at or (effect.version is not None and effect.version != previous) or \
                    not _within(changes, effect.edits):
                continue
            made = _applied(before, effect.edits, encoding)
            if made is not None and made == text and made != before:
                self._completions.pop(uri, None)
                return effect.origin
        return None

    def _completed(self, uri: str, changes: list[ContentChange], after: Document, encoding: PositionEncoding,
                   at: int) -> Origin | None:
        pending = self._completions.get(uri)
        if pending is None:
            return None
        if pending.until < at:
            del self._completions[uri]
            return None
        for index, item in enumerate(pending.items):
            how = _accepts(item, pending.position, changes, after, encoding)
            if how is not None:
                del self._completions[uri]
                self.taken = index
                message = "completionItem/resolve" if item.resolved else "textDocument/completion"
                return "completion", f"lsp:{message}{how}"
        pending.changes_left -= 1
        if pending.changes_left <= 0:
            del self._completions[uri]
        return None

    @staticmethod
    def _bound(table: dict[str, Any]) -> None:
        while len(table) > MAX_DOCUMENTS:
            del table[next(iter(table))]


def _text_edits(edits: Any) -> list[ContentChange]:
    """TextEdit[] (AnnotatedTextEdit and SnippetTextEdit too) as changes; [] when any is malformed."""
    if not isinstance(edits, list) or len(edits) > MAX_EDITS:
        return []
    out = []
    for edit in edits:
        if not isinstance(edit, dict):
            return []
        text = edit.get("newText")
        snippet = edit.get("snippet")
        if text is None and isinstance(snippet, dict) and isinstance(snippet.get("value"), str):
            text = strip_snippet(snippet["value"])
        try:
            out.append(ContentChange(range=range_(edit.get("range")), text=string(text, "newText")))
        except MalformedMessage:
            return []
    return out


def _within(changes: list[ContentChange], edits: tuple[ContentChange, ...]) -> bool:
    """Whether every ranged change lies in the lines the edits span (an editor's smaller diff of them
    does; typing elsewhere does not): a cheap test before the texts are compared."""
    first = min(edit.range.start.line for edit in edits if edit.range is not None)
    last = max(edit.range.end.line for edit in edits if edit.range is not None)
    return all(change.range is None or (first <= change.range.start.line and change.range.end.line <= last)
               for change in changes)


def _applied(before: str, edits: tuple[ContentChange, ...], encoding: PositionEncoding) -> str | None:
    """The text LSP text edits (all relative to `before`, none overlapping) make of it; None when they
    overlap."""
    ordered = sorted(edits, key=lambda change: span(change.range) if change.range else (0, 0, 0, 0))
    for first, second in itertools.pairwise(ordered):
        if first.range is None or second.range is None or span(first.range)[2:] > span(second.range)[:2]:
            return None
    doc = Document(before, encoding)
    for change in reversed(ordered):
        assert change.range is not None
        doc.apply_span(span(change.range), change.text)
    return doc.text


def _item(entry: Any, default_range: Any) -> _Item | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("label"), str):
        return None
    label: str = entry["label"]
    edit = entry.get("textEdit")
    text = edit.get("newText") if isinstance(edit, dict) else \
        entry.get("textEditText", entry.get("insertText"))
    if not isinstance(text, str):
        text = label
    if entry.get("insertTextFormat") == 2:
        text = strip_snippet(text)
    where = other = None
    try:
        if isinstance(edit, dict) and "range" in edit:
            where = range_(edit["range"])
        elif isinstance(edit, dict):  # InsertReplaceEdit
            where, other = range_(edit.get("insert")), range_(edit.get("replace"))
        elif isinstance(default_range, dict) and "start" in default_range:
            where = range_(default_range)
        elif isinstance(default_range, dict):
            where, other = range_(default_range.get("insert")), range_(default_range.get("replace"))
    except MalformedMessage:
        return None
    additional = frozenset(_text_edits(entry.get("additionalTextEdits")))
    return _Item(text, where, other, additional)


def _accepts(item: _Item, position: Position, changes: list[ContentChange], after: Document,
             encoding: PositionEncoding) -> str | None:
    """How `changes` apply the item: "" (exactly its edit), " tail" (the heuristic: its text's tail
    inserted at the caret), None (they do not)."""
    rest = [change for change in changes if change not in item.additional]
    if len(rest) != 1 or len(changes) - 1 != len(item.additional & frozenset(changes)):
        return None
    change = rest[0]
    where = change.range
    if where is None or where.start.line != where.end.line or where.start.line != position.line:
        return None
    if change.text == item.text:
        if item.edit is None:  # the editor replaces the word up to the caret
            return "" if where.start.character <= position.character <= where.end.character else None
        for edit in (item.edit, item.other):
            if edit is not None and where.start == edit.start and edit.end.line == where.end.line and \
                    edit.end.character <= where.end.character:
                return ""
        return None
    if where.start != where.end or len(change.text) < 2 or not item.text.endswith(change.text) or \
            where.start.character < position.character:
        return None
    line = after.lines[where.start.line] if where.start.line < len(after.lines) else ""
    content = content_of(line)
    caret = index_of(content, where.start.character, encoding) + len(change.text)
    return " tail" if content[:caret].endswith(item.text) else None
