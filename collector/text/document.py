"""One text document as a list of lines, edited in place with LSP content changes.

Each edit touches only the lines it spans, so replaying a long session is linear in the edits,
not quadratic in the document size.
"""

from __future__ import annotations

from collector.text.positions import content_of, split_lines, to_index
from schemas.common import PositionEncoding, Range


class Document:
    __slots__ = ("encoding", "lines", "size")

    def __init__(self, text: str, encoding: PositionEncoding) -> None:
        self.encoding: PositionEncoding = encoding
        self.lines = split_lines(text)
        self.size = len(text)  # characters, kept up to date by `apply`

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def _locate(self, line: int, character: int) -> tuple[int, int]:
        """(line index, python index) for an LSP position, clamped into the document as LSP asks."""
        if line >= len(self.lines):
            last = len(self.lines) - 1
            return last, len(content_of(self.lines[last]))
        return line, to_index(content_of(self.lines[line]), character, self.encoding)

    def apply(self, range_: Range | None, text: str) -> None:
        if range_ is None:
            self.lines = split_lines(text)
            self.size = len(text)
            return
        sl, sc = self._locate(range_.start.line, range_.start.character)
        el, ec = self._locate(range_.end.line, range_.end.character)
        if (el, ec) < (sl, sc):
            sl, sc, el, ec = el, ec, sl, sc
        prefix = self.lines[sl][:sc]
        segment = prefix + text + self.lines[el][ec:]
        if not prefix and sl > 0 and segment.startswith("\n") and self.lines[sl - 1].endswith("\r"):
            sl -= 1  # a lone CR before an inserted LF becomes one CRLF break
            segment = self.lines[sl] + segment
        replacement = split_lines(segment)
        if el + 1 < len(self.lines) and replacement[-1] == "":
            replacement.pop()  # the segment ended with a line break: the next line follows it
        self.size += sum(map(len, replacement)) - sum(map(len, self.lines[sl : el + 1]))
        self.lines[sl : el + 1] = replacement
