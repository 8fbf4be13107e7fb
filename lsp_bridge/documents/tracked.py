"""The documents the editor has open, as the bridge tracks them.

The bridge keeps its own copy of every recorded document: to hash saves, to check positions before
they reach a recording, and to express each change in the session's position encoding when it differs
from the editor's. A copy that can no longer be trusted (a change was lost or refused) is `stale`: its
ranged edits are skipped until the editor sends the whole text again (open, full change, save with text).

`TrackedDocuments` holds them all, by URI, with the position encodings they are read and recorded in; it is
made before the recorder, which asks it for the documents' text when a gap needs their state.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import TYPE_CHECKING

from collector.text.digest import sha256_text
from collector.text.document import Document
from collector.text.positions import content_of
from lsp_bridge.errors import OutOfRange
from lsp_bridge.steps.translate import span
from schemas.steps import FileState
from schemas.steps.base import Position, Range
from schemas.steps.edit import ContentChange

if TYPE_CHECKING:
    from schemas.common import PositionEncoding

ENCODINGS: tuple[PositionEncoding, ...] = ("utf-8", "utf-16", "utf-32")
HISTORY_CHANGES = 4096  # the changes kept since the copy was last exact, to tell how an editor counts,
HISTORY_CHARS = 1 << 20  # and the characters they may insert in all


_CODECS = {"utf-8": ("utf-8", 1), "utf-16": ("utf-16-le", 2)}


def count_units(text: str, encoding: PositionEncoding) -> int:
    """Length of `text` in code units, at C speed (lines may be megabytes long)."""
    if encoding == "utf-32" or text.isascii():
        return len(text)
    codec, width = _CODECS[encoding]
    return len(text.encode(codec, "surrogatepass")) // width


def index_of(line: str, character: int, encoding: PositionEncoding) -> int:
    """Python index into a line for an LSP character offset: clamped to the line, and rounded down
    to the start of a character when the offset falls inside one (as `collector.text.positions.to_index`)."""
    if encoding == "utf-32" or line.isascii():
        return min(character, len(line))
    codec, width = _CODECS[encoding]
    data = line.encode(codec, "surrogatepass")
    if character * width >= len(data):
        return len(line)
    decoder = codecs.getincrementaldecoder(codec)("surrogatepass")
    return len(decoder.decode(data[: character * width], final=False))


def convert_character(line: str, character: int, source: PositionEncoding, target: PositionEncoding) -> int:
    """The same place on a line (without its terminator), counted in another encoding."""
    if source == target or line.isascii():
        return character
    return count_units(line[: index_of(line, character, source)], target)


class _Lines(Document):
    """collector's Document, locating positions at C speed on long non-ASCII lines."""

    def _locate(self, line: int, character: int) -> tuple[int, int]:
        if line >= len(self.lines):
            last = len(self.lines) - 1
            return last, len(content_of(self.lines[last]))
        return line, index_of(content_of(self.lines[line]), character, self.encoding)


