"""The excerpt around an edit burst, marked up as Zed's zeta model reads it (`input`) and answers (`output`).

As Zed's `excerpt_for_cursor_position` writes it: a fence opened with the path, `<|start_of_file|>` when
the excerpt starts at the file's first line, the context lines before, `<|editable_region_start|>` on a
line of its own, the editable lines (the input with `<|user_cursor_is_here|>` where the caret was), then
`<|editable_region_end|>` right after the last editable line and the context lines after it, and the
closing fence. Lines are split at LF (a CR stays part of its line), so the text is kept exactly.

The editable region is the lines the burst changed (the lines before and after them that it left alone
are cut off), widened by `EDIT_MARGIN` lines each way and to the caret's line; `CONTEXT` lines each way
are context. The output is the same excerpt after the burst, without the caret. A burst that changed
nothing gives no excerpt; neither does one whose editable region is longer than `MAX_REGION_LINES` lines
or `MAX_REGION_CHARS` characters on either side (not a next edit anyone predicts), nor one in a file whose
path cannot stand on the fence's line. The lines the two sides share at their start and end are counted at
C speed (collector/text/linediff.py) and only the excerpt's lines are cut out: a burst costs the same
however long its file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from collector.export.bursts import Burst
from collector.text.linediff import shared_prefix, shared_suffix
from schemas.common import PositionEncoding

CURSOR = "<|user_cursor_is_here|>"
START_OF_FILE = "<|start_of_file|>"
REGION_START = "<|editable_region_start|>"
REGION_END = "<|editable_region_end|>"
EDIT_MARGIN = 2
CONTEXT = 8
MAX_REGION_LINES = 80
MAX_REGION_CHARS = 8000


@dataclass(frozen=True)
class Excerpt:
    input: str
    output: str


def excerpt(burst: Burst, encoding: PositionEncoding) -> Excerpt | str:
    """The burst's input and output excerpts, or why there are none (`no change`, `too large`,
    `an unprintable path`: a line break in it would end the fence)."""
    if burst.too_large:
        return "too large"
    if burst.before == burst.after:
        return "no change"
    if not burst.path.isprintable():
        return "an unprintable path"
    before, after = burst.before, burst.after
    old_count, new_count = before.count("\n") + 1, after.count("\n") + 1  # lines as split("\n") cuts them
    same_head, same_tail = _common(before, after)
    caret = burst.caret_offset(encoding)
    caret_line = before.count("\n", 0, caret)
    caret_column = caret - (before.rfind("\n", 0, caret) + 1)
    start = max(0, min(same_head, caret_line) - EDIT_MARGIN)
    end = min(old_count, max(old_count - same_tail, caret_line + 1) + EDIT_MARGIN)
    new_end = new_count - (old_count - end)  # the lines after `end` are the same on both sides
    if max(end - start, new_end - start) > MAX_REGION_LINES:
        return "too large"
    first = max(0, start - CONTEXT)
    old_spans, new_spans = _spans(before, first, end + CONTEXT - first), _spans(after, start, new_end - start)
    regions = (old_spans[start - first:end - first], new_spans)
    if max(sum(stop - at for at, stop in spans) for spans in regions) > MAX_REGION_CHARS:
        return "too large"
    old = [before[at:stop] for at, stop in old_spans]
    region_old, region_new = old[start - first:end - first], [after[at:stop] for at, stop in new_spans]
    marked = list(region_old)
    row = caret_line - start
    marked[row] = marked[row][:caret_column] + CURSOR + marked[row][caret_column:]
    head, tail = old[:start - first], old[end - first:]
    opening = f"```{burst.path}\n" + (f"{START_OF_FILE}\n" if first == 0 else "")
    before_region = opening + "".join(line + "\n" for line in head) + REGION_START + "\n"
    after_region = "\n" + REGION_END + "".join("\n" + line for line in tail) + "\n```"
    return Excerpt(before_region + "\n".join(marked) + after_region,
                   before_region + "\n".join(region_new) + after_region)


def _common(before: str, after: str) -> tuple[int, int]:
    """How many lines (as split("\n") cuts them) the two texts share at their start, and then at their
    end (never overlapping), from the characters they share."""
    old_len, new_len = len(before), len(after)
    prefix, suffix = shared_prefix(before, after), shared_suffix(before, after)
    head = before.count("\n", 0, prefix)  # each line break shared closes a line shared
    if (prefix == old_len and (prefix == new_len or after[prefix] == "\n")) or \
            (prefix == new_len and prefix < old_len and before[prefix] == "\n"):
        head += 1  # the line the shared part ends in ends there on both sides
    tail = before.count("\n", old_len - suffix)  # each line break shared opens a line shared
    if (suffix == old_len and (suffix == new_len or after[new_len - suffix - 1] == "\n")) or \
            (suffix == new_len and suffix < old_len and before[old_len - suffix - 1] == "\n"):
        tail += 1
    lines = min(before.count("\n"), after.count("\n")) + 1
    return head, min(tail, lines - head)


def _spans(text: str, first: int, count: int) -> list[tuple[int, int]]:
    """Where lines `first` to `first + count` (at most) of `text` start and end, as split("\n") cuts them,
    found without cutting the text."""
    if first > text.count("\n"):
        return []
    at = 0 if first == 0 else re.match(rf"(?:[^\n]*+\n){{{first}}}+", text).end()  # type: ignore[union-attr]
    spans: list[tuple[int, int]] = []
    while len(spans) < count:
        newline = text.find("\n", at)
        if newline < 0:
            spans.append((at, len(text)))
            break
        spans.append((at, newline))
        at = newline + 1
    return spans
