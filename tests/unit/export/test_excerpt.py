"""Zeta excerpts (collector/export/excerpt.py): Zed's markers, where the regions start and end, refusals."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from collector.export.bursts import Burst
from collector.export.excerpt import (
    CONTEXT,
    CURSOR,
    EDIT_MARGIN,
    MAX_REGION_CHARS,
    MAX_REGION_LINES,
    REGION_END,
    REGION_START,
    START_OF_FILE,
    Excerpt,
    excerpt,
)
from collector.text.positions import content_of, split_lines, to_index
from schemas.common import PositionEncoding
from tests.examples import examples


def burst(before: str, after: str, caret: tuple[int, int], path: str = "src/m.py") -> Burst:
    return Burst(path, 3, 9, 100, 900, before, caret, edits=7, after=after)


def region(text: str) -> str:
    return text.split("<|editable_region_start|>\n")[1].split("\n<|editable_region_end|>")[0]


def test_a_small_file_is_all_editable_and_starts_with_the_start_of_file_marker() -> None:
    made = excerpt(burst("def f():\n    return 1\n", "def f():\n    return 42\n", (1, 11)), "utf-16")
    assert made == Excerpt(
        "```src/m.py\n<|start_of_file|>\n<|editable_region_start|>\n"
        "def f():\n    return <|user_cursor_is_here|>1\n\n<|editable_region_end|>\n```",
        "```src/m.py\n<|start_of_file|>\n<|editable_region_start|>\n"
        "def f():\n    return 42\n\n<|editable_region_end|>\n```")


def test_in_a_long_file_the_region_is_the_change_with_margins_and_context_around_it() -> None:
    lines = [f"line {n}" for n in range(100)]
    before = "\n".join(lines) + "\n"
    changed = [*lines[:50], "line 50 changed", "inserted", *lines[51:]]
    made = excerpt(burst(before, "\n".join(changed) + "\n", (50, 7)), "utf-8")
    assert isinstance(made, Excerpt)
    first, last = 50 - EDIT_MARGIN, 50 + EDIT_MARGIN  # the region's first and last line before
    head = "".join(f"line {n}\n" for n in range(first - CONTEXT, first))
    tail = "".join(f"\nline {n}" for n in range(last + 1, last + 1 + CONTEXT))
    region = [f"line {n}" for n in range(first, last + 1)]
    expected_in = region.copy()
    expected_in[EDIT_MARGIN] = "line 50<|user_cursor_is_here|>"
    assert made.input == ("```src/m.py\n" + head + "<|editable_region_start|>\n" + "\n".join(expected_in)
                          + "\n<|editable_region_end|>" + tail + "\n```")
    expected_out = [*region[:EDIT_MARGIN], "line 50 changed", "inserted", *region[EDIT_MARGIN + 1:]]
    assert made.output == ("```src/m.py\n" + head + "<|editable_region_start|>\n" + "\n".join(expected_out)
                           + "\n<|editable_region_end|>" + tail + "\n```")
    assert "<|start_of_file|>" not in made.input


def test_the_region_reaches_the_caret_and_keeps_cr_and_non_bmp_text() -> None:
    before = "a\r\nb 😀\r\nc\r\nd\r\ne\r\nf\r\n"
    after = before.replace("e\r", "E\r")
    made = excerpt(burst(before, after, (1, 4)), "utf-16")  # after the 😀 (two utf-16 units)
    assert isinstance(made, Excerpt)
    assert "b 😀<|user_cursor_is_here|>\r\nc\r\nd\r\ne\r" in made.input
    assert "b 😀\r\nc\r\nd\r\nE\r" in made.output
    assert region(made.input).replace("<|user_cursor_is_here|>", "") in before
    assert region(made.output) in after and region(made.output) not in before


def test_no_change_and_oversized_regions_give_no_excerpt() -> None:
    assert excerpt(burst("same\n", "same\n", (0, 0)), "utf-16") == "no change"
    long = "".join(f"{n}\n" for n in range(MAX_REGION_LINES + 10))
    assert excerpt(burst("x\n", long, (0, 0)), "utf-16") == "too large"
    assert excerpt(burst("x\n", "y" * 9000 + "\n", (0, 0)), "utf-16") == "too large"
    assert excerpt(burst("x\n", "y\n", (0, 0), path="a\n```\nfake.py"), "utf-16") == "an unprintable path"


def reference(burst: Burst, encoding: PositionEncoding) -> Excerpt | str:
    """The excerpt as it was made before it stopped splitting whole files into lines (codetape 0.1)."""
    if burst.before == burst.after:
        return "no change"
    old, new = burst.before.split("\n"), burst.after.split("\n")
    limit = min(len(old), len(new))
    same_head = 0
    while same_head < limit and old[same_head] == new[same_head]:
        same_head += 1
    same_tail = 0
    while same_tail < limit - same_head and old[-1 - same_tail] == new[-1 - same_tail]:
        same_tail += 1
    lines = split_lines(burst.before)
    line, character = burst.caret
    caret = len(burst.before) if line >= len(lines) else \
        sum(map(len, lines[:line])) + to_index(content_of(lines[line]), character, encoding)
    caret_line = burst.before.count("\n", 0, caret)
    caret_column = caret - (burst.before.rfind("\n", 0, caret) + 1)
    start = max(0, min(same_head, caret_line) - EDIT_MARGIN)
    end = min(len(old), max(len(old) - same_tail, caret_line + 1) + EDIT_MARGIN)
    new_end = len(new) - (len(old) - end)
    region_old, region_new = old[start:end], new[start:new_end]
    if max(len(region_old), len(region_new)) > MAX_REGION_LINES or \
            max(sum(map(len, region_old)), sum(map(len, region_new))) > MAX_REGION_CHARS:
        return "too large"
    marked = list(region_old)
    row = caret_line - start
    marked[row] = marked[row][:caret_column] + CURSOR + marked[row][caret_column:]
    head, tail = old[max(0, start - CONTEXT):start], old[end:end + CONTEXT]
    opening = f"```{burst.path}\n" + (f"{START_OF_FILE}\n" if start - len(head) == 0 else "")
    before = opening + "".join(line + "\n" for line in head) + REGION_START + "\n"
    after = "\n" + REGION_END + "".join("\n" + line for line in tail) + "\n```"
    return Excerpt(before + "\n".join(marked) + after, before + "\n".join(region_new) + after)


pieces = st.lists(st.sampled_from(["a", "b", "\n", "\r\n", "\r", "😀", "xyz\n"]), max_size=40).map("".join)


@settings(derandomize=True, database=None, max_examples=examples(400), deadline=None)
@given(pieces, pieces, st.integers(0, 12), st.integers(0, 6), st.sampled_from(["utf-8", "utf-16", "utf-32"]))
def test_the_excerpt_is_the_one_made_by_splitting_whole_files(
        before: str, after: str, line: int, character: int, encoding: PositionEncoding) -> None:
    made = burst(before, after, (line, character))
    assert excerpt(made, encoding) == reference(made, encoding)
