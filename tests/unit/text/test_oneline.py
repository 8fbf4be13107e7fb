"""one_line (collector/text/oneline.py): whatever a text holds, it is shown on one printable line."""

from __future__ import annotations

from collector.text.oneline import one_line


def test_control_characters_are_shown_escaped() -> None:
    assert one_line("a\x1b[31mb\n") == "a\\x1b[31mb\\n"
    assert one_line("tab\there\r\u2028") == "tab\\there\\r\\u2028"
    assert one_line("plain ä 😀") == "plain ä 😀"


def test_a_limit_cuts_with_an_ellipsis() -> None:
    assert one_line("x" * 100, 10) == "x" * 9 + "…"
    assert one_line("x" * 10, 10) == "x" * 10
    assert one_line("\n" * 10, 10) == "\\n" * 4 + "\\…"  # cut after escaping: the line's length is what shows
    assert one_line("x" * 100) == "x" * 100
