"""What an agent's tool said it changed (collector/sources/agents/patches.py), found in the file it left:
Claude Code's structuredPatch where it says, a Codex patch where Codex would have applied it."""

from __future__ import annotations

from collector.sources.agents.patches import chunks_of, replaced
from collector.sources.agents.payloads import _sections

NINE = "import os\n\n\ndef five():\n    return 5\n\n\ndef nine():\n    return 9\n"
AFTER = NINE.replace("return 5", "return 5 * 11")


def runs(reported: object, after: str) -> tuple[list[tuple[int, int, int, int]], int] | None:
    chunks = chunks_of(reported)
    found = None if chunks is None else replaced(chunks, after)
    return None if found is None else (found.runs, found.chars)


def test_claude_code_s_structured_patch_gives_the_lines_it_replaced_and_the_characters_inserted() -> None:
    hunks = [{"oldStart": 2, "oldLines": 7, "newStart": 2, "newLines": 7, "lines": [
        " ", " ", " def five():", "-    return 5", "+    return 5 * 11", " ", " ", " def nine():"]}]
    assert runs(hunks, AFTER) == ([(5, 1, 5, 1)], 5)
    assert runs(hunks, NINE) is None  # another text than the one the tool left: nothing is said
    assert runs([], AFTER) is None  # (a Write that created its file reports no hunk)
    assert runs([{"oldStart": 1}], AFTER) is None


def test_hunks_further_down_count_from_the_new_text_and_insertions_have_no_old_lines() -> None:
    after = "a\nNEW\nb\nc\nd\nE\n"
    hunks = [{"oldStart": 1, "oldLines": 2, "newStart": 1, "newLines": 3, "lines": [" a", "+NEW", " b"]},
             {"oldStart": 4, "oldLines": 1, "newStart": 5, "newLines": 2, "lines": [" d", "-e", "+E"]}]
    assert runs(hunks, after) == ([(2, 0, 2, 1), (5, 1, 6, 1)], 5)


def test_a_codex_patch_is_found_where_codex_applied_it() -> None:
    section = "*** Update File: app.py\n@@\n-    return 5\n+    return 5 * 11"
    assert runs(section, AFTER) == ([(5, 1, 5, 1)], 5)
    # its context line names the function: the second `return 1` is the one changed
    twice = "def a():\n    return 1\n\n\ndef b():\n    return 2\n"
    section = "*** Update File: app.py\n@@ def b():\n-    return 1\n+    return 2"
    assert runs(section, twice) == ([(6, 1, 6, 1)], 1)
    # where Codex found its old lines, not the first place its new lines are now
    already = "x = 2\ny = 0\nx = 2\n"  # line 3's `x = 1` became `x = 2` (line 1 held `x = 2` before)
    assert runs("*** Update File: f\n@@\n y = 0\n-x = 1\n+x = 2", already) == ([(3, 1, 3, 1)], 1)
    # `x = 1` on line 1 or on line 2 became `x = 2`: which one, nothing tells
    assert runs("*** Update File: f\n@@\n-x = 1\n+x = 2", "x = 2\nx = 2\n") is None


def test_lines_a_run_puts_back_as_they_were_are_not_its_own() -> None:
    """Issue 90: Codex's `-b=2 +LIMIT = 10 +b=2` adds a line before `b=2`, which was already in the file;
    at a run's start and end alike, and a run that puts every line back is none."""
    after = "a=1\nLIMIT = 10\nb=2\n"
    assert runs("*** Update File: f\n@@\n-b=2\n+LIMIT = 10\n+b=2", after) == ([(2, 0, 2, 1)], 11)
    assert runs("*** Update File: f\n@@\n-a=1\n+a=1\n+LIMIT = 10", after) == ([(2, 0, 2, 1)], 11)
    assert runs("*** Update File: f\n@@\n-a=1\n-x\n-b=2\n+a=1\n+LIMIT = 10\n+b=2", after) == (
        [(2, 1, 2, 1)], 10)
    assert runs("*** Update File: f\n@@\n-a=1\n+a=1", after) is None
    hunks = [{"oldStart": 1, "oldLines": 2, "newStart": 1, "newLines": 3, "lines": [
        "-a=1", "-b=2", "+a=1", "+LIMIT = 10", "+b=2"]}]
    assert runs(hunks, after) == ([(2, 0, 2, 1)], 11)


