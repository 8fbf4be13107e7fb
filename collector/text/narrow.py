"""A whole-text change narrowed to the one ranged change that makes the same text.

Some editors send the whole text at every change (JupyterLab's notebooks through jupyterlab-lsp). The
text before and after share a start and an end, found at C speed (`linediff.shared_prefix` and
`shared_suffix`); what lies between them is the change: its range in the text before, counted in an LSP
position encoding, and its new text. Where the change could sit at several places of a run of repeated
characters (a line break typed after a blank line), it is put at the first: the end shared is taken
whole, the start shared only up to it. A cut never falls between the CR and LF of a line break.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from collector.text.linediff import shared_prefix, shared_suffix
from collector.text.positions import units

if TYPE_CHECKING:
    from collections.abc import Iterable

    from collector.text.document import Span
    from schemas.common import PositionEncoding


@dataclass(frozen=True, slots=True)
class Narrowed:
    """`before[start:before_end]` replaced by `after[start:after_end]` turns `before` into `after`."""

    start: int
    before_end: int
    after_end: int


def narrowed(before: str, after: str) -> Narrowed:
    """The smallest single replacement turning `before` into `after` (empty when they are equal)."""
    suffix = shared_suffix(before, after)
    start = min(shared_prefix(before, after), min(len(before), len(after)) - suffix)
    before_end, after_end = len(before) - suffix, len(after) - suffix
    if 0 < start < len(before) and before[start - 1] == "\r" and before[start] == "\n":
        start -= 1  # (the character before `start` is shared, so it moves into both sides)
    if 0 < before_end < len(before) and before[before_end - 1] == "\r" and before[before_end] == "\n":
        before_end, after_end = before_end + 1, after_end + 1
    return Narrowed(start, before_end, after_end)


def _breaks(text: str, start: int, end: int, cr: bool) -> int:
    """The LSP line breaks in `text[start:end]` (neither end between a CR and its LF; `cr`: the text holds
    a CR)."""
    if not cr:
        return text.count("\n", start, end)
    return text.count("\n", start, end) + text.count("\r", start, end) - text.count("\r\n", start, end)


def _line_start(text: str, start: int, end: int, cr: bool) -> int:
    """Where the line holding `end` starts, at `start` or after."""
    found = text.rfind("\n", start, end)
    return max(found, text.rfind("\r", start, end)) + 1 if cr else found + 1


def narrowed_span(before: str, change: Narrowed, encoding: PositionEncoding) -> Span:
    """The change's range in `before` as (start line, start character, end line, end character), counted
    in `encoding`: a few passes over the text before the change at C speed."""
    start, end = change.start, change.before_end
    cr = "\r" in before
    line = _breaks(before, 0, start, cr)
    character = units(before[_line_start(before, 0, start, cr) : start], encoding)
    if end == start:
        return line, character, line, character
    lines = _breaks(before, start, end, cr)
    if not lines:
        return line, character, line, character + units(before[start:end], encoding)
    return line, character, line + lines, units(before[_line_start(before, start, end, cr) : end], encoding)


def narrowed_spans(before: str, changes: Iterable[Narrowed], encoding: PositionEncoding) -> list[Span]:
    """`narrowed_span` of each of `changes`, which lie in `before` in order without overlapping (a format's
    changed lines: linediff.replacements), in one pass over the text: each change's line and character
    are counted on from the end of the change before it, not from the start of the text or of its line
    (bench/format_lines.py)."""
    cr = "\r" in before
    spans: list[Span] = []
    at, line, character = 0, 0, 0  # a place in the text, its line and character
    for change in changes:
        start, end = change.start, change.before_end
        if start < at:
            raise ValueError("the changes overlap or are out of order")
        if breaks := _breaks(before, at, start, cr):
            line += breaks
            character = units(before[_line_start(before, at, start, cr) : start], encoding)
        else:
            character += units(before[at:start], encoding)
        if lines := _breaks(before, start, end, cr):
            end_character = units(before[_line_start(before, start, end, cr) : end], encoding)
        else:
            end_character = character + units(before[start:end], encoding)
        spans.append((line, character, line + lines, end_character))
        at, line, character = end, line + lines, end_character
    return spans
