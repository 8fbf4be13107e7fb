"""The excerpt around the caret before an edit burst, marked up as Zed's zeta model reads it (`input`) and
answers (`output`).

As Zed's `excerpt_for_cursor_position` writes it (zed-industries/zed, crates/zeta/src/zeta1/input_excerpt.rs):
a fence opened with the path, `<|start_of_file|>` when the excerpt starts at the file's first line, the
context lines before, `<|editable_region_start|>` on a line of its own, the editable lines (the input with
`<|user_cursor_is_here|>` where the caret was), then `<|editable_region_end|>` right after the last
editable line and the context lines after it, and the closing fence. Lines are split at LF (a CR stays
part of its line), so the text is kept exactly.

The regions are sized as Zed sizes them (crates/zeta/src/zeta1.rs): the editable region is the caret's
line grown a line at a time, one above then one below, while any of `REWRITE_TOKENS` (350) is left, each
line costing its UTF-8 bytes / `BYTES_PER_TOKEN` (3) tokens (Zed's `expand_range`; Zed first tries the
largest syntax node around the caret that fits, codetape has no syntax tree and grows by lines, which is
what Zed does past that node); the context is the editable region grown the same way by `CONTEXT_TOKENS`
(150). The region comes from the caret, never from the change, so a change the region does not hold is
no example of a next edit at the caret: it is left out (`a change outside the editable region`), as is a
burst with no known caret (bursts.py). The output is the same excerpt after the burst, without the caret.
A burst that changed nothing gives no excerpt; neither does one whose editable region is longer than
`MAX_REGION_CHARS` characters after it (a paste, not a predicted edit), nor one in a file whose path
cannot stand on the fence's line. The lines the two sides share at their start and end are counted at C
speed (collector/text/linediff.py) and only the excerpt's lines are looked at: a burst costs the same
however long its file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from collector.export.edits.base.bursts import Burst
from collector.text.linediff import shared_prefix, shared_suffix
from schemas.common import PositionEncoding

CURSOR = "<|user_cursor_is_here|>"
START_OF_FILE = "<|start_of_file|>"
REGION_START = "<|editable_region_start|>"
REGION_END = "<|editable_region_end|>"
REWRITE_TOKENS = 350  # Zed's MAX_REWRITE_TOKENS
CONTEXT_TOKENS = 150  # Zed's MAX_CONTEXT_TOKENS
BYTES_PER_TOKEN = 3  # Zed's BYTES_PER_TOKEN_GUESS
MAX_REGION_CHARS = 8000


@dataclass(frozen=True)
class Excerpt:
    input: str
    output: str


def tokens(text: str) -> int:
    """Zed's guess of a text's tokens: its UTF-8 bytes / 3."""
    return len(text.encode("utf-8", "surrogatepass")) // BYTES_PER_TOKEN


def unfit(burst: Burst) -> str | None:
    """Why a burst gives no next-edit example whatever its excerpt (`too large`, `no change`, `no known
    caret`, `an unprintable path`), or None."""
    if burst.too_large:
        return "too large"
    if burst.before == burst.after:
        return "no change"
    if burst.caret is None:
        return "no known caret"
    if not burst.path.isprintable():
        return "an unprintable path"
    return None


def excerpt(burst: Burst, encoding: PositionEncoding) -> Excerpt | str:
    """The burst's input and output excerpts, or why there are none (`no change`, `no known caret`,
    `too large`, `a change outside the editable region`, `an unprintable path`: a line break in it would
    end the fence)."""
    why = unfit(burst)
    if why is not None:
        return why
    before, after = burst.before, burst.after
    caret = burst.caret_offset(encoding)
    lines = Lines(before)
    caret_line = before.count("\n", 0, caret)
    start, end = lines.grow(caret_line, caret_line + 1, REWRITE_TOKENS)
    first, last = lines.grow(start, end, CONTEXT_TOKENS)
    old_count, new_count = lines.count, after.count("\n") + 1  # lines as split("\n") cuts them
    same_head, same_tail = _common(before, after)
    new_end = new_count - (old_count - end)  # the lines after `end` are the same on both sides
    if same_head < start or same_tail < old_count - end or new_end <= start:
        return "a change outside the editable region"
    new_at = lines.span(start)[0]  # the lines before `start` are the same on both sides
    new_stop = len(after) - (len(before) - lines.span(end - 1)[1])
    region_new = after[new_at:new_stop]
    if len(region_new) > MAX_REGION_CHARS:
        return "too large"
    region_old = [lines.text(n) for n in range(start, end)]
    row, column = caret_line - start, caret - lines.span(caret_line)[0]
    region_old[row] = region_old[row][:column] + CURSOR + region_old[row][column:]
    opening = f"```{burst.path}\n" + (f"{START_OF_FILE}\n" if first == 0 else "")
    before_region = opening + "".join(lines.text(n) + "\n" for n in range(first, start)) + REGION_START + "\n"
    after_region = "\n" + REGION_END + "".join("\n" + lines.text(n) for n in range(end, last)) + "\n```"
    return Excerpt(before_region + "\n".join(region_old) + after_region,
                   before_region + region_new + after_region)


class Lines:
    """The lines of a text as split("\n") cuts them, found around a line without splitting the text."""

    def __init__(self, text: str) -> None:
        self.source = text
        self.count = text.count("\n") + 1
        self._spans: dict[int, tuple[int, int]] = {}

    def span(self, line: int) -> tuple[int, int]:
        """Where line `line` starts and ends (before its LF): found from a neighbour already found, or from
        the start of the text."""
        known = self._spans.get(line)
        if known is not None:
            return known
        text = self.source
        if line - 1 in self._spans:
            at = self._spans[line - 1][1] + 1
        elif line + 1 in self._spans:
            at = text.rfind("\n", 0, self._spans[line + 1][0] - 1) + 1
        else:  # at C speed: a caret may sit a million lines down a file
            found_at = re.match(rf"(?:[^\n]*+\n){{{line}}}+", text) if line else None
            at = 0 if found_at is None else found_at.end()
        stop = text.find("\n", at)
        found = (at, len(text) if stop < 0 else stop)
        self._spans[line] = found
        return found

    def text(self, line: int) -> str:
        at, stop = self.span(line)
        return self.source[at:stop]

    def grow(self, start: int, end: int, budget: int) -> tuple[int, int]:
        """Lines `start`..`end` grown a line above, then a line below, while any of `budget` tokens is
        left, each line costing its tokens (Zed's `expand_range`)."""
        self.span(start)
        self.span(end - 1)
        while True:
            grown = False
            if budget > 0 and start > 0:
                start -= 1
                budget = max(0, budget - tokens(self.text(start)))
                grown = True
            if budget > 0 and end < self.count:
                end += 1
                budget = max(0, budget - tokens(self.text(end - 1)))
                grown = True
            if not grown:
                return start, end


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
