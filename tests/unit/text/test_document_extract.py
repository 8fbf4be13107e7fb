"""`Document.extract`: what a change replaces, as character offsets into the text before it, checked
against the text itself over random edits (typing on, line breaks, CRLF, non-BMP characters, long lines)
in each position encoding."""

from __future__ import annotations

import random

import pytest

from collector.text.document import Document
from collector.text.positions import split_lines, to_index
from schemas.common import PositionEncoding
from schemas.steps.base import Range
from tests.structs import make

PIECES = ["a", "b", " ", "x = 1", "\n", "\r\n", "😀", "é", "    ", "def f():\n    return 2\n", "\r"]


def at(line: int, character: int, end_line: int, end_character: int) -> Range:
    return make(Range, {"start": {"line": line, "character": character},
                        "end": {"line": end_line, "character": end_character}})


def offset(text: str, line: int, character: int, encoding: PositionEncoding) -> int:
    """An LSP position as an index into `text`, clamped as LSP clamps it (the slow, obvious way)."""
    lines = split_lines(text)
    if line >= len(lines):
        return len(text)
    start = sum(map(len, lines[:line]))
    content = lines[line].rstrip("\r\n") if not lines[line].endswith("\r\n") else lines[line][:-2]
    return start + to_index(content, character, encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
@pytest.mark.parametrize("chunk", [8, 4096])
def test_extract_gives_the_offsets_and_the_text_a_change_replaces(encoding: PositionEncoding,
                                                                   chunk: int) -> None:
    rng = random.Random(f"{encoding}{chunk}")
    doc = type("Small", (Document,), {"__slots__": (), "chunk": chunk})("", encoding)  # long lines early
    typing = (0, 0)
    for _ in range(3000):
        text = doc.text
        lines = max(1, len(split_lines(text)))
        if rng.random() < 0.5:  # typing on where the last insert ended, or at a random place
            line, character = typing if rng.random() < 0.7 else (rng.randrange(lines + 1), rng.randrange(12))
            end_line, end_character = line, character
        else:
            line, character = rng.randrange(lines + 1), rng.randrange(12)
            end_line, end_character = rng.randrange(lines + 1), rng.randrange(12)
        inserted = rng.choice(PIECES) if rng.random() < 0.8 else ""
        change = at(line, character, end_line, end_character)
        start, end, deleted = doc.extract(change)
        first = offset(text, line, character, encoding)
        last = offset(text, end_line, end_character, encoding)
        first, last = min(first, last), max(first, last)
        if text[first - 1:first + 1] != "\r\n" and text[last - 1:last + 1] != "\r\n":  # (inside a CRLF: LSP
            assert (start, end, deleted) == (first, last, text[first:last])         # leaves it undefined)
        doc.apply(change, inserted)
        if rng.random() < 0.2:  # a change nobody asked `extract` about (as a step's later changes are)
            doc.apply(at(rng.randrange(lines), 0, rng.randrange(lines), 3), rng.choice(PIECES))
        typing = (line, character + len(inserted)) if inserted.isascii() and "\n" not in inserted else (0, 0)
    assert doc.extract(None) == (0, len(doc.text), doc.text)
