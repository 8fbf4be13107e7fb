"""A text's changes as the lines they changed (collector/text/linediff.py `replacements`, which a format's
edit is recorded as: lsp_bridge/capture/sync.py): applied from the last, in every position encoding, they
make the text after byte for byte; they never touch a line both texts hold unchanged in its place; and
they never cut a CR from its LF."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from collector.text.document import Document
from collector.text.linediff import DiffWork, line_runs, replacements
from collector.text.narrow import Narrowed, narrowed_span, narrowed_spans
from schemas.common import PositionEncoding
from tests.examples import examples

ENCODINGS: tuple[PositionEncoding, ...] = ("utf-8", "utf-16", "utf-32")
PIECES = st.sampled_from(["a", "é", "中", "😀", "\n", "\r\n", "\r", " ", "    ", "x = 1", "\n\n\n", "(", ")"])
LINE = st.text(st.sampled_from("ab( )=1é😀\t"), max_size=12)
# how a formatter respells a line: spaces around, inside, indentation, a trailing comma
RESPELL = st.sampled_from([lambda s: s.strip(), lambda s: "    " + s, lambda s: s.replace(" ", ""),
                           lambda s: s.replace("(", "( "), lambda s: s + ",", lambda s: s + " "])


def replayed(before: str, after: str, encoding: PositionEncoding, work: DiffWork | None = None) -> str:
    """The replacements applied from the last, their ranges counted in one pass (`narrowed_spans`)."""
    document = Document(before, encoding)
    found = replacements(before, after, work)
    wheres = [Narrowed(each.before_start, each.before_end, each.after_end) for each in found]
    spans = narrowed_spans(before, wheres, encoding)
    for each, where in zip(reversed(found), reversed(spans), strict=True):
        document.apply_span(where, after[each.after_start : each.after_end])
    return document.text


@settings(max_examples=examples(500))
@given(st.lists(PIECES, max_size=30), st.lists(PIECES, max_size=30), st.sampled_from(ENCODINGS))
def test_the_replacements_make_the_text_after(before: list[str], after: list[str],
                                              encoding: PositionEncoding) -> None:
    assert replayed("".join(before), "".join(after), encoding) == "".join(after)


@settings(max_examples=examples(500))
@given(st.lists(PIECES, max_size=30), st.lists(PIECES, max_size=30), st.sampled_from(ENCODINGS))
def test_the_ranges_counted_in_one_pass_are_those_counted_one_by_one(
        before: list[str], after: list[str], encoding: PositionEncoding) -> None:
    """`narrowed_spans` counts on from the change before; `narrowed_span` from the start of the text."""
    old, new = "".join(before), "".join(after)
    wheres = [Narrowed(e.before_start, e.before_end, e.after_end) for e in replacements(old, new)]
    assert narrowed_spans(old, wheres, encoding) == [narrowed_span(old, where, encoding) for where in wheres]


@settings(max_examples=examples(500))
@given(st.lists(LINE, min_size=1, max_size=25), st.data(), st.sampled_from(["\n", "\r\n"]))
def test_a_line_left_as_it_was_is_never_touched(lines: list[str], data: st.DataObject, newline: str) -> None:
    """Lines respelt as a formatter does, the others kept: every replacement lies in a respelt line."""
    lines = [f"{line}#{number}" for number, line in enumerate(lines)]  # (each line its own)
    respelt = data.draw(st.sets(st.integers(0, len(lines) - 1)))
    after_lines = [data.draw(RESPELL)(line) if number in respelt else line
                   for number, line in enumerate(lines)]
    before, after = newline.join(lines) + newline, newline.join(after_lines) + newline
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + len(newline))
    for each in replacements(before, after):
        touched = {number for number in range(len(lines))
                   if each.before_start < starts[number + 1] and starts[number] < max(each.before_end,
                                                                                     each.before_start + 1)}
        assert touched <= respelt, (each, touched, respelt)
        assert not (each.before_start and before[each.before_start - 1 : each.before_start + 1] == "\r\n")
        assert not (each.before_end and before[each.before_end - 1 : each.before_end + 1] == "\r\n")
    assert replayed(before, after, "utf-16") == after


def test_over_the_budget_one_replacement_spans_the_changes() -> None:
    """(Where the lines between are as many before as after, they are still paired line by line.)"""
    before = "".join(f"line {n}\n" for n in range(200))
    after = before.replace("line 3\n", "line three\nline 3b\n").replace("line 150\n", "line 150 \n")
    assert len(replacements(before, after)) == 2
    [whole] = replacements(before, after, DiffWork(10))
    assert before[whole.before_start : whole.before_end].startswith("3\n") and replayed(
        before, after, "utf-8", DiffWork(10)) == after


def test_equal_texts_have_none() -> None:
    assert replacements("a\nb\n", "a\nb\n") == []


def lf_lines(text: str) -> list[str]:
    """The lines of `text` as git and an agent's tool count them: each ends at LF."""
    pieces = text.split("\n")
    return [piece + "\n" for piece in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])


@settings(max_examples=examples(500))
@given(st.lists(PIECES, max_size=30), st.lists(PIECES, max_size=30))
def test_the_line_runs_make_the_text_after_from_the_lines_before(before: list[str], after: list[str]) -> None:
    """`line_runs` as a formatter's write's `changed_lines` (lines ending at LF, 1-based): the old lines
    outside the runs, in place, and the new lines of the runs give the text after."""
    old_text, new_text = "".join(before), "".join(after)
    old, new = lf_lines(old_text), lf_lines(new_text)
    made: list[str] = []
    at = 0
    for old_first, old_count, new_first, new_count in line_runs(old_text, new_text):
        assert old_first - 1 >= at and (old_count or new_count)
        made += old[at : old_first - 1]
        assert len(made) == new_first - 1
        made += new[new_first - 1 : new_first - 1 + new_count]
        at = old_first - 1 + old_count
    made += old[at:]
    assert "".join(made) == new_text
