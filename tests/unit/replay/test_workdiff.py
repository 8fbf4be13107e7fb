"""Unified diffs between two workspace states, and the states at moments of an episode."""

from __future__ import annotations

import pytest

from collector.episode import open_episode
from collector.errors import UsageError
from collector.replay.moment import parse_moment
from collector.replay.workdiff import EMPTY, Files, states_at, unified_diff
from tests.fixtures.make_golden import DIRECTORY, PAGER, PAGER_FIXED


def diff(old: Files, new: Files, context: int = 3) -> str:
    return "".join(unified_diff(old, new, context))


def test_created_changed_and_deleted_files_in_path_order() -> None:
    old = Files({"b.txt": "one\ntwo\nthree\n", "c.txt": "gone\n"}, {})
    new = Files({"a.txt": "new\n", "b.txt": "one\n2\nthree\n"}, {})
    assert diff(old, new) == (
        "--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1 @@\n+new\n"
        "--- a/b.txt\n+++ b/b.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n"
        "--- a/c.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n")
    assert diff(new, new) == "" and diff(EMPTY, EMPTY) == ""


def test_a_last_line_without_a_break_is_marked_as_git_marks_it() -> None:
    assert diff(Files({"a": "x\ny"}, {}), Files({"a": "x\nz\n"}, {})) == (
        "--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+z\n")


def test_lines_end_at_lf_as_git_sees_them_and_crs_are_kept() -> None:
    assert diff(Files({"w": "a\r\nb\rc\r\n"}, {}), Files({"w": "a\r\nB\rc\r\n"}, {})) == (
        "--- a/w\n+++ b/w\n@@ -1,2 +1,2 @@\n a\r\n-b\rc\r\n+B\rc\r\n")


def test_files_recorded_without_content_are_named_not_diffed() -> None:
    old = Files({}, {"img.png": "binary"})
    assert diff(EMPTY, old) == "Files /dev/null and b/img.png differ (binary, content not recorded)\n"
    assert diff(old, EMPTY) == "Files a/img.png and /dev/null differ (binary, content not recorded)\n"
    assert diff(Files({"img.png": "text"}, {}), Files({}, {"img.png": "too_large"})) == \
        "Files a/img.png and b/img.png differ (too large, content not recorded)\n"
    assert diff(old, Files({}, {"img.png": "binary"})) == ""  # nothing says whether it changed


def test_context_lines() -> None:
    old = Files({"f": "".join(f"{n}\n" for n in range(10))}, {})
    new = Files({"f": "".join(f"{n}\n" for n in range(10)).replace("5\n", "five\n")}, {})
    assert diff(old, new, 1) == "--- a/f\n+++ b/f\n@@ -5,3 +5,3 @@\n 4\n-5\n+five\n 6\n"


def test_states_at_steps_times_start_and_end() -> None:
    episode = open_episode(DIRECTORY / "full.ctape")
    at = [parse_moment(text) for text in ("start", "1", "4s", "3", "end", "0")]
    start, opened, at_4s, edited, end, first = states_at(episode, at)
    # before the first step: the files the episode first recorded, as it first recorded them (the notes
    # first appear in a gap's state, the pager when opened; the tests are created during the episode)
    notes = "# Notes\n\nAWS key «redacted:aws-access-key:1»\n"
    assert start == first == Files({"NOTES.md": notes, "src/pager.py": PAGER}, {})
    assert opened.texts == {"NOTES.md": notes, "src/pager.py": PAGER}
    assert at_4s.texts == edited.texts == {"NOTES.md": notes, "src/pager.py": PAGER_FIXED}  # after 3.095 s
    assert sorted(end.texts) == ["NOTES.md", "src/pager.py", "tests/test_paginate.py"] and end.omitted == {}
    with pytest.raises(UsageError, match="step 21 does not exist: the episode has 21 steps"):
        states_at(episode, [parse_moment("21")])
