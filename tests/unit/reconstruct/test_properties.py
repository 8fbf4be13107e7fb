"""Reconstruction equals a naive reference model, for random edits in all three position encodings.

The model keeps the whole text as one string and recomputes every offset from scratch on each change,
with LSP's rules written out independently of collector/text/positions.py: lines end at CRLF, CR or LF; a
character offset counts code units of the encoding; a line past the end means the end of the document;
an offset past the end of a line means the end of that line (before its break); an offset inside a
multi-unit character means its start; a reversed range is read start-first.

A document keeps lines longer than its `chunk` in pieces; `SmallChunks` makes that 4 characters, so
short random texts exercise edits inside, across and around pieces of long lines.
"""

from __future__ import annotations

import re
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collector.reconstruct.workspace import LINE_COST, Workspace
from collector.text.document import Document
from schemas.common import PositionEncoding
from schemas.steps import EditStep, OpenStep
from schemas.steps.base import Range
from tests.examples import examples
from tests.structs import make

ENCODINGS: tuple[PositionEncoding, ...] = ("utf-8", "utf-16", "utf-32")
BREAK = re.compile(r"\r\n|\r|\n")
PROFILE = settings(derandomize=True, database=None, deadline=None, max_examples=examples(400),
                   suppress_health_check=[HealthCheck.too_slow])

# -- the reference model --------------------------------------------------------------------------


