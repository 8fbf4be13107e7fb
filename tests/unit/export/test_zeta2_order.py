"""zeta2's diffs as Zed's parser reads them (collector/export/edits/zeta2.py `zed_order`): a hunk whose old
and new texts both end without a line break, parsed by tests/support/zed_udiff.py (a port of udiff.rs)."""

from __future__ import annotations

from collector.export.edits.zeta2 import zed_order
from collector.text.linediff import line_diff
from tests.support.zed_udiff import apply_diff

BEFORE = "a = 1\nb = 2\nUses i"
AFTER = "a = 1\nb = 2\nUses idlelib.S"


def diff(before: str, after: str) -> str:
    return "--- a/f.py\n+++ b/f.py\n" + "".join(line_diff(before, after).parts)


def test_a_last_line_without_a_break_on_both_sides_keeps_none_through_zeds_parser() -> None:
    usual = diff(BEFORE, AFTER)
    assert usual.count("\\ No newline") == 2
    assert apply_diff(usual, {"f.py": BEFORE})["f.py"] == AFTER + "\n"  # Zed takes only the first marker
    ordered = zed_order(usual)
    assert ordered.splitlines()[-4:] == ["+Uses idlelib.S", "\\ No newline at end of file", "-Uses i",
                                         "\\ No newline at end of file"]
    assert apply_diff(ordered, {"f.py": BEFORE})["f.py"] == AFTER


def test_other_hunks_are_left_as_they_are() -> None:
    for before, after in (("a\nb\n", "a\nc\n"), ("a\nb", "a\nb\nc\n"), ("a\nb\n", "a\nb"), ("", "x")):
        made = diff(before, after)
        assert zed_order(made) == made
        assert apply_diff(made, {"f.py": before})["f.py"] == after
    two = diff("x\n" * 20 + "end", "y\n" + "x\n" * 19 + "END")  # two hunks, the second at the end
    first = two.split("@@ -17")[0]
    assert zed_order(two).startswith(first) and zed_order(two) != two  # the first hunk as it was
    assert apply_diff(zed_order(two), {"f.py": "x\n" * 20 + "end"})["f.py"] == "y\n" + "x\n" * 19 + "END"
