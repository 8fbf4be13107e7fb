"""Tracked documents: changes applied in the editor's encoding and re-expressed exactly in the others."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collector.text.document import Document
from collector.text.positions import split_lines, to_index, units
from lsp_bridge.documents.tracked import ENCODINGS, TrackedDocument, convert_character, count_units, index_of
from lsp_bridge.errors import OutOfRange
from schemas.common import PositionEncoding
from schemas.steps.base import Position, Range
from schemas.steps.edit import ContentChange
from tests.examples import examples

ROOT = Path("/ws")
ALPHABET = st.sampled_from(list("ab \t\r\né€😀👩‍💻x\n"))


def replay(text: str, changes: list[ContentChange], encoding: PositionEncoding) -> str:
    doc = Document(text, encoding)
    for change in changes:
        doc.apply(change.range, change.text)
    return doc.text


def position_at(text: str, index: int, encoding: PositionEncoding) -> Position:
    lines = split_lines(text[:index])
    return Position(line=len(lines) - 1, character=units(lines[-1], encoding))


def span(start: tuple[int, int], end: tuple[int, int]) -> Range:
    return Range(start=Position(line=start[0], character=start[1]),
                 end=Position(line=end[0], character=end[1]))


def change(start: tuple[int, int], end: tuple[int, int], text: str) -> ContentChange:
    return ContentChange(range=span(start, end), text=text)


@st.composite
def edits(draw: st.DrawFn) -> tuple[str, PositionEncoding, list[tuple[int, int, str]]]:
    text = draw(st.text(ALPHABET, max_size=40))
    encoding = draw(st.sampled_from(ENCODINGS))
    steps = draw(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 5), st.text(ALPHABET, max_size=6)),
                          max_size=8))
    return text, encoding, steps


@settings(max_examples=examples(300))
@given(edits())
def test_variants_replay_to_the_same_text_in_every_encoding(case: tuple[str, PositionEncoding, list]) -> None:
    text, encoding, steps = case
    tracked = TrackedDocument("file:///ws/a.py", ROOT, "a.py", text, encoding)
    applied: list[ContentChange] = []
    variants: dict[str, list[ContentChange]] = {e: [] for e in ENCODINGS}
    current = text
    for start, length, insert in steps:
        # positions on character boundaries (never inside a surrogate pair or a CRLF), as editors send
        start = min(start, len(current))
        end = min(start + length, len(current))
        if 0 < start < len(current) and current[start - 1] == "\r" and current[start] == "\n":
            start -= 1
        if 0 < end < len(current) and current[end - 1] == "\r" and current[end] == "\n":
            end -= 1
        end = max(start, end)
        where = Range(start=position_at(current, start, encoding), end=position_at(current, end, encoding))
        one = ContentChange(range=where, text=insert)
        for other, moved in tracked.apply([one]).items():
            variants[other].append(moved[0])
        for other in ENCODINGS:
            if len(variants[other]) < len(applied) + 1:
                variants[other].append(one)
        applied.append(one)
        current = tracked.text
    for other in ENCODINGS:
        assert replay(text, variants[other] if other != encoding else applied, other) == current


def test_an_emoji_line_gets_variants_and_an_ascii_line_does_not() -> None:
    tracked = TrackedDocument("file:///ws/a.py", ROOT, "a.py", "x = '😀'\nplain\n", "utf-16")
    after_emoji = change((0, 7), (0, 7), "!")
    variants = tracked.apply([after_emoji])
    assert variants["utf-8"][0].range == span((0, 9), (0, 9))
    assert variants["utf-32"][0].range == span((0, 6), (0, 6))
    assert tracked.apply([change((1, 5), (1, 5), "?")]) == {}
    assert tracked.text == "x = '😀!'\nplain?\n"


def test_a_full_change_replaces_the_text_and_has_no_positions_to_convert() -> None:
    tracked = TrackedDocument("file:///ws/a.py", ROOT, "a.py", "é", "utf-8")
    assert tracked.apply([ContentChange(text="new 😀")]) == {}
    assert tracked.text == "new 😀"


def test_a_position_past_the_end_is_refused_before_anything_changes() -> None:
    tracked = TrackedDocument("file:///ws/a.py", ROOT, "a.py", "one\ntwo", "utf-16")
    with pytest.raises(OutOfRange, match="past the end"):
        tracked.apply([change((5, 0), (5, 0), "x")])
    assert tracked.text == "one\ntwo"
    tracked.apply([change((1, 99), (1, 99), "!")])  # past a line end clamps, as LSP says
    assert tracked.text == "one\ntwo!"


@given(st.text(ALPHABET, max_size=20), st.integers(0, 60), st.sampled_from(ENCODINGS))
def test_index_of_agrees_with_the_collectors_reference(line: str, character: int,
                                                      encoding: PositionEncoding) -> None:
    assert index_of(line, character, encoding) == to_index(line, character, encoding)


def test_positions_on_a_five_megabyte_non_ascii_line_are_fast() -> None:
    line = "😀é" + "x" * (5 * 1024 * 1024)
    tracked = TrackedDocument("file:///ws/a.py", ROOT, "a.py", line, "utf-16")
    started = time.process_time()  # CPU: what the conversions cost, not how loaded the machine is
    end = count_units(line, "utf-16")
    for n in range(20):
        variants = tracked.apply([change((0, end + n), (0, end + n), "!")])
        assert variants["utf-8"][0].range.start.character == len(line.encode()) + n
    assert time.process_time() - started < 5
    assert tracked.text == line + "!" * 20


@pytest.mark.parametrize(("line", "character", "source", "target", "expected"), [
    ("a😀b", 3, "utf-16", "utf-8", 5), ("a😀b", 5, "utf-8", "utf-32", 2), ("a😀b", 2, "utf-32", "utf-16", 3),
    ("é", 1, "utf-16", "utf-8", 2), ("ascii", 3, "utf-8", "utf-16", 3), ("a😀b", 2, "utf-16", "utf-8", 1),
])
def test_convert_character(line: str, character: int, source: PositionEncoding, target: PositionEncoding,
                           expected: int) -> None:
    assert convert_character(line, character, source, target) == expected
