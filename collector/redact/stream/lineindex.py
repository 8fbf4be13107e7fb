"""Absolute character offsets for a document's LSP positions, and positions for offsets.

Line starts are computed lazily and dropped from the first line an edit touches, so typing on one line
costs O(1) and only a jump far down a long file pays for the lines in between.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, islice

from collector.text.document import Document
from collector.text.positions import content_of, to_index, units
from schemas.steps.base import Position


class LineIndex:
    __slots__ = ("_starts", "doc")

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._starts = [0]  # _starts[i]: offset of line i; valid for every i < len(_starts)

    def invalidate(self, line: int) -> None:
        """Line `line` (and what follows) may have changed: starts after it are stale."""
        keep = max(1, line + 1)
        if len(self._starts) > keep:
            del self._starts[keep:]

    def _extend(self, line: int) -> None:
        starts = self._starts
        have = len(starts)
        if have <= line:
            lengths = map(len, self.doc.lines[have - 1 : line])  # a slice: islice would walk from line 0
            starts.extend(islice(accumulate(lengths, initial=starts[-1]), 1, None))

    def start(self, line: int) -> int:
        self._extend(line)
        return self._starts[line]

    def offset(self, line: int, character: int) -> int:
        """The offset of an LSP position, clamped into the document as `Document.apply` clamps it."""
        lines = self.doc.lines
        if line >= len(lines):
            last = len(lines) - 1
            return self.start(last) + len(content_of(lines[last]))
        return self.start(line) + to_index(content_of(lines[line]), character, self.doc.encoding)

    def line_of(self, offset: int) -> int:
        lines = self.doc.lines
        starts = self._starts
        more = 16  # lines past the known ones, doubled while the offset is further on: typing just after
        while len(starts) < len(lines) and starts[-1] <= offset:  # the lines known costs O(1)
            self._extend(min(len(lines) - 1, len(starts) + more))
            more *= 2
        return max(0, bisect_right(starts, offset) - 1)

    def position(self, offset: int) -> Position:
        line = self.line_of(offset)
        text = self.doc.lines[line]
        return Position(line=line, character=units(text[: offset - self._starts[line]], self.doc.encoding))

    def slice(self, start: int, end: int) -> str:
        """The document's text between two offsets."""
        if end <= start:
            return ""
        first, last = self.line_of(start), self.line_of(end)
        lines = self.doc.lines
        base = self._starts[first]
        if first == last:
            return lines[first][start - base : end - base]
        joined = "".join(lines[first : last + 1])
        return joined[start - base : end - base]