def test_codex_chunks_added_files_and_ends() -> None:
    after = "a\nB\nc\nd\ne\nF\n"
    section = "*** Update File: f\n@@\n a\n-b\n+B\n@@\n e\n-f\n+F\n*** End of File"
    assert runs(section, after) == ([(2, 1, 2, 1), (6, 1, 6, 1)], 2)
    assert runs("*** Add File: g\n+one\n+two", "one\ntwo\n") == ([(1, 0, 1, 2)], 8)
    assert runs("*** Update File: f\n@@\n+tail", "a\ntail\n") == ([(2, 0, 2, 1)], 5)  # added at the end
    assert runs("*** Update File: f\n@@\n-gone", "a\n") is None  # a deletion Codex gives no place for
    assert runs("*** Update File: f\n@@\n-a\n+b", "a\rb\r") is None  # a CR alone: the replay's lines differ


def test_a_codex_patch_is_split_by_the_file_each_part_leaves() -> None:
    patch = ("*** Begin Patch\n*** Update File: a.py\n*** Move to: b.py\n@@\n-x\n+y\n*** Delete File: c.py\n"
             "*** Add File: d.py\n+new\n*** End Patch")
    assert _sections(patch) == {"b.py": "*** Update File: a.py\n@@\n-x\n+y",
                                "d.py": "*** Add File: d.py\n+new"}


def test_an_acp_diff_s_texts_give_the_lines_that_differ() -> None:
    assert runs({"old": NINE, "new": AFTER}, AFTER) == ([(5, 1, 5, 1)], 5)
    assert runs({"old": None, "new": "a\nb\n"}, "a\nb\n") == ([(1, 0, 1, 2)], 4)
    assert runs({"old": "a\nb\nc\n", "new": "a\nc\n"}, "a\nc\n") == ([(2, 1, 2, 0)], 0)
    assert runs({"old": NINE, "new": AFTER}, NINE) is None
    # only the part replaced (Zed's Claude Code adapter sends an Edit's strings): found in the file
    assert runs({"old": "    return 5", "new": "    return 5 * 11"}, AFTER) == ([(5, 1, 5, 1)], 5)
    assert runs({"old": "x = 1", "new": "x = 2"}, "x = 2\nx = 2\n") is None  # which one, nothing tells


def test_the_text_without_the_tool_s_hunks_puts_their_old_lines_back_wherever_they_are() -> None:
    """Issue 86: a change holding a tool's hunks and another writer's lines is split at the text without the
    hunks; a text that does not hold them, or a pure deletion (no place), gives None."""
    from collector.sources.agents.patches import unapplied

    codex = chunks_of("*** Update File: app.py\n@@\n def five():\n-    return 5\n+    return 5 * 11\n")
    claude = chunks_of([{"oldStart": 4, "oldLines": 2, "newStart": 4, "newLines": 2,
                         "lines": [" def five():", "-    return 5", "+    return 5 * 11"]}])
    assert codex is not None and claude is not None
    mine = "# mine\n" + AFTER  # her line above: Claude Code's line numbers no longer fit, its lines still do
    for chunks in (codex, claude):
        assert unapplied(chunks, AFTER) == NINE
        assert unapplied(chunks, mine) == "# mine\n" + NINE
        assert unapplied(chunks, NINE) is None
        assert unapplied(chunks, AFTER.replace("\n", "\r\n")) == NINE.replace("\n", "\r\n")
    deletion = chunks_of("*** Update File: app.py\n@@\n-    return 5\n")
    assert deletion is not None and unapplied(deletion, AFTER) is None
