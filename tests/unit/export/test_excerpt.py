"""Zeta excerpts (collector/export/edits/excerpt.py): Zed's markers, regions grown from the caret by Zed's
token budgets, refusals."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from collector.export.edits.base.bursts import Burst
from collector.export.edits.excerpt import (
    CURSOR,
    MAX_REGION_CHARS,
    REGION_END,
    REGION_START,
    REWRITE_TOKENS,
    START_OF_FILE,
    Excerpt,
    excerpt,
    tokens,
)
from collector.text.positions import content_of, split_lines, to_index
from schemas.common import PositionEncoding
from tests.examples import examples


def burst(before: str, after: str, caret: tuple[int, int] | None, path: str = "src/m.py") -> Burst:
    return Burst(path, 3, 9, 100, 900, before, caret, "cursor", edits=7, after=after)


def region(text: str) -> str:
    return text.split("<|editable_region_start|>\n")[1].split("\n<|editable_region_end|>")[0]


def test_a_small_file_is_all_editable_and_starts_with_the_start_of_file_marker() -> None:
    made = excerpt(burst("def f():\n    return 1\n", "def f():\n    return 42\n", (1, 11)), "utf-16")
    assert made == Excerpt(
        "```src/m.py\n<|start_of_file|>\n<|editable_region_start|>\n"
        "def f():\n    return <|user_cursor_is_here|>1\n\n<|editable_region_end|>\n```",
        "```src/m.py\n<|start_of_file|>\n<|editable_region_start|>\n"
        "def f():\n    return 42\n\n<|editable_region_end|>\n```")


def test_the_regions_grow_from_the_caret_by_zeds_token_budgets() -> None:
    lines = [f"{n:02} " + "x" * 26 for n in range(100)]  # 29 bytes and a LF: 9 tokens a line
    before = "\n".join(lines) + "\n"
    after = before.replace("50 x", "50 changed x")
    made = excerpt(burst(before, after, (50, 3)), "utf-8")
    assert isinstance(made, Excerpt)
    # 350 tokens: 39 lines taken one above, one below, the 39th leaving 350 - 39 * 9 < 0; then 150: 17
    assert region(made.input).count("\n") + 1 == 1 + 39
    assert made.input.startswith("```src/m.py\n" + lines[50 - 20 - 9] + "\n")
    assert "\n" + REGION_START + "\n" + lines[50 - 20] + "\n" in made.input
    assert made.input.endswith("\n" + lines[50 + 19 + 8] + "\n```")
    assert "50 <|user_cursor_is_here|>x" in made.input and "50 changed x" in made.output
    assert START_OF_FILE not in made.input
    grown = [line for line in region(made.input).split("\n") if CURSOR not in line]
    assert sum(map(tokens, grown)) - tokens(grown[-1]) < REWRITE_TOKENS <= sum(map(tokens, grown))


def test_a_change_the_region_around_the_caret_does_not_hold_is_no_example() -> None:
    lines = [f"{n:02} " + "x" * 26 for n in range(100)]
    before = "\n".join(lines) + "\n"
    after = before.replace("90 x", "90 changed x")
    assert excerpt(burst(before, after, (10, 0)), "utf-8") == "a change outside the editable region"
    assert excerpt(burst(before, after, None), "utf-8") == "no known caret"


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
    assert excerpt(burst("x\n", "y" * (MAX_REGION_CHARS + 1) + "\n", (0, 0)), "utf-16") == "too large"
    assert excerpt(burst("x\n", "y" * 9000 + "\n", (0, 0)), "utf-16") == "too large"
    assert excerpt(burst("x\n", "y\n", (0, 0), path="a\n```\nfake.py"), "utf-16") == "an unprintable path"


def reference(burst: Burst, encoding: PositionEncoding) -> Excerpt | str:
    """The excerpt made by splitting whole files into lines, Zed's `expand_range` written out."""
    if burst.before == burst.after:
        return "no change"
    if burst.caret is None:
        return "no known caret"
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

    def grow(start: int, end: int, budget: int) -> tuple[int, int]:
        while True:
            grown = False
            if budget > 0 and start > 0:
                start, grown = start - 1, True
                budget = max(0, budget - len(old[start].encode()) // 3)
            if budget > 0 and end < len(old):
                end, grown = end + 1, True
                budget = max(0, budget - len(old[end - 1].encode()) // 3)
            if not grown:
                return start, end

    start, end = grow(caret_line, caret_line + 1, 350)
    first, last = grow(start, end, 150)
    new_end = len(new) - (len(old) - end)
    if same_head < start or same_tail < len(old) - end or new_end <= start:
        return "a change outside the editable region"
    region_new = "\n".join(new[start:new_end])
    if len(region_new) > MAX_REGION_CHARS:
        return "too large"
    marked = old[start:end]
    row = caret_line - start
    marked[row] = marked[row][:caret_column] + CURSOR + marked[row][caret_column:]
    opening = f"```{burst.path}\n" + (f"{START_OF_FILE}\n" if first == 0 else "")
    before = opening + "".join(line + "\n" for line in old[first:start]) + REGION_START + "\n"
    after = "\n" + REGION_END + "".join("\n" + line for line in old[end:last]) + "\n```"
    return Excerpt(before + "\n".join(marked) + after, before + region_new + after)


pieces = st.lists(st.sampled_from(["a", "b", "\n", "\r\n", "\r", "😀", "xyz\n", "w" * 90 + "\n"]),
                  max_size=40).map("".join)


@settings(derandomize=True, database=None, max_examples=examples(400), deadline=None)
@given(pieces, pieces, st.integers(0, 30), st.integers(0, 6), st.sampled_from(["utf-8", "utf-16", "utf-32"]))
def test_the_excerpt_is_the_one_made_by_splitting_whole_files(
        before: str, after: str, line: int, character: int, encoding: PositionEncoding) -> None:
    made = burst(before, after, (line, character))
    assert excerpt(made, encoding) == reference(made, encoding)
