"""A line too long to copy on every edit: its content held in pieces, so an edit copies one or two pieces.

A `Document` keeps a line of up to `chunk` characters as a plain string; a longer one becomes a `LongLine`:
its content (everything before its line break) in pieces of chunk/2 to chunk characters, and its break.
A position is found by bisecting running totals of characters (and of code units, on a line that is not
all ASCII). An edit drops the totals from the piece it touched on, and a lookup extends them only as
far as it needs, so typing anywhere in a megabyte-long line recomputes a total or two, not all of them.
`spent` counts that work until the document's edit that caused it collects it (`take_spent`).
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, pairwise
from typing import TYPE_CHECKING

from collector.text.positions import content_of, to_index, units

if TYPE_CHECKING:
    from schemas.common import PositionEncoding

CHUNK = 4096  # characters: longer lines are kept in pieces of CHUNK/2 to CHUNK
SLOT_WORK = 32  # a piece's running total computed, or a piece made, costs about 32 characters copied
STEP = 64  # running totals are extended this many pieces at a time


def pieces_of(text: str, chunk: int) -> list[str]:
    """`text` cut into pieces of chunk/2 to chunk characters (one shorter piece if `text` is that short)."""
    if len(text) <= chunk:
        return [text] if text else []
    count = -(-len(text) // chunk)
    size, longer = divmod(len(text), count)
    cuts = accumulate((size + (i < longer) for i in range(count)), initial=0)
    return [text[a:b] for a, b in pairwise(cuts)]


def _wide(pieces: list[str]) -> int:
    return sum(not piece.isascii() for piece in pieces)


class LongLine:
    __slots__ = ("_chars", "_encoding", "_units", "_wide", "_widths", "chunk", "end", "pieces", "size",
                 "spent")

    def __init__(self, pieces: list[str], end: str, chunk: int) -> None:
        self.pieces = pieces  # the content; every piece holds chunk/2 to chunk characters
        self.end = end  # the line break: "", "\n", "\r" or "\r\n"
        self.chunk = chunk
        self.size = sum(map(len, pieces)) + len(end)  # characters, with the break
        self._wide = _wide(pieces)  # pieces that are not all ASCII
        self._encoding: PositionEncoding = "utf-32"  # what `_units` counts
        self._chars: list[int] = []  # _chars[k]: characters in pieces 0..k; computed for a prefix
        self._units: list[int] = []  # the same in code units, kept as long as `_chars` on a wide line
        self._widths: list[int] = []  # code units in each piece (-1: not counted yet), on a wide line
        self.spent = SLOT_WORK * len(pieces)  # work not yet collected by `take_spent`

    def __len__(self) -> int:
        return self.size

    def __str__(self) -> str:
        return "".join(self.pieces) + self.end

    def copy(self) -> LongLine:
        return LongLine(list(self.pieces), self.end, self.chunk)

    def take_spent(self) -> int:
        spent, self.spent = self.spent, 0
        return spent

    @property
    def content_size(self) -> int:
        return self.size - len(self.end)

    # -- positions ---------------------------------------------------------------------------------------

    def _counting(self, encoding: PositionEncoding) -> None:
        if encoding != self._encoding:
            self._encoding = encoding
            del self._chars[:], self._units[:], self._widths[:]

    def _extend(self, enough: int, *, in_units: bool) -> None:
        """Extend the running totals until the last passes `enough` (characters, or code units when
        `in_units`), or every piece is counted."""
        pieces, chars, counts = self.pieces, self._chars, self._units
        wide = bool(self._wide) and self._encoding != "utf-32"
        last = counts if in_units else chars
        while len(chars) < len(pieces) and (not last or last[-1] <= enough):
            done = len(chars)
            batch = pieces[done : done + STEP]
            chars.extend(accumulate(map(len, batch), initial=chars[-1] if done else 0))
            del chars[done]  # the initial value: a total already there, or 0
            self.spent += SLOT_WORK * len(batch)
            if wide:
                counts.extend(accumulate(self._measured(done, len(batch)), initial=counts[-1] if done else 0))
                del counts[done]

    def _measured(self, start: int, count: int) -> list[int]:
        """The code units of pieces start..start+count, counting those not counted yet."""
        widths, pieces = self._widths, self.pieces
        if len(widths) != len(pieces):
            widths[:] = [-1] * len(pieces)
        measured = widths[start : start + count]
        if min(measured) < 0:
            for at in range(start, start + count):
                if widths[at] < 0:
                    widths[at] = units(pieces[at], self._encoding)
                    self.spent += len(pieces[at])
            measured = widths[start : start + count]
        return measured

    def index(self, character: int, encoding: PositionEncoding) -> int:
        """Python index into the content for an LSP character offset, as `positions.to_index` counts it."""
        if encoding == "utf-32" or not self._wide:
            return min(character, self.content_size)
        self._counting(encoding)
        self._extend(character, in_units=True)
        chars, counts = self._chars, self._units
        piece = bisect_right(counts, character)
        if piece == len(self.pieces):
            return self.content_size
        before = counts[piece - 1] if piece else 0
        return (chars[piece - 1] if piece else 0) + to_index(self.pieces[piece], character - before, encoding)

    def units_before(self, index: int, encoding: PositionEncoding) -> int:
        """Code units of the content before Python index `index`."""
        if encoding == "utf-32" or not self._wide:
            return index
        self._counting(encoding)
        piece, offset = self._find(index)
        before = self._units[piece - 1] if piece else 0
        return before + units(self.pieces[piece][:offset], encoding)

    def _find(self, index: int) -> tuple[int, int]:
        """(piece, offset in it) of content index `index`; the content's end is the end of its last piece."""
        self._extend(index, in_units=False)
        chars = self._chars
        piece = min(bisect_right(chars, index), len(self.pieces) - 1)
        return piece, index - (chars[piece - 1] if piece else 0)

    # -- cutting and editing ---------------------------------------------------------------------------

    def head(self, index: int) -> tuple[list[str], str]:
        """The content before `index`: the pieces wholly before it, and the part of the next one."""
        piece, offset = self._find(index)
        return self.pieces[:piece], self.pieces[piece][:offset]

    def tail(self, index: int) -> tuple[str, list[str], str]:
        """The line from content index `index`: the part of its piece, the pieces after, the break.
        With no piece after, the break ends the part and the last element is empty."""
        piece, offset = self._find(index)
        part = self.pieces[piece][offset:]
        if piece + 1 == len(self.pieces):
            return part + self.end, [], ""
        return part, self.pieces[piece + 1 :], self.end

    def whole(self) -> tuple[list[str], str]:
        """The line as `head` would cut it after its break: every piece but the last, then the last and the
        break."""
        return self.pieces[:-1], self.pieces[-1] + self.end

    def replace(self, start: int, end: int, text: str) -> int:
        """Content [start, end) becomes `text`, which holds no line break, in place; the line must stay
        longer than `chunk`. Returns the work done (characters copied, list slots moved) with `spent`."""
        first, offset = self._find(start)
        last, end_offset = self._find(end)
        pieces = self.pieces
        middle = pieces[first][:offset] + text + pieces[last][end_offset:]
        if len(middle) < self.chunk // 2:  # too small a piece: join a neighbour
            if first > 0:
                first -= 1
                middle = pieces[first] + middle
            elif last + 1 < len(pieces):
                last += 1
                middle += pieces[last]
        replacement = pieces_of(middle, self.chunk)
        moved = len(pieces) - last if len(replacement) != last + 1 - first else 0
        was_wide = bool(self._wide)
        self._wide += _wide(replacement) - _wide(pieces[first : last + 1])
        if len(self._widths) == len(pieces):
            self._widths[first : last + 1] = [-1] * len(replacement)
        pieces[first : last + 1] = replacement
        stale = first if bool(self._wide) == was_wide else 0  # units now counted, or no longer
        del self._chars[stale:], self._units[stale:]
        self.size += len(text) - (end - start)
        return len(middle) + moved + self.take_spent()


def make_line(before: list[str], middle: str, after: list[str], end: str, chunk: int) -> str | LongLine:
    """One line from the pieces `before`, the string `middle` and the pieces `after`, then `end`: a plain
    string when it fits in `chunk` characters. With no pieces after it, `middle` carries the line break."""
    if not after:
        content = content_of(middle)
        end = middle[len(content) :]
    else:
        content = middle
    if not before and not after:
        return content + end if len(content) <= chunk else LongLine(pieces_of(content, chunk), end, chunk)
    before, after = list(before), list(after)
    if len(content) < chunk // 2:  # too small a piece: join a neighbour
        if before:
            content = before.pop() + content
        else:
            content += after.pop(0)
    if len(content) + sum(map(len, before)) + sum(map(len, after)) <= chunk:
        return "".join(before) + content + "".join(after) + end
    return LongLine(before + pieces_of(content, chunk) + after, end, chunk)
