"""An editor buffer that turns caret-level actions into LSP content changes, like VS Code does.

Lines are kept without terminators (`\\n` only); the caret is a (line, Python index) pair. Every
change is reported with its LSP range in UTF-16 code units and VS Code's `rangeLength`.
"""

from __future__ import annotations

from dataclasses import dataclass

from collector.text.positions import units


@dataclass(frozen=True)
class Change:
    """One LSP content change: range in UTF-16 units, rangeLength, and the new text."""

    start: tuple[int, int]
    end: tuple[int, int]
    range_length: int
    text: str


class Buffer:
    """One open document and its caret."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.line = 0
        self.col = 0
        self.typing = False  # the caret's line is still being typed (for the simulated linter)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def current(self) -> str:
        return self.lines[self.line]

    def _u16(self, line: int, col: int) -> int:
        return units(self.lines[line][:col], "utf-16")

    def move(self, line: int, col: int) -> None:
        """Put the caret somewhere (a click or a keyboard jump: no content change)."""
        self.line = line
        self.col = col

    def replace(self, sl: int, sc: int, el: int, ec: int, text: str) -> Change:
        """Replace (sl, sc)-(el, ec), Python indexes, with `text`; the caret ends after the insert."""
        start = (sl, self._u16(sl, sc))
        end = (el, self._u16(el, ec))
        if sl == el:
            removed = self.lines[sl][sc:ec]
        else:
            removed = "\n".join([self.lines[sl][sc:], *self.lines[sl + 1 : el], self.lines[el][:ec]])
        pieces = (self.lines[sl][:sc] + text + self.lines[el][ec:]).split("\n")
        self.lines[sl : el + 1] = pieces
        tail = text.split("\n")
        self.line = sl + len(tail) - 1
        self.col = (sc if len(tail) == 1 else 0) + len(tail[-1])
        return Change(start, end, units(removed, "utf-16"), text)

    def type(self, text: str) -> Change:
        """Insert at the caret."""
        return self.replace(self.line, self.col, self.line, self.col, text)

    def backspace(self, count: int = 1) -> Change:
        """Delete `count` characters left of the caret on the caret's line."""
        return self.replace(self.line, self.col - count, self.line, self.col, "")

    def replace_left(self, count: int, text: str) -> Change:
        """Replace the `count` characters left of the caret (an accepted completion, a paste over indent)."""
        return self.replace(self.line, self.col - count, self.line, self.col, text)

    def delete_lines(self, first: int, last: int) -> Change:
        """Delete whole lines first..last (inclusive) with their line breaks: select them, press Delete."""
        if last + 1 < len(self.lines):
            return self.replace(first, 0, last + 1, 0, "")
        return self.replace(first - 1, len(self.lines[first - 1]), last, len(self.lines[last]), "")
