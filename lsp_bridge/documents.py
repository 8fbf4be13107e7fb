"""The documents the editor has open, as the bridge tracks them.

The bridge keeps its own copy of every recorded document: to hash saves, to check positions before
they reach a recording, and to express each change in the session's position encoding when it differs
from the editor's. A copy that can no longer be trusted (a change was lost or refused) is `stale`: its
ranged edits are skipped until the editor sends the whole text again (open, full change, save with text).
"""

from __future__ import annotations

from pathlib import Path

from collector.document import Document
from collector.positions import content_of, to_index, units
from lsp_bridge.errors import OutOfRange
from lsp_bridge.translate import Change, Pos, Rng, sha256_text
from schemas.common import Position, PositionEncoding, Range

ENCODINGS: tuple[PositionEncoding, ...] = ("utf-8", "utf-16", "utf-32")


def convert_character(line: str, character: int, source: PositionEncoding, target: PositionEncoding) -> int:
    """The same place on a line (without its terminator), counted in another encoding."""
    if source == target or line.isascii():
        return character
    return units(line[: to_index(line, character, source)], target)


class TrackedDocument:
    __slots__ = ("doc", "language_id", "path", "root", "stale", "uri", "version")

    def __init__(self, uri: str, root: Path, path: str, text: str, encoding: PositionEncoding,
                 *, version: int | None = None, language_id: str = "") -> None:
        self.uri = uri
        self.root = root
        self.path = path
        self.version = version
        self.language_id = language_id
        self.doc = Document(text, encoding)
        self.stale = False

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
        self.doc = Document(text, self.doc.encoding)
        self.stale = False

    def _line(self, line: int) -> str:
        lines = self.doc.lines
        return content_of(lines[line]) if line < len(lines) else ""

    def _check(self, where: Rng) -> None:
        count = len(self.doc.lines)
        for line, character in where:
            if line > count or (line == count and character > 0):
                raise OutOfRange(f"position {line}:{character} is past the end of {self.path} "
                                 f"({count} lines)")

    def convert(self, where: Rng, target: PositionEncoding) -> Rng:
        """A range of the current text, counted in another encoding (characters past a line end clamp)."""
        source = self.doc.encoding

        def one(pos: Pos) -> Pos:
            return pos[0], convert_character(self._line(pos[0]), pos[1], source, target)

        return Rng(one(where.start), one(where.end))

    def apply(self, changes: list[Change]) -> dict[PositionEncoding, list[Change]]:
        """Apply the changes in order; returns them in each other encoding where any position differs.

        Raises OutOfRange (before changing anything for that change) when a position lies past the end.
        """
        variants: dict[PositionEncoding, list[Change]] = {}
        others = [e for e in ENCODINGS if e != self.doc.encoding]
        converted: dict[PositionEncoding, list[Change]] = {e: [] for e in others}
        for change in changes:
            if change.range is None:
                for e in others:
                    converted[e].append(change)
                self.doc.apply(None, change.text)
                continue
            where = change.range
            self._check(where)
            ascii_lines = self._line(where.start[0]).isascii() and self._line(where.end[0]).isascii()
            for e in others:
                moved = where if ascii_lines else self.convert(where, e)
                if moved != where:
                    variants[e] = converted[e]
                converted[e].append(Change(moved, change.text))
            self.doc.apply(_model(where), change.text)
        return variants


def _model(where: Rng) -> Range:
    return Range(start=Position(line=where.start[0], character=where.start[1]),
                 end=Position(line=where.end[0], character=where.end[1]))
