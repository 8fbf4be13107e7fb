"""A whole-text change narrowed to one ranged change (collector/text/narrow.py): applied to the text
before, it makes the text after, byte for byte, in every position encoding; it is the smallest such change,
put first in a run of repeated characters, and never cuts a CR from its LF."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from collector.text.document import Document
from collector.text.narrow import narrowed, narrowed_span
from schemas.common import PositionEncoding

ENCODINGS: tuple[PositionEncoding, ...] = ("utf-8", "utf-16", "utf-32")
PIECES = st.sampled_from(["a", "é", "中", "😀", "\n", "\r\n", "\r", " ", "x = 1", "\n\n\n"])


def replayed(before: str, after: str, encoding: PositionEncoding) -> str:
    change = narrowed(before, after)
    document = Document(before, encoding)
    document.apply_span(narrowed_span(before, change, encoding), after[change.start : change.after_end])
    return document.text


@settings(max_examples=300)
@given(st.lists(PIECES, max_size=30), st.lists(PIECES, max_size=30), st.sampled_from(ENCODINGS))
def test_the_narrowed_change_makes_the_text_after(
    before: list[str], after: list[str], encoding: PositionEncoding
) -> None:
    assert replayed("".join(before), "".join(after), encoding) == "".join(after)


@settings(max_examples=300)
@given(
    st.lists(PIECES, max_size=30),
    st.integers(0, 30),
    st.integers(0, 5),
    st.lists(PIECES, max_size=4),
    st.sampled_from(ENCODINGS),
)
def test_one_edit_in_a_document_narrows_to_no_more_than_that_edit(
    pieces: list[str], at: int, removed: int, typed: list[str], encoding: PositionEncoding
) -> None:
    before = "".join(pieces)
    at = min(at, len(before))
    end = min(at + removed, len(before))
    after = before[:at] + "".join(typed) + before[end:]
    change = narrowed(before, after)
    assert change.before_end - change.start <= end - at + 2  # (a CR kept with its LF, at either end)
    assert replayed(before, after, encoding) == after


def test_typing_is_a_ranged_insertion_at_the_caret_counted_in_the_encoding() -> None:
    before, after = "x = '😀'\nprint(x)\n", "x = '😀'\nprint(xy)\n"
    change = narrowed(before, after)
    assert after[change.start : change.after_end] == "y"
    assert narrowed_span(before, change, "utf-16") == (1, 7, 1, 7)
    before, after = "s = '😀'", "s = '😀!'"
    change = narrowed(before, after)
    assert [narrowed_span(before, change, e) for e in ENCODINGS] == [(0, 9, 0, 9), (0, 7, 0, 7), (0, 6, 0, 6)]


def test_a_deletion_over_lines_has_its_end_on_the_line_it_ends() -> None:
    before, after = "a\nbb\ncc\nd\n", "a\nbc\nd\n"
    change = narrowed(before, after)
    assert (before[change.start : change.before_end], after[change.start : change.after_end]) == ("b\nc", "")
    assert narrowed_span(before, change, "utf-16") == (1, 1, 2, 1)


def test_a_line_break_typed_after_a_blank_line_goes_first_in_the_run() -> None:
    before, after = "x\n\n\ny\n", "x\n\n\n\ny\n"
    change = narrowed(before, after)
    assert (change.start, change.before_end, change.after_end) == (1, 1, 2)  # right after `x`


def test_a_cut_never_falls_between_cr_and_lf() -> None:
    before, after = "a\r\nb", "a\rX\nb"
    change = narrowed(before, after)
    assert before[change.start - 1 : change.start] != "\r" or before[change.start] != "\n"
    assert replayed(before, after, "utf-16") == after
    before, after = "a\r\nb", "a\nb"
    change = narrowed(before, after)
    assert replayed(before, after, "utf-16") == after


def test_equal_texts_narrow_to_an_empty_change() -> None:
    change = narrowed("same\n", "same\n")
    assert change.start == change.before_end == change.after_end
    assert replayed("same\n", "same\n", "utf-8") == "same\n"
