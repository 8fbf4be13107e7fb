"""Zeta excerpts (collector/export/excerpt.py): Zed's markers, where the regions start and end, refusals."""

from __future__ import annotations

from collector.export.bursts import Burst
from collector.export.excerpt import CONTEXT, EDIT_MARGIN, MAX_REGION_LINES, Excerpt, excerpt


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