class TrackedDocument:
    __slots__ = ("_base", "_since", "_since_chars", "doc", "drift", "language_id", "path", "root", "stale",
                 "uri", "version")

    def __init__(self, uri: str, root: Path, path: str, text: str, encoding: PositionEncoding,
                 *, version: int | None = None, language_id: str = "") -> None:
        self.uri = uri
        self.root = root
        self.path = path
        self.version = version
        self.language_id = language_id
        self.doc = _Lines(text, encoding)
        self.stale = False
        self.drift = ""  # why the copy may no longer be the editor's (said by the resync that corrects it)
        self._base: str | None = text  # the text when the copy was last exact, and the changes since
        self._since: list[ContentChange] = []
        self._since_chars = 0

    @property
    def encoding(self) -> PositionEncoding:
        return self.doc.encoding

    @property
    def text(self) -> str:
        return self.doc.text

    def sha256(self) -> str:
        return sha256_text(self.doc.text)

    def replace(self, text: str) -> None:
        """The editor sent the whole text: the copy is exact again."""
        self.doc = _Lines(text, self.doc.encoding)
        self.stale = False
        self.drift = ""
        self._base, self._since, self._since_chars = text, [], 0

    def exact(self, text: str) -> None:
        """The copy is `text`, the whole text the editor sent (applied as the ranged change that makes it)."""
        self._base, self._since, self._since_chars = text, [], 0

    def count_in(self, encoding: PositionEncoding) -> None:
        """Read the editor's later positions in `encoding`."""
        self.doc = _Lines(self.doc.text, encoding)

    def reread(self, encoding: PositionEncoding) -> str | None:
        """The text the changes since the copy was last exact make when their positions are counted in
        `encoding`; None when that cannot be told (too many changes since, or one lands past the end)."""
        if self._base is None:
            return None
        other = TrackedDocument(self.uri, self.root, self.path, self._base, encoding)
        try:
            other.apply(self._since, ())
        except OutOfRange:
            return None
        return other.text

    def _line(self, line: int) -> str:
        lines = self.doc.lines
        return content_of(lines[line]) if line < len(lines) else ""

    def _check(self, where: Range) -> None:
        count = len(self.doc.lines)
        for place in (where.start, where.end):
            if place.line > count or (place.line == count and place.character > 0):
                raise OutOfRange(f"position {place.line}:{place.character} is past the end of {self.path} "
                                 f"({count} lines)")

    def convert(self, where: Range, target: PositionEncoding, source: PositionEncoding | None = None
                ) -> Range:
        """A range of the current text counted in `source` (the copy's own encoding unless given), counted
        in another encoding (characters past a line end clamp)."""
        source = source or self.doc.encoding

        def one(place: Position) -> Position:
            return Position(line=place.line, character=convert_character(
                self._line(place.line), place.character, source, target))

        return Range(start=one(where.start), end=one(where.end))

    def _moved(self, where: Range, targets: list[PositionEncoding]) -> dict[PositionEncoding, Range]:
        """The range in each target encoding where it differs (each position is located once)."""
        source = self.doc.encoding
        start, end = where.start, where.end
        first = self._line(start.line)
        last = first if end.line == start.line else self._line(end.line)
        if first.isascii() and last.isascii():
            return {}
        starts = first[: index_of(first, start.character, source)]
        ends = last[: index_of(last, end.character, source)]
        moved = {}
        for target in targets:
            other = Range(start=Position(line=start.line, character=count_units(starts, target)),
                          end=Position(line=end.line, character=count_units(ends, target)))
            if other != where:
                moved[target] = other
        return moved

    def apply(self, changes: list[ContentChange], targets: tuple[PositionEncoding, ...] = ENCODINGS
              ) -> dict[PositionEncoding, list[ContentChange]]:
        """Apply the changes in order; returns them in each target encoding where a position differs.

        Raises OutOfRange (before changing anything for that change) when a position lies past the end.
        """
        others = [e for e in targets if e != self.doc.encoding]
        variants: dict[PositionEncoding, list[ContentChange]] = {}
        converted: dict[PositionEncoding, list[ContentChange]] = {e: [] for e in others}
        for change in changes:
            where = change.range
            moved: dict[PositionEncoding, Range] = {}
            if where is not None:
                self._check(where)
                moved = self._moved(where, others) if others else {}
            for e in others:
                other = moved.get(e)
                converted[e].append(change if other is None else ContentChange(range=other, text=change.text))
                if other is not None:
                    variants[e] = converted[e]
            self.doc.apply_span(None if where is None else span(where), change.text)
        if changes and changes[-1].range is None:  # the whole text: exact again
            self._base, self._since, self._since_chars = self.doc.text, [], 0
        elif self._base is not None:
            self._since.extend(changes)
            self._since_chars += len(changes[0].text) if len(changes) == 1 else \
                sum(len(change.text) for change in changes)
            if len(self._since) > HISTORY_CHANGES or self._since_chars > HISTORY_CHARS:
                self._base, self._since = None, []
        return variants


class TrackedDocuments:
    """The tracked documents by URI, and how positions are counted: `encoding` is the one negotiated (the
    steps are recorded in it), `units` the one the editor really counts in when that is another."""

    def __init__(self) -> None:
        self.by_uri: dict[str, TrackedDocument] = {}
        self.encoding: PositionEncoding = "utf-16"
        self.units: PositionEncoding | None = None

    def file_states(self, root: Path, paths: set[str] | None) -> list[FileState]:
        """(the recorder's state provider) The current text of tracked documents, for a gap's state."""
        return [FileState(path=doc.path, text=doc.text) for doc in self.by_uri.values()
                if doc.root == root and not doc.stale and (paths is None or doc.path in paths)]
