"""collector/text/linediff.py: every diff, exact or coarse, turns the old text into the new one; small diffs
are difflib's own; the texts that make difflib quadratic are diffed within the budget, and a diff past it is
coarse, never slow."""

from __future__ import annotations

import difflib

from hypothesis import given, settings
from hypothesis import strategies as st

from collector.text.linediff import MAX_LINES, DiffWork, line_diff, shared_prefix, shared_suffix
from tests.examples import examples
from tests.unified import applied


def diff_text(before: str, after: str, work: DiffWork | None = None, context: int = 3) -> tuple[str, bool]:
    made = line_diff(before, after, context, work)
    return "".join(made.parts), made.coarse


texts = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "\n", "a", "x\r\n", "é\n"]), max_size=30).map("".join)


@settings(derandomize=True, database=None, max_examples=examples(300), deadline=None)
@given(texts, texts, st.integers(0, 4))
def test_exact_and_coarse_diffs_both_turn_the_old_text_into_the_new(before: str, after: str,
                                                                     context: int) -> None:
    exact, coarse = diff_text(before, after, context=context)
    assert not coarse
    assert applied(before, exact) == after
    forced, coarse = diff_text(before, after, DiffWork(0), context)
    assert coarse == (before != after)
    assert applied(before, forced) == after
    assert (exact == "") == (before == after) == (forced == "")


@settings(derandomize=True, database=None, max_examples=examples(200), deadline=None)
@given(st.text("ab\n", max_size=40), st.text("ab\n", max_size=40))
def test_shared_ends_are_what_the_texts_share(a: str, b: str) -> None:
    prefix, suffix = shared_prefix(a, b), shared_suffix(a, b)
    assert a[:prefix] == b[:prefix] and (prefix == min(len(a), len(b)) or a[prefix] != b[prefix])
    assert a[len(a) - suffix:] == b[len(b) - suffix:]
    assert suffix == min(len(a), len(b)) or a[-1 - suffix] != b[-1 - suffix]


def test_a_small_diff_is_difflibs_own() -> None:
    before = "".join(f"line {n}\n" for n in range(40))
    after = before.replace("line 7\n", "seven\n").replace("line 30\n", "")
    expected = "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True)))
    assert diff_text(before, after)[0] == expected.split("\n", 2)[2]


def test_the_text_that_makes_difflib_quadratic_costs_its_size_not_its_square() -> None:
    """160,000 lines from 101 distinct ones: difflib alone visits ~1.6e8 pairs of equal lines (a minute);
    here the shared start and end are found first and the one changed line is all difflib sees."""
    lines = [f"line {n % 101}\n" for n in range(160_000)]
    before = "".join(lines)
    lines[80_000] = "changed\n"
    after = "".join(lines)
    work = DiffWork(1_000)
    diff, coarse = diff_text(before, after, work)
    assert not coarse and work.left > 900
    around = [" " + line for line in before.splitlines(True)[79_997:80_004]]
    assert diff == "@@ -79998,7 +79998,7 @@\n" + "".join(around[:3]) + "-line 8\n+changed\n" + \
        "".join(around[4:])


def test_a_diff_past_its_budget_is_coarse_and_still_applies() -> None:
    """Changes near both ends of 40,000 such lines: difflib's first search alone would visit ~1.6e7 pairs;
    past the budget the diff is one hunk replacing every line between the first change and the last."""
    lines = [f"line {n % 101}\n" for n in range(40_000)]
    before = "".join(lines)
    lines[5], lines[-5] = "first\n", "last\n"
    after = "".join(lines)
    work = DiffWork(2_000_000)
    diff, coarse = diff_text(before, after, work)
    assert coarse and work.coarse == 1 and work.left > 1_000_000
    assert applied(before, diff) == after
    assert diff.startswith("@@ -3,39997 +3,39997 @@\n line 2\n line 3\n line 4\n-line 5\n-line 6\n")
    assert diff.endswith("+last\n line 0\n line 1\n line 2\n")
    assert diff_text(before, after, DiffWork(10**9))[1] is False  # with the work it needs: exact


def test_more_lines_between_the_changes_than_difflib_is_given_is_coarse_whatever_the_budget() -> None:
    before = "".join(f"{n}\n" for n in range(MAX_LINES + 10))
    after = "x" + before + "y\n"
    diff, coarse = diff_text(before, after, DiffWork(10**12))
    assert coarse and applied(before, diff) == after
