"""Long lines in a Document: an edit costs about its own size however long the line, positions in a line of
non-BMP characters count utf-16 units exactly, and readers still see one string per line.

The reference-model properties (tests/unit/reconstruct/test_properties.py) cover edits of every shape with
tiny pieces; these cover real sizes.
"""

from __future__ import annotations

from typing import Any

import pytest

from collector.text.document import Document
from collector.text.longline import CHUNK
from schemas.common import PositionEncoding
from schemas.steps.base import Range
from tests.structs import make

LINE = 1_000_000


def at(line: int, character: int, end_line: int | None = None, end_character: int | None = None) -> Range:
    return make(Range, {"start": {"line": line, "character": character}, "end": {
        "line": line if end_line is None else end_line,
        "character": character if end_character is None else end_character}})


@pytest.mark.parametrize(("encoding", "char", "width"), [
    ("utf-16", "a", 1), ("utf-16", "é", 1), ("utf-16", "😀", 2), ("utf-8", "€", 3), ("utf-32", "😀", 1)])
def test_typing_at_the_end_and_in_the_middle_of_a_huge_line_costs_about_a_piece(
        encoding: PositionEncoding, char: str, width: int) -> None:
    doc = Document(char * LINE + "\nnext", encoding)
    doc.apply(at(0, LINE * width), "!")  # the first lookup counts the whole line once
    costs = [doc.apply(at(0, LINE * width + 1 + i), "x") for i in range(500)]
    costs += [doc.apply(at(0, LINE // 2 * width + i), "y") for i in range(500)]
    assert max(costs) < 3 * CHUNK, max(costs)  # the line is 1,000,000 characters: it was never copied
    content = char * (LINE // 2) + "y" * 500 + char * (LINE - LINE // 2) + "!" + "x" * 500
    assert doc.text == content + "\nnext"
    assert doc.size == len(content) + 5 and doc.lines[1] == "next"


def test_utf16_positions_in_a_long_line_of_non_bmp_characters() -> None:
    doc = Document("😀" * 10_000 + "\r\n", "utf-16")
    assert doc.position(0, 2 * 5_000 + 1) == (0, 2 * 5_000)  # inside a surrogate pair: its start
    assert doc.position(0, 99_999) == (0, 20_000)  # past the end of the line: its end, before the break
    assert doc.position(5, 0) == (1, 0)
    doc.apply(at(0, 2 * 5_000 + 1), "a")
    assert doc.text == "😀" * 5_000 + "a" + "😀" * 5_000 + "\r\n"
    doc.apply(at(0, 2 * 5_000, 0, 2 * 5_000 + 3), "")  # "a" and the emoji after it
    assert doc.text == "😀" * 9_999 + "\r\n"
    doc.apply(at(0, 4), "\n")  # a line break cuts the long line in two
    assert list(doc.lines) == ["😀😀\n", "😀" * 9_997 + "\r\n", ""]


def test_readers_see_each_line_as_one_string() -> None:
    doc = Document("short\n" + "x" * 3 * CHUNK + "\r\nlast", "utf-16")
    lines = doc.lines
    assert len(lines) == 3 and lines[1] == "x" * 3 * CHUNK + "\r\n" and lines[-1] == "last"
    assert lines[0:2] == ["short\n", "x" * 3 * CHUNK + "\r\n"]
    assert list(lines) == ["short\n", "x" * 3 * CHUNK + "\r\n", "last"] == lines
    copied: Any = Document.__new__(Document)  # how the redaction buffer copies a document
    copied.encoding, copied.lines, copied.size = doc.encoding, list(doc.lines), doc.size
    copied.apply(at(1, 1), "y")
    assert copied.text == "short\nx" + "y" + "x" * (3 * CHUNK - 1) + "\r\nlast"
    assert doc.text == "short\n" + "x" * 3 * CHUNK + "\r\nlast"


def test_a_long_line_shrinks_back_to_a_plain_one() -> None:
    doc = Document("ab" * CHUNK, "utf-8")
    doc.apply(at(0, 1, 0, 2 * CHUNK - 1), "")
    assert doc.text == "ab" and doc.lines == ["ab"]
    doc.apply(at(0, 1), "\r" + "c" * 2 * CHUNK)
    doc.apply(at(1, 0), "\n")  # the lone CR before it and this LF become one break
    assert list(doc.lines) == ["a\r\n", "c" * 2 * CHUNK + "b"]
