"""Issue 88, item 1: what a commit's content looks like after an amend, a rebase, a cherry-pick or a squash
(fingerprints.py), and the rule that compares it (pushed_content.compare). No process: `git log`'s output
is written here as git writes it."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from collector.upload.fingerprints import (
    Commit,
    every_shingle,
    normalise_message,
    parse_log,
    shingle_hashes,
)
from collector.upload.pushed_content import Fingerprints, Match, added_lines, compare

FIX = "Clamp negative totals in add (ticket 4711)"
LINES = ["def add(a, b):", "    total = a + b", "    if total < 0:", "        total = 0", "    return total"]


def respelled(message: str, space: str, upper: bool, trailers: list[str]) -> str:
    words = message.split(" ")
    text = space.join(word.upper() if upper else word for word in words)
    return f"{space}{text}\n" + ("\n\n" + "\n".join(trailers) if trailers else "")


TRAILERS = ["Signed-off-by: Alice Liddell <a.liddell@acme.example>", "Co-authored-by: Bob <b@acme.example>",
            "Change-Id: I8f0e", "Reviewed-by: Carol <c@acme.example>"]


def test_a_message_respelled_in_whitespace_case_and_trailers_normalises_the_same() -> None:
    plain = normalise_message(FIX)
    assert plain == "clamp negative totals in add (ticket 4711)"
    for space, upper, count in itertools.product([" ", "  ", "\t", " \t "], [False, True], range(4)):
        for trailers in itertools.combinations(TRAILERS, count):
            assert normalise_message(respelled(FIX, space, upper, list(trailers))) == plain


def test_a_cherry_pick_line_and_a_body_are_told_apart() -> None:
    assert normalise_message(f"{FIX}\n\n(cherry picked from commit {'ab' * 20})\n") == normalise_message(FIX)
    with_body = normalise_message(f"{FIX}\n\nNegative sums broke the invoice.\n")
    assert with_body != normalise_message(FIX) and with_body.endswith("negative sums broke the invoice.")
    # a last paragraph that is not all trailers is kept whole
    assert "note: keep" in normalise_message(f"{FIX}\n\nNote: keep it\nsecond line of body\n")


@given(st.lists(st.sampled_from(["", " ", "\t", "  "]), min_size=len(LINES), max_size=len(LINES)),
       st.lists(st.integers(0, len(LINES)), max_size=3))
def test_shingles_ignore_whitespace_and_blank_lines(spaces: list[str], blanks: list[int]) -> None:
    lines = [space + line.replace(" ", space or " ") + space
             for space, line in zip(spaces, LINES, strict=True)]
    for at in sorted(blanks, reverse=True):
        lines.insert(at, spaces[0])
    assert shingle_hashes(lines) == shingle_hashes(LINES)


def test_three_lines_or_more_give_runs_below_that_each_long_line() -> None:
    assert len(shingle_hashes(LINES)) == len(LINES) - 2  # runs of 3
    two = ["    total = max(0, a + b)", "    x = 1"]  # the second has fewer than 12 non-blank characters
    assert len(shingle_hashes(two)) == 1
    assert shingle_hashes(two) <= every_shingle(["before()", *two, "after_this_line()"])  # found in a squash
    assert shingle_hashes(["", "  ", "x = 1"]) == set()


def commit(sha: str, message: str, **added: list[str]) -> Commit:
    return Commit(sha * 40, message, added)


def kept(message: str, *added: list[str]) -> Fingerprints:
    from collector.upload.fingerprints import message_hash, words

    normal = normalise_message(message)
    return Fingerprints([(message_hash(normal), words(normal))],
                        sorted(set[str]().union(*(shingle_hashes(lines) for lines in added))), ["0" * 40])


def test_the_rule_message_of_4_words_message_and_a_shingle_or_a_share_of_lines() -> None:
    mine = kept(FIX, LINES)
    assert compare(mine, [commit("a", FIX + "\n", other=["unrelated()"])]) == [
        Match("a" * 40, True, 0, 3)]  # amended, rebased, cherry-picked: the message alone
    squashed = commit("b", "Invoices", **{"calc.py": [*LINES[:3], "        log(total)", *LINES[3:]]})
    assert compare(mine, [squashed]) == []  # 1 of 3 runs left whole: under the threshold
    assert compare(mine, [squashed], threshold=0.3) == [Match("b" * 40, False, 1, 3)]
    grown = commit("c", "Invoices", **{"calc.py": ["import log", *LINES, "log(add(1, 2))"]})
    assert compare(mine, [grown]) == [Match("c" * 40, False, 3, 3)]

    typo = kept("Fix typo", ["    # Retrun the total"])
    assert compare(typo, [commit("d", "fix  TYPO", **{"calc.py": ["    # Return the sum of both"]})]) == []
    assert compare(typo, [commit("e", "Fix typo", **{"calc.py": ["    # Retrun the total"]})]) == [
        Match("e" * 40, True, 1, 1)]  # 2 words: the message only with a line of its own
    small = kept("Clamp negative totals", ["    if total < 0 and clamp:", "        total = min_total"])
    rewritten = commit("f", "Clamp negative totals", **{"calc.py": ["      total = min_total"]})
    assert compare(small, [rewritten]) == [Match("f" * 40, True, 1, 2)]
    other_fix = commit("g", "Never return a negative total", **{"calc.py": ["    return max(0, a + b)"]})
    assert compare(small, [other_fix]) == [] and compare(mine, [other_fix]) == []


def test_git_log_output_parsed_with_a_line_that_looks_like_a_header() -> None:
    start, part = "\x1ecodetape-commit\x1f", "\x1f"
    text = (f"{start}{'a' * 40}{part}{FIX}\n\nSigned-off-by: A <a@b>\n{part}\n"
            "diff --git a/calc.py b/calc.py\nindex 1..2 100644\n--- a/calc.py\n+++ b/calc.py\n"
            "@@ -1,0 +2,2 @@\n+++ counter\n+    total = 0\n"
            "diff --git a/gone.py b/gone.py\ndeleted file mode 100644\n--- a/gone.py\n+++ /dev/null\n"
            "@@ -1 +0,0 @@\n-x\n"
            f"{start}{'b' * 40}{part}merge\n{part}\n")
    first, second = parse_log(text)
    assert first.sha == "a" * 40 and normalise_message(first.message) == normalise_message(FIX)
    assert first.added == {"calc.py": ["++ counter", "    total = 0"]}
    assert second == Commit("b" * 40, "merge\n", {})


def test_added_lines_are_what_the_final_text_adds() -> None:
    before = "\n".join(LINES[:2] + LINES[4:]) + "\n"
    assert added_lines(before, "\n".join(LINES) + "\n") == LINES[2:4]
    assert added_lines("", "a\nb\n") == ["a", "b"]
    assert Match("a" * 40, True, 2, 5).said() == f"commit {'a' * 12} (its message and 2 of 5 line shingles)"
    assert Match("a" * 40, False, 2, 5).said() == f"commit {'a' * 12} (2 of 5 line shingles)"


def test_a_pushed_message_respelled_still_matches_and_a_shorter_one_needs_a_line() -> None:
    mine = kept(FIX, LINES)
    for space, upper, count in itertools.product([" ", "\t", "   "], [False, True], range(3)):
        for trailers in itertools.combinations(TRAILERS, count):
            message = respelled(FIX, space, upper, list(trailers))
            assert compare(mine, [commit("a", message, other=["unrelated_call(1, 2, 3)"])]) == [
                Match("a" * 40, True, 0, 3)], message
            short = kept("Fix  the typo", ["    # Retrun the total"])  # 3 words
            assert compare(short, [commit("b", respelled("Fix the typo", space, upper, list(trailers)),
                                          other=["    # Return the sum"])]) == []
