"""One text document as a list of lines, edited in place with LSP content changes.

Each edit touches only the lines it spans, and a line longer than `chunk` characters is held in pieces
(`longline.LongLine`), so an edit copies what it inserts plus a bounded amount around it: replaying a long
session is linear in the edits, not quadratic in the size of the document or of its longest line.
`apply` returns that work (characters copied, list slots moved) for reconstruction to count.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, cast, overload

from collector.text.longline import CHUNK, LongLine, make_line
from collector.text.positions import content_of, split_lines, to_index, units

if TYPE_CHECKING:
    from schemas.common import PositionEncoding
    from schemas.steps.base import Range

Line = str | LongLine
Span = tuple[int, int, int, int]  # a range as (start line, start character, end line, end character)
_NONE: list[str] = []  # no pieces (never changed)


class _Typing:
    """Characters typed one edit at a time where the edit before ended, in a short ASCII line, not yet in
    the line: they are put in it (`Document._settle`) when anything reads the lines or edits elsewhere."""

    __slots__ = ("at", "column", "length", "line", "pieces")

    def __init__(self, line: int, column: int, length: int) -> None:
        self.line = line  # the line's index, which its position's line is (never clamped)
        self.column = self.at = column  # where the next typed text goes; where the pending pieces go
        self.length = length  # the line's length with the pieces, its break included
        self.pieces: list[str] = []


class Document:
    __slots__ = ("_before", "_lines", "_long", "_typing", "encoding", "size")
    chunk = CHUNK  # characters a line may have before it is held in pieces

    def __init__(self, text: str, encoding: PositionEncoding) -> None:
        self.encoding: PositionEncoding = encoding
        self._reset(text)

    def _reset(self, text: str) -> None:
        self._typing: _Typing | None = None
        self.lines = split_lines(text)
        self.size = len(text)  # characters, kept up to date by `apply`

    @property
    def lines(self) -> Sequence[str]:
        """The lines with their terminators, the last without (read only: `apply` edits them)."""
        self._settle()
        return self._lines if not self._long else Lines(self._lines)  # type: ignore[return-value]

    @lines.setter
    def lines(self, lines: Sequence[str]) -> None:
        self._typing = None
        self._before = (-1, 0)  # (line, characters before it): `extract`'s, kept while no edit is above
        adopted: list[Line] = list(lines)
        self._long = 0
        if adopted and max(map(len, adopted)) > self.chunk:
            for index, line in enumerate(lines):
                if len(line) > self.chunk:
                    adopted[index] = made = make_line(_NONE, line, _NONE, "", self.chunk)
                    self._long += isinstance(made, LongLine)
        self._lines = adopted

    @property
    def line_count(self) -> int:
        return len(self._lines)

    @property
    def text(self) -> str:
        self._settle()
        return "".join(cast(list[str], self._lines) if not self._long else self._parts())

    def _parts(self) -> Iterator[str]:
        for line in self._lines:
            if isinstance(line, str):
                yield line
            else:
                yield from line.pieces
                yield line.end

    def copy(self) -> Document:
        self._settle()
        new = Document.__new__(type(self))
        new.encoding, new.size, new._long, new._typing = self.encoding, self.size, self._long, None
        new._before = self._before
        new._lines = [line if isinstance(line, str) else line.copy() for line in self._lines] if self._long \
            else list(self._lines)
        return new

    def _locate(self, line: int, character: int) -> tuple[int, int]:
        """(line index, python index) for an LSP position, clamped into the document as LSP asks."""
        lines = self._lines
        if line >= len(lines):
            line, character = len(lines) - 1, 1 << 62
        found = lines[line]
        if isinstance(found, str):
            return line, to_index(content_of(found), character, self.encoding)
        return line, found.index(character, self.encoding)

    def position(self, line: int, character: int) -> tuple[int, int]:
        """An LSP position clamped into the document as `apply` clamps it, counted in code units."""
        self._settle()
        line, index = self._locate(line, character)
        found = self._lines[line]
        if isinstance(found, LongLine):
            return line, found.units_before(index, self.encoding)
        return line, units(found[:index], self.encoding)

    def extract(self, range_: Range | None) -> tuple[int, int, str]:
        """What a change over `range_` replaces: (start, end, text), its range as character offsets into
        the text, clamped and ordered as `apply` clamps and orders it (None: the whole text)."""
        typing, start_at = self._typing, range_.start if range_ is not None else None
        if typing is not None and start_at is not None and range_ is not None and range_.end == start_at and \
                start_at.line == typing.line and start_at.character == typing.column:
            start = self._characters_before(typing.line) + typing.column  # typing on: nothing to settle
            return start, start, ""
        self._settle()
        if range_ is None:
            return 0, self.size, self.text
        sl, sc = self._locate(range_.start.line, range_.start.character)
        el, ec = self._locate(range_.end.line, range_.end.character)
        if (el, ec) < (sl, sc):
            sl, sc, el, ec = el, ec, sl, sc
        lines = self._lines
        first = str(lines[sl])
        if sl == el:
            replaced = first[sc:ec]
        else:
            last = str(lines[el])
            replaced = first[sc:] + "".join(map(str, lines[sl + 1:el])) + last[:ec]
        start = self._characters_before(sl) + sc
        return start, start + len(replaced), replaced

    def _characters_before(self, line: int) -> int:
        """The characters of the lines before `line` (those lines hold no typing not yet settled: typing is
        on `line` or the caller settled it). Kept for the next call, since typing stays on one line."""
        cached, count = self._before
        if cached != line:
            count = sum(map(len, self._lines[:line]))
            self._before = (line, count)
        return count

    def apply(self, range_: Range | Span | None, text: str) -> int:
        """Apply one LSP content change; returns the work it took (characters copied, list slots moved):
        len(text) plus a piece or two of `chunk` characters for an edit inside one line, however long the
        line; more for an edit that adds or removes lines in a long document, or jumps along a long line.
        The range may be given as a Span (apply_span)."""
        if range_ is None or isinstance(range_, tuple):
            return self.apply_span(range_, text)
        if self._typing is not None:
            work = self.type_on(range_, text)
            if work is not None:
                return work
        start, end = range_.start, range_.end
        return self.apply_span((start.line, start.character, end.line, end.character), text)

    def type_on(self, range_: Range, text: str) -> int | None:
        """Apply an edit that types `text` exactly where the typing before it ended (see `_Typing`): a
        few comparisons and an append, where `apply` would rebuild the line. Returns the work `apply`
        would count (the line's length after the insert, plus one); None, having done nothing, for any
        other edit (then `apply` it)."""
        typing = self._typing
        if typing is None:
            return None
        start = range_.start
        if start.line != typing.line or start.character != typing.column or range_.end != start or \
                not _typed(text) or typing.length + len(text) > self.chunk:
            return None
        if typing.line < self._before[0]:
            self._before = (-1, 0)
        typing.pieces.append(text)
        typing.column += len(text)
        typing.length += len(text)
        self.size += len(text)
        return typing.length + 1

    def _settle(self) -> None:
        """Put the typed pieces not yet in their line in it."""
        typing = self._typing
        if typing is not None:
            self._typing = None
            if typing.pieces:
                found = cast(str, self._lines[typing.line])
                self._lines[typing.line] = found[:typing.at] + "".join(typing.pieces) + found[typing.at:]

    def apply_span(self, span: Span | None, text: str) -> int:
        """`apply` with the range as four ints (start line, start character, end line, end character)."""
        self._settle()
        if span is None:
            self._reset(text)
            return len(text)
        start_line, start_char, end_line, end_char = span
        sl, sc = self._locate(start_line, start_char)
        typing = end_line == start_line and end_char == start_char
        if typing:  # one lookup
            el, ec = sl, sc
        else:
            el, ec = self._locate(end_line, end_char)
            if (el, ec) < (sl, sc):
                sl, sc, el, ec = el, ec, sl, sc
        if sl < self._before[0]:
            self._before = (-1, 0)  # (an edit on a line leaves the lines before it as they were)
        lines = self._lines
        first, last = lines[sl], lines[el]
        if isinstance(first, str) and isinstance(last, str):
            head = tail = _NONE
            prefix, suffix, tail_end = first[:sc], last[ec:], ""
        elif isinstance(first, LongLine) and first is last and "\n" not in text and "\r" not in text and \
                first.content_size + len(text) - (ec - sc) > self.chunk:
            self.size += len(text) - (ec - sc)  # inside one long line, which stays long: edit its pieces
            return first.replace(sc, ec, text)
        else:
            head, prefix = (_NONE, first[:sc]) if isinstance(first, str) else first.head(sc)
            suffix, tail, tail_end = (last[ec:], _NONE, "") if isinstance(last, str) else last.tail(ec)
        segment = prefix + text + suffix
        if not prefix and not head and sl > 0 and segment.startswith("\n") and _lone_cr(lines[sl - 1]):
            sl -= 1  # a lone CR before an inserted LF becomes one CRLF break
            if sl < self._before[0]:
                self._before = (-1, 0)
            previous = lines[sl]
            head, prefix = (_NONE, previous) if isinstance(previous, str) else previous.whole()
            segment = prefix + segment
        replacement = split_lines(segment)
        if el + 1 < len(lines) and replacement[-1] == "" and not tail:
            replacement.pop()  # the segment ended with a line break: the next line follows it
        old = lines[sl : el + 1]
        if not (head or tail or self._long or len(segment) > self.chunk):  # short lines only: plain strings
            self.size += sum(map(len, replacement)) - sum(map(len, old))
            lines[sl : el + 1] = replacement
            if typing and sl == start_line and sc == start_char and cast(str, first).isascii() and \
                    _typed(text):  # (an ASCII line: the position is the index) the next edit may type on
                self._typing = _Typing(sl, sc + len(text), len(segment))
            return len(segment) + len(old) + (len(lines) - el if len(replacement) != len(old) else 0)
        new = self._joined(head, replacement, tail, tail_end)
        self.size += sum(map(len, new)) - sum(map(len, old))
        self._long += _long_lines(new) - _long_lines(old)
        lines[sl : el + 1] = new
        spent = sum(line.take_spent() for line in (first, last, *new) if isinstance(line, LongLine))
        moved = len(lines) - el if len(new) != len(old) else 0
        return len(segment) + len(head) + len(tail) + len(old) + moved + spent

    def _joined(self, head: list[str], replacement: list[str], tail: list[str], tail_end: str) -> list[Line]:
        """The new lines: the pieces of the first line cut before the edit, the edited segment's lines,
        the pieces of the last line after it (with its break)."""
        new: list[Line] = []
        final = len(replacement) - 1
        for number, line in enumerate(replacement):
            before = head if number == 0 else _NONE
            after, end = (tail, tail_end) if number == final else (_NONE, "")
            new.append(make_line(before, line, after, end, self.chunk))
        return new


def _typed(text: str) -> bool:
    """Text typing may go on with: ASCII (a character is one code unit in every encoding), not empty,
    no line break."""
    return bool(text) and text.isascii() and "\n" not in text and "\r" not in text


def _long_lines(lines: Sequence[Line]) -> int:
    return sum(not isinstance(line, str) for line in lines)


def _lone_cr(line: Line) -> bool:
    return line.endswith("\r") if isinstance(line, str) else line.end == "\r"


class Lines(Sequence[str]):
    """The lines of a document that holds long lines: each long line is joined when read."""

    __slots__ = ("_items",)

    def __init__(self, items: list[Line]) -> None:
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [str(line) for line in self._items[index]]
        return str(self._items[index])

    def __iter__(self) -> Iterator[str]:
        return map(str, self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return list(self) == list(other)
        return NotImplemented
