"""Unified diffs of two texts at a cost bounded whatever the texts hold.

difflib alone is quadratic on some texts: on 160,000 lines drawn from 101 distinct ones, its first search
for the longest match visits every pair of equal lines, about a minute of work. Here:

1. the characters the texts share at their start and at their end are found at C speed, widened to whole
   lines, and never split into lines (`between`);
2. only the lines between them, with `context` lines either side, go to difflib, whose matching is
   counted as it goes against a `DiffWork` (each search's work is known before it runs: how often its
   lines occur on the other side), a budget a caller may share across many diffs;
3. a diff that would pass that budget, or with more than MAX_LINES lines between the shared ends, is
   *coarse*: one hunk removing every line between them and adding the new ones, written at C speed. It
   is still a diff `git apply` takes, only not the smallest; `LineDiff.coarse` says so.

Lines end at LF, as git sees them (a CR stays part of its line); a last line without one is followed by
git's `\\ No newline at end of file`.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate

NO_NEWLINE = "\\ No newline at end of file\n"
MAX_LINES = 50_000  # lines between the shared ends (either side) that difflib is given
WORK_PER_DIFF = 4_000_000  # a diff's budget when no DiffWork is shared: a second or so of difflib
_FIRST_BLOCK, _MAX_BLOCK = 64, 1 << 16  # characters compared at once when looking for the shared ends
_PIECE = 1 << 20  # characters of a coarse hunk yielded at once


@dataclass
class DiffWork:
    """Work diffs may still do, in difflib's steps (a line indexed, a pair of equal lines visited);
    `coarse` counts the diffs made coarse because they would have done more."""

    left: int
    coarse: int = 0

    def take(self, units: int) -> bool:
        """Spend `units` if that many are left."""
        if units > self.left:
            return False
        self.left -= units
        return True


@dataclass(frozen=True)
class LineDiff:
    """A diff's hunks without the ---/+++ lines: `parts` are one or more whole lines each."""

    parts: Iterator[str]
    coarse: bool


def shared_prefix(a: str, b: str) -> int:
    """How many characters `a` and `b` share at their start."""
    end = min(len(a), len(b))
    start, block = 0, _FIRST_BLOCK
    while start < end:
        stop = min(start + block, end)
        if a[start:stop] != b[start:stop]:
            while stop - start > 1:  # a[:start] is shared, a[start:stop] is not
                middle = (start + stop) // 2
                if a[start:middle] == b[start:middle]:
                    start = middle
                else:
                    stop = middle
            return start
        start, block = stop, min(2 * block, _MAX_BLOCK)
    return end


def shared_suffix(a: str, b: str) -> int:
    """How many characters `a` and `b` share at their end (it may overlap what they share at the start)."""
    end, la, lb = min(len(a), len(b)), len(a), len(b)
    start, block = 0, _FIRST_BLOCK
    while start < end:
        stop = min(start + block, end)
        if a[la - stop : la - start] != b[lb - stop : lb - start]:
            while stop - start > 1:
                middle = (start + stop) // 2
                if a[la - middle : la - start] == b[lb - middle : lb - start]:
                    start = middle
                else:
                    stop = middle
            return start
        start, block = stop, min(2 * block, _MAX_BLOCK)
    return end


def between(a: str, b: str) -> tuple[int, int, int]:
    """(start, a_end, b_end): `a[start:a_end]` and `b[start:b_end]` are whole lines, and the lines before
    `start` and after the ends are the same in both."""
    start = a.rfind("\n", 0, shared_prefix(a, b)) + 1
    suffix = min(shared_suffix(a, b), min(len(a), len(b)) - start)
    a_end, b_end = len(a) - suffix, len(b) - suffix
    if not (_line_start(a, a_end, start) and _line_start(b, b_end, start)):  # to the end of that line
        newline = a.find("\n", a_end)
        shift = (len(a) if newline < 0 else newline + 1) - a_end
        a_end, b_end = a_end + shift, b_end + shift
    return start, a_end, b_end


def inserted_chars(before: str | None, after: str) -> int:
    """The characters writing `after` over `before` inserted: those between what the two texts share at
    their start and at their end (all of `after` when there was no text before). How whose-work counts a
    write to disk, as an edit counts the characters it inserted."""
    if before is None:
        return len(after)
    prefix = shared_prefix(before, after)
    suffix = min(shared_suffix(before, after), min(len(before), len(after)) - prefix)
    return len(after) - prefix - suffix


