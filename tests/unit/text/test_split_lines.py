"""split_lines (collector/text/positions.py) breaks lines where LSP does (CRLF, CR, LF) and nowhere else:
its str.splitlines path gives what the regular expression's gives, for texts mixing LSP's line breaks
with the ones str.splitlines alone knows (vertical tab, form feed, the separators \\x1c-\\x1e, NEL,
U+2028, U+2029), characters beyond ASCII and beyond the BMP, and texts ending with a break or not."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from collector.text.positions import LINE_BREAK, split_lines
from tests.examples import examples

BREAKS = ["\n", "\r", "\r\n", "\n\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
TEXTS = st.lists(st.sampled_from([*BREAKS, "a", "bc", "é", "😀", " ", ""]), max_size=30).map("".join)


def _by_the_expression(text: str) -> list[str]:
    lines, start = [], 0
    for match in LINE_BREAK.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    return [*lines, text[start:]]


@settings(derandomize=True, database=None, max_examples=examples(3000))
@given(TEXTS)
def test_lines_break_where_lsp_breaks_them(text: str) -> None:
    assert split_lines(text) == _by_the_expression(text)


def test_named_texts() -> None:
    for text, lines in (("", [""]), ("a", ["a"]), ("a\n", ["a\n", ""]), ("a\r\nb", ["a\r\n", "b"]),
                        ("\r\r\n\n", ["\r", "\r\n", "\n", ""]), ("a\x85b\nc", ["a\x85b\n", "c"]),
                        ("a\u2028b\r", ["a\u2028b\r", ""]), ("\f\n\v", ["\f\n", "\v"])):
        assert split_lines(text) == lines, text