def width(ch: str, encoding: PositionEncoding) -> int:
    if encoding == "utf-8":
        return len(ch.encode("utf-8"))
    if encoding == "utf-16":
        return len(ch.encode("utf-16-le")) // 2
    return 1


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end of content) of every line; the last line has no break and may be empty."""
    spans, start = [], 0
    for match in BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    return [*spans, (start, len(text))]


def offset(text: str, line: int, character: int, encoding: PositionEncoding) -> int:
    spans = line_spans(text)
    if line >= len(spans):
        return len(text)
    start, end = spans[line]
    units = 0
    for index in range(start, end):
        units += width(text[index], encoding)
        if units > character:
            return index
    return end


def model_apply(text: str, change: tuple[tuple[int, int, int, int] | None, str],
                encoding: PositionEncoding) -> str:
    where, new = change
    if where is None:
        return new
    a = offset(text, where[0], where[1], encoding)
    b = offset(text, where[2], where[3], encoding)
    a, b = min(a, b), max(a, b)
    return text[:a] + new + text[b:]


# -- strategies ------------------------------------------------------------------------------------

PIECES = ["a", "b", "xyz", " ", "\t", "é", "€", "ß", "😀", "𝄞", "👩\u200d💻", "\u200d", "\r", "\n", "\r\n"]
texts = st.lists(st.sampled_from(PIECES), max_size=24).map("".join)
ranges = st.tuples(st.integers(0, 8), st.integers(0, 14), st.integers(0, 8), st.integers(0, 14))
change_lists = st.lists(st.tuples(st.one_of(st.just(None), ranges, ranges, ranges, ranges), texts),
                        min_size=1, max_size=14)


def lsp_range(where: tuple[int, int, int, int] | None) -> Range | None:
    if where is None:
        return None
    return make(Range, {"start": {"line": where[0], "character": where[1]},
                                 "end": {"line": where[2], "character": where[3]}})


def fresh_lines(text: str) -> list[str]:
    spans = line_spans(text)
    ends = [start for start, _ in spans[1:]] + [len(text)]
    return [text[start:end] for (start, _), end in zip(spans, ends, strict=True)]


def model_position(text: str, line: int, character: int, encoding: PositionEncoding) -> tuple[int, int]:
    """Where a change at (line, character) lands, as a clamped position counted in code units."""
    spans = line_spans(text)
    at = offset(text, line, character, encoding)
    line = min(line, len(spans) - 1)
    return line, sum(width(ch, encoding) for ch in text[spans[line][0] : at])


class SmallChunks(Document):
    """Lines of more than 4 characters held in pieces of 2 to 4."""

    chunk = 4


LONG_PIECES = [*PIECES, "abcdefghij", "é€ß😀𝄞éé", "😀😀😀😀😀"]
long_texts = st.lists(st.sampled_from(LONG_PIECES), max_size=30).map("".join)
long_ranges = st.tuples(st.integers(0, 4), st.integers(0, 60), st.integers(0, 4), st.integers(0, 60))
long_change_lists = st.lists(st.tuples(st.one_of(st.just(None), long_ranges, long_ranges, long_ranges,
                                                 long_ranges), long_texts), min_size=1, max_size=14)


# -- properties --------------------------------------------------------------------------------------


@PROFILE
@given(encoding=st.sampled_from(ENCODINGS), initial=texts, edits=change_lists)
def test_document_matches_the_reference_model(encoding: PositionEncoding, initial: str,
                                              edits: list[Any]) -> None:
    doc = Document(initial, encoding)
    expected = initial
    for where, new in edits:
        doc.apply(lsp_range(where), new)
        expected = model_apply(expected, (where, new), encoding)
        assert doc.text == expected
        assert doc.lines == fresh_lines(expected)  # no stale split: a CR next to an LF is one break
        assert doc.size == len(expected)


@PROFILE
@given(encoding=st.sampled_from(ENCODINGS), initial=texts, steps=st.lists(change_lists, max_size=5))
def test_workspace_replays_edit_steps_like_the_model(encoding: PositionEncoding, initial: str,
                                                     steps: list[list[Any]]) -> None:
    workspace = Workspace(encoding)
    workspace.apply(OpenStep(t_ms=0, source="bridge", path="a.txt", text=initial))
    expected = initial
    for t_ms, step_changes in enumerate(steps, start=1):
        edit = make(EditStep, {"t_ms": t_ms, "source": "bridge", "path": "a.txt", "changes": [
            {"text": new} if where is None else {"range": lsp_range(where), "text": new}
            for where, new in step_changes]})
        workspace.apply(edit)
        for change in step_changes:
            expected = model_apply(expected, change, encoding)
        assert workspace.text("a.txt") == expected
        on_disk = len(initial) + LINE_COST  # the text as opened, until a save
        assert workspace.weight == len(expected) + LINE_COST * len(fresh_lines(expected)) + on_disk


def test_the_model_itself_follows_lsp_on_known_cases() -> None:
    text = "a😀b\r\nc\rd\n"
    assert offset(text, 0, 3, "utf-16") == 2  # after the emoji (two units)
    assert offset(text, 0, 2, "utf-16") == 1  # inside the emoji: its start
    assert offset(text, 0, 5, "utf-8") == 2 and offset(text, 0, 2, "utf-32") == 2
    assert offset(text, 0, 99, "utf-16") == 3  # end of the line, before its CRLF
    assert offset(text, 1, 0, "utf-16") == 5 and offset(text, 2, 1, "utf-16") == 8
    assert offset(text, 9, 0, "utf-16") == len(text)
    assert model_apply("x\ry", ((1, 0, 1, 1), "\n"), "utf-16") == "x\r\n"


@PROFILE
@given(encoding=st.sampled_from(ENCODINGS), initial=long_texts, edits=long_change_lists)
def test_long_lines_held_in_pieces_match_the_reference_model(encoding: PositionEncoding, initial: str,
                                                            edits: list[Any]) -> None:
    doc = SmallChunks(initial, encoding)
    expected = initial
    for where, new in edits:
        if where is not None:
            assert doc.position(where[0], where[1]) == model_position(expected, where[0], where[1], encoding)
        doc.apply(lsp_range(where), new)
        expected = model_apply(expected, (where, new), encoding)
        assert doc.text == expected
        assert list(doc.lines) == fresh_lines(expected)
        assert doc.lines == fresh_lines(expected) and len(doc.lines) == len(fresh_lines(expected))
        assert doc.size == len(expected)
    copy = doc.copy()
    copy.apply(lsp_range((0, 0, 1 << 20, 0)), "")  # everything
    assert copy.text == "" and doc.text == expected  # a copy shares no piece list with its original


TYPED = ["a", "b", "xyz", " ", "\t", "é", "😀", "\n", ""]  # the last four end a typing run
ascii_texts = st.lists(st.sampled_from(["a", "b", "xyz", " ", "\t", "\n", "\r\n"]), max_size=24).map("".join)
bursts = st.tuples(st.integers(0, 4), st.integers(0, 8), st.lists(st.sampled_from(TYPED), min_size=1,
                                                                  max_size=12))
typing_sessions = st.lists(st.one_of(bursts.map(lambda burst: ("type", burst)),
                                     change_lists.map(lambda changes: ("edit", changes)),
                                     st.just(("read", None)), st.just(("copy", None))), max_size=8)


def typed_on(text: str, line: int, character: int, piece: str,
             encoding: PositionEncoding) -> tuple[int, int]:
    """Where the caret is after typing `piece` at (line, character) of `text`: the next edit types there."""
    line, units = model_position(text, line, character, encoding)
    if piece == "\n":
        return line + 1, 0
    return line, units + sum(width(ch, encoding) for ch in piece)


@PROFILE
@given(encoding=st.sampled_from(ENCODINGS), initial=st.one_of(ascii_texts, texts), session=typing_sessions)
def test_typing_one_edit_at_a_time_matches_the_reference_model(encoding: PositionEncoding, initial: str,
                                                               session: list[Any]) -> None:
    """Typing goes on where the edit before ended: the document takes such an edit without rebuilding the
    line (Document.type_on), and puts what was typed in the line when anything reads it or edits elsewhere;
    reads, copies and other edits come between."""
    doc = Document(initial, encoding)
    expected = initial
    for what, value in session:
        if what == "type":
            line, character, pieces = value
            for piece in pieces:
                where = (line, character, line, character)
                work = doc.apply(lsp_range(where), piece)
                line, character = typed_on(expected, line, character, piece, encoding)
                expected = model_apply(expected, (where, piece), encoding)
                assert doc.size == len(expected)  # (kept as it goes, without putting the text in the line)
                assert work >= len(piece)
        elif what == "edit":
            for where, new in value:
                doc.apply(lsp_range(where), new)
                expected = model_apply(expected, (where, new), encoding)
        elif what == "read":
            assert doc.text == expected
        else:
            copy = doc.copy()
            assert copy.text == expected
    assert doc.text == expected
    assert doc.lines == fresh_lines(expected)
    assert doc.line_count == len(fresh_lines(expected)) and doc.size == len(expected)


@PROFILE
@given(encoding=st.sampled_from(ENCODINGS), initial=st.one_of(ascii_texts, texts), session=typing_sessions)
def test_typing_counts_the_memory_and_work_that_applying_each_edit_would(
        encoding: PositionEncoding, initial: str, session: list[Any]) -> None:
    """A workspace that takes typing on (Document.type_on) has after every edit the weight and the work of
    one that applies every edit in full, and ends with the same text."""
    fast, full = Workspace(encoding), Workspace(encoding)
    t_ms = 0
    for workspace in (fast, full):
        workspace.apply(OpenStep(t_ms=0, source="bridge", path="a.txt", text=initial))
    expected = initial
    for what, value in session:
        if what != "type":
            continue
        line, character, pieces = value
        for piece in pieces:
            t_ms += 1
            where = (line, character, line, character)
            edit = make(EditStep, {"t_ms": t_ms, "source": "bridge", "path": "a.txt",
                                   "changes": [{"range": lsp_range(where), "text": piece}]})
            fast.apply(edit)
            with mock.patch.object(Document, "type_on", lambda self, range_, text: None):
                full.apply(edit)  # every edit applied in full: nothing taken on as typing
            line, character = typed_on(expected, line, character, piece, encoding)
            expected = model_apply(expected, (where, piece), encoding)
            assert (fast.weight, fast.work) == (full.weight, full.work)
    assert fast.text("a.txt") == full.text("a.txt") == expected