def line_diff(before: str, after: str, context: int = 3, work: DiffWork | None = None) -> LineDiff:
    """The hunks turning `before` into `after` (none when they are equal), spending at most what `work`
    has left (a budget of WORK_PER_DIFF when not given)."""
    if before == after:
        return LineDiff(iter(()), coarse=False)
    work = DiffWork(WORK_PER_DIFF) if work is None else work
    start, a_end, b_end = between(before, after)
    first = start
    for _ in range(context):
        if first == 0:
            break
        first = before.rfind("\n", 0, first - 1) + 1
    a_stop = a_end
    for _ in range(context):
        if a_stop == len(before):
            break
        newline = before.find("\n", a_stop)
        a_stop = len(before) if newline < 0 else newline + 1
    b_stop = b_end + (a_stop - a_end)
    offset = before.count("\n", 0, first)
    if max(_count(before, start, a_end), _count(after, start, b_end)) <= MAX_LINES:
        old, new = _lines(before[first:a_stop]), _lines(after[first:b_stop])
        if work.take(len(old) + len(new)):
            matcher = _Bounded(old, new, work)
            try:
                matcher.get_opcodes()
            except _OverBudget:
                pass
            else:
                return LineDiff(_hunks(matcher, old, new, context, offset), coarse=False)
    work.coarse += 1
    hunk = _Hunk(offset, first, start, a_end, a_stop, b_end, b_stop)
    return LineDiff(hunk.lines(before, after), coarse=True)


@dataclass(frozen=True, slots=True)
class Replacement:
    """`before[before_start:before_end]` becomes `after[after_start:after_end]`."""

    before_start: int
    before_end: int
    after_start: int
    after_end: int


