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
path cannot stand on the fence's line.
"""

from __future__ import annotations

from dataclasses import dataclass

from collector.export.bursts import Burst
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
    if burst.before == burst.after:
        return "no change"
    if not burst.path.isprintable():
        return "an unprintable path"
    old, new = burst.before.split("\n"), burst.after.split("\n")
    same_head, same_tail = _common(old, new)
    caret = burst.caret_offset(encoding)
    caret_line = burst.before.count("\n", 0, caret)
    caret_column = caret - (burst.before.rfind("\n", 0, caret) + 1)
    start = max(0, min(same_head, caret_line) - EDIT_MARGIN)
    end = min(len(old), max(len(old) - same_tail, caret_line + 1) + EDIT_MARGIN)
    new_end = len(new) - (len(old) - end)  # the lines after `end` are the same on both sides
    region_old, region_new = old[start:end], new[start:new_end]
    if max(len(region_old), len(region_new)) > MAX_REGION_LINES or \
            max(sum(map(len, region_old)), sum(map(len, region_new))) > MAX_REGION_CHARS:
        return "too large"
    marked = list(region_old)
    row = caret_line - start
    marked[row] = marked[row][:caret_column] + CURSOR + marked[row][caret_column:]
    head = old[max(0, start - CONTEXT):start]
    tail = old[end:end + CONTEXT]
    opening = f"```{burst.path}\n" + (f"{START_OF_FILE}\n" if start - len(head) == 0 else "")
    before = opening + "".join(line + "\n" for line in head) + REGION_START + "\n"
    after = "\n" + REGION_END + "".join("\n" + line for line in tail) + "\n```"
    return Excerpt(before + "\n".join(marked) + after, before + "\n".join(region_new) + after)


def _common(old: list[str], new: list[str]) -> tuple[int, int]:
    """How many lines the two sides share at their start, and then at their end (never overlapping)."""
    limit = min(len(old), len(new))
    head = 0
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return head, tail