def replacements(before: str, after: str, work: DiffWork | None = None) -> list[Replacement]:
    """The places where `after` differs from `before`, in order: one per changed line (per run of lines
    where the numbers of lines differ), each narrowed to the characters it changes; a single one spanning
    them all when the line diff would pass the budget (`work`: WORK_PER_DIFF when not given), none when
    the texts are equal."""
    if before == after:
        return []
    start, old, new, opcodes = _opcodes(before, after, work)
    old_at = list(accumulate((len(line) for line in old), initial=start))
    new_at = list(accumulate((len(line) for line in new), initial=start))
    runs: list[tuple[int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "replace" and i2 - i1 == j2 - j1:  # line by line: each narrowed on its own
            runs.extend((i, i + 1, j, j + 1) for i, j in zip(range(i1, i2), range(j1, j2), strict=True))
        elif tag != "equal":
            runs.append((i1, i2, j1, j2))
    found = []
    for i1, i2, j1, j2 in runs:
        a1, a2, b1, b2 = old_at[i1], old_at[i2], new_at[j1], new_at[j2]
        if before[a1:a2] == after[b1:b2]:
            continue
        prefix = shared_prefix(before[a1:a2], after[b1:b2])
        suffix = min(shared_suffix(before[a1:a2], after[b1:b2]), min(a2 - a1, b2 - b1) - prefix)
        a1, a2, b1, b2 = a1 + prefix, a2 - suffix, b1 + prefix, b2 - suffix
        if 0 < a1 < len(before) and before[a1 - 1] == "\r" and before[a1] == "\n":  # (never between CR, LF)
            a1, b1 = a1 - 1, b1 - 1
        if 0 < a2 < len(before) and before[a2 - 1] == "\r" and before[a2] == "\n":
            a2, b2 = a2 + 1, b2 + 1
        found.append(Replacement(a1, a2, b1, b2))
    return found


def line_runs(before: str, after: str, work: DiffWork | None = None) -> list[tuple[int, int, int, int]]:
    """The runs of lines `after` changed in `before`, as a file change's `changed_lines` holds them
    (schemas/steps/file_change.py): `(old first, old count, new first, new count)`, 1-based, a run without
    old lines placed where its new ones are, lines ending at LF; one run spanning them all when the line
    diff would pass the budget (`work`), none when the texts are equal."""
    if before == after:
        return []
    start, _old, _new, opcodes = _opcodes(before, after, work)
    offset = before.count("\n", 0, start)  # (the lines before `start` are the same in both)
    return [(offset + i1 + 1, i2 - i1, offset + j1 + 1, j2 - j1)
            for tag, i1, i2, j1, j2 in opcodes if tag != "equal"]


def _opcodes(before: str, after: str, work: DiffWork | None
             ) -> tuple[int, list[str], list[str], Sequence[tuple[str, int, int, int, int]]]:
    """Where the lines the texts do not share at their ends start, those lines of each, and difflib's
    opcodes between them (one replacing them all when they would pass the budget)."""
    work = DiffWork(WORK_PER_DIFF) if work is None else work
    start, a_end, b_end = between(before, after)
    old, new = _lines(before[start:a_end]), _lines(after[start:b_end])
    opcodes = None
    if max(len(old), len(new)) <= MAX_LINES and work.take(len(old) + len(new)):
        with contextlib.suppress(_OverBudget):
            opcodes = _Bounded(old, new, work).get_opcodes()
    if opcodes is None:
        opcodes = [("replace", 0, len(old), 0, len(new))]
    return start, old, new, opcodes


class _OverBudget(Exception):
    pass


class _Bounded(difflib.SequenceMatcher[str]):
    """difflib's matcher, each longest-match search paid for from `work` before it runs (its cost: the
    lines of `a` it looks at and, for each, the places the same line has in `b`)."""

    def __init__(self, a: list[str], b: list[str], work: DiffWork) -> None:
        super().__init__(None, a, b)
        places: dict[str, list[int]] = self.b2j  # type: ignore[attr-defined]  # (documented, not in typeshed)
        self._cost = list(accumulate((1 + len(places.get(line, ())) for line in a), initial=0))
        self._work = work

    def find_longest_match(self, alo: int = 0, ahi: int | None = None, blo: int = 0,
                           bhi: int | None = None) -> difflib.Match:
        high = len(self._cost) - 1 if ahi is None else ahi
        if not self._work.take(self._cost[high] - self._cost[alo]):
            raise _OverBudget
        return super().find_longest_match(alo, high, blo, bhi)


def _hunks(matcher: _Bounded, old: list[str], new: list[str], context: int, offset: int) -> Iterator[str]:
    """difflib.unified_diff's hunks of `old` and `new`, which start at line `offset` of their texts."""
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        yield (f"@@ -{_range(first[1] + offset, last[2] + offset)} "
               f"+{_range(first[3] + offset, last[4] + offset)} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                yield from _marked(" ", old[i1:i2])
                continue
            if tag in ("replace", "delete"):
                yield from _marked("-", old[i1:i2])
            if tag in ("replace", "insert"):
                yield from _marked("+", new[j1:j2])


def _marked(mark: str, lines: list[str]) -> Iterator[str]:
    for line in lines:
        yield mark + line if line.endswith("\n") else mark + line + "\n" + NO_NEWLINE


@dataclass(frozen=True)
class _Hunk:
    """A coarse diff's one hunk, starting at line `offset` (at `first` in both texts): context lines up to
    `start`, the old lines up to `a_end` removed, the new ones up to `b_end` added, then context lines (up
    to `a_stop` in the old text, `b_stop` in the new)."""

    offset: int
    first: int
    start: int
    a_end: int
    a_stop: int
    b_end: int
    b_stop: int

    def lines(self, before: str, after: str) -> Iterator[str]:
        old, new = _count(before, self.first, self.a_stop), _count(after, self.first, self.b_stop)
        yield f"@@ -{_range(self.offset, self.offset + old)} +{_range(self.offset, self.offset + new)} @@\n"
        yield from _prefixed(" ", before, self.first, self.start)
        yield from _prefixed("-", before, self.start, self.a_end)
        yield from _prefixed("+", after, self.start, self.b_end)
        yield from _prefixed(" ", before, self.a_end, self.a_stop)


def _prefixed(mark: str, text: str, start: int, end: int) -> Iterator[str]:
    """The whole lines `text[start:end]`, each with `mark` in front, about _PIECE characters at a time."""
    while start < end:
        cut = text.find("\n", min(start + _PIECE, end) - 1, end)
        stop = end if cut < 0 else cut + 1
        piece = text[start:stop]
        if piece.endswith("\n"):
            yield mark + piece[:-1].replace("\n", "\n" + mark) + "\n"
        else:
            yield mark + piece.replace("\n", "\n" + mark) + "\n" + NO_NEWLINE
        start = stop


def _line_start(text: str, at: int, start: int) -> bool:
    return at == start or text[at - 1] == "\n"


def _count(text: str, start: int, end: int) -> int:
    """The lines in `text[start:end]` (whole lines: the last ends with LF or at the end of the text)."""
    return text.count("\n", start, end) + (end > start and text[end - 1] != "\n")


def _lines(text: str) -> list[str]:
    pieces = text.split("\n")
    lines = [piece + "\n" for piece in pieces[:-1]]
    return [*lines, pieces[-1]] if pieces[-1] else lines


def _range(start: int, stop: int) -> str:
    """A hunk's range as difflib writes it (`start` counted from 0)."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start if not length else start + 1},{length}"
