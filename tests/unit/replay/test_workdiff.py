"""Unified diffs between two workspace states, in git's form, and the states at moments of an episode.

The expected headers are what git 2.39 writes for the same change (`git -c core.quotePath=false diff -M`
in a scratch repository), blob ids included (`git hash-object`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from collector.episode import open_episode, write_episode_file
from collector.errors import UsageError
from collector.replay.moment import parse_moment
from collector.replay.workdiff import (
    EMPTY,
    Files,
    Renames,
    blob,
    diff_states,
    file_diff,
    quoted,
    states_at,
    unified_diff,
)
from schemas import EpisodeHeader, Step, step_from_dict
from tests.fixtures.make_golden import DIRECTORY, PAGER, PAGER_FIXED


def diff(old: Files, new: Files, context: int = 3, renames: dict[str, str] | None = None) -> str:
    return "".join(unified_diff(old, new, context, renames))


def test_created_changed_and_deleted_files_in_path_order() -> None:
    old = Files({"b.txt": "one\ntwo\nthree\n", "c.txt": "gone\n"}, {})
    new = Files({"a.txt": "new\n", "b.txt": "one\n2\nthree\n"}, {})
    assert diff(old, new) == (
        "diff --git a/a.txt b/a.txt\nnew file mode 100644\nindex 0000000..3e75765\n"
        "--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1 @@\n+new\n"
        "diff --git a/b.txt b/b.txt\nindex 4cb29ea..f04eb26\n"
        "--- a/b.txt\n+++ b/b.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n"
        "diff --git a/c.txt b/c.txt\ndeleted file mode 100644\nindex 286c5f5..0000000\n"
        "--- a/c.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n")
    assert diff(new, new) == "" and diff(EMPTY, EMPTY) == ""


def test_a_last_line_without_a_break_is_marked_as_git_marks_it() -> None:
    assert diff(Files({"a": "x\ny"}, {}), Files({"a": "x\nz\n"}, {})) == (
        "diff --git a/a b/a\nindex 1b32298..206b378\n--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n x\n-y\n"
        "\\ No newline at end of file\n+z\n")


def test_lines_end_at_lf_as_git_sees_them_and_crs_are_kept() -> None:
    assert diff(Files({"w": "a\r\nb\rc\r\n"}, {}), Files({"w": "a\r\nB\rc\r\n"}, {})) == (
        "diff --git a/w b/w\nindex f272997..63d629d\n--- a/w\n+++ b/w\n"
        "@@ -1,2 +1,2 @@\n a\r\n-b\rc\r\n+B\rc\r\n")


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
    assert diff(old, new, 1).split("\n", 2)[2] == "--- a/f\n+++ b/f\n@@ -5,3 +5,3 @@\n 4\n-5\n+five\n 6\n"


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


def test_an_empty_file_created_or_deleted_has_its_header_and_no_hunk() -> None:
    empty = Files({"e": ""}, {})
    assert diff(EMPTY, empty) == "diff --git a/e b/e\nnew file mode 100644\nindex 0000000..e69de29\n"
    assert diff(empty, EMPTY) == "diff --git a/e b/e\ndeleted file mode 100644\nindex e69de29..0000000\n"
    assert diff(empty, empty) == ""
    assert diff(empty, Files({"e": "x"}, {})) == (  # an empty file filled: no newline at its end
        "diff --git a/e b/e\nindex e69de29..c1b0730\n--- a/e\n+++ b/e\n@@ -0,0 +1 @@\n+x\n"
        "\\ No newline at end of file\n")


def test_a_new_file_without_a_last_line_break() -> None:
    assert diff(EMPTY, Files({"t": "x\ny"}, {})) == (
        "diff --git a/t b/t\nnew file mode 100644\nindex 0000000..1b32298\n--- /dev/null\n+++ b/t\n"
        "@@ -0,0 +1,2 @@\n+x\n+y\n\\ No newline at end of file\n")


def test_a_recorded_rename_is_written_as_git_writes_one() -> None:
    kept = diff(Files({"ren.txt": "keep\n"}, {}), Files({"ren2.txt": "keep\n"}, {}),
                renames={"ren.txt": "ren2.txt"})
    assert kept == ("diff --git a/ren.txt b/ren2.txt\nsimilarity index 100%\nrename from ren.txt\n"
                    "rename to ren2.txt\n")
    before, after = "".join(f"{n}\n" for n in range(1, 9)), "".join(f"{n}\n" for n in range(1, 8)) + "X\n"
    changed = diff(Files({"renmod.txt": before}, {}), Files({"renmod2.txt": after}, {}),
                   renames={"renmod.txt": "renmod2.txt"})
    assert changed == (
        "diff --git a/renmod.txt b/renmod2.txt\nsimilarity index 87%\nrename from renmod.txt\n"
        "rename to renmod2.txt\nindex 535d2b0..04dd917\n--- a/renmod.txt\n+++ b/renmod2.txt\n"
        "@@ -5,4 +5,4 @@\n 5\n 6\n 7\n-8\n+X\n")
    # without the episode saying so, a deletion and a creation stay what they are
    assert diff(Files({"ren.txt": "keep\n"}, {}), Files({"ren2.txt": "keep\n"}, {})) == (
        "diff --git a/ren.txt b/ren.txt\ndeleted file mode 100644\nindex 2fa992c..0000000\n"
        "--- a/ren.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-keep\n"
        "diff --git a/ren2.txt b/ren2.txt\nnew file mode 100644\nindex 0000000..2fa992c\n"
        "--- /dev/null\n+++ b/ren2.txt\n@@ -0,0 +1 @@\n+keep\n")


def test_a_rename_the_two_states_do_not_bear_out_is_left_out() -> None:
    old, new = Files({"a": "1\n", "b": "2\n"}, {}), Files({"b": "1\n"}, {})
    assert "rename" not in diff(old, new, renames={"a": "b"})  # b was there at the start
    assert "rename" not in diff(Files({"a": "1\n"}, {}), Files({"a": "1\n", "b": "1\n"}, {}),
                                renames={"a": "b"})  # a is still there
    assert "rename" not in diff(Files({}, {"a": "binary"}), Files({}, {"b": "binary"}), renames={"a": "b"})
    assert diff(Files({"a": "1\n"}, {}), EMPTY, renames={"a": "b"}).startswith("diff --git a/a b/a\ndeleted")


def test_renames_between_two_steps_follow_chains_and_go_backwards() -> None:
    renames = Renames([(1, "x", "y"), (3, "y", "z"), (5, "p", "q")])
    assert renames.between(-1, 10) == {"x": "z", "p": "q"}
    assert renames.between(1, 4) == {"y": "z"} and renames.between(0, 2) == {"x": "y"}
    assert renames.between(10, -1) == {"z": "x", "q": "p"} and renames.between(4, 2) == {"z": "y"}
    assert renames.between(2, 2) == {} and renames.between(5, 10) == {}
    # a file that comes back where it was is no rename; a file created or deleted on the way ends the chain
    assert Renames([(1, "a", "b"), (2, "b", "a")]).between(-1, 2) == {}
    assert Renames([(1, "a", "b"), (2, None, "a"), (3, "a", "c")]).between(-1, 3) == {"a": "b"}
    assert Renames([(1, "a", "b"), (2, "b", None)]).between(-1, 2) == {}
    assert Renames([(1, "a", None), (2, None, "a"), (3, "a", "b")]).between(-1, 3) == {}
    assert Renames([(1, "a", None), (2, None, "a"), (3, "a", "b")]).between(3, -1) == {}


def test_paths_are_quoted_as_git_quotes_them() -> None:
    assert quoted("a/plain.py") == "a/plain.py" and quoted("a/naïve 😀.md") == "a/naïve 😀.md"
    assert quoted("a/new tab\tx") == '"a/new tab\\tx"'
    assert quoted('b/say "hi"\\\x7f\x01') == '"b/say \\"hi\\"\\\\\\177\\001"'
    # as git writes a new file "new tab<TAB>x": the name that holds a space ends with a tab
    assert diff(EMPTY, Files({"new tab\tx": "n\nq"}, {})) == (
        'diff --git "a/new tab\\tx" "b/new tab\\tx"\nnew file mode 100644\nindex 0000000..b2b0f99\n'
        '--- /dev/null\n+++ "b/new tab\\tx"\t\n@@ -0,0 +1,2 @@\n+n\n+q\n\\ No newline at end of file\n')
    assert diff(Files({"sp ace.txt": "a\nb\n"}, {}), Files({"sp ace.txt": "a\nc\n"}, {})).startswith(
        "diff --git a/sp ace.txt b/sp ace.txt\nindex 422c2b7..0f7bc76\n"
        "--- a/sp ace.txt\t\n+++ b/sp ace.txt\t\n")
    assert diff(Files({"x\ny": "1\n"}, {}), Files({}, {"x\ny": "binary"})) == (
        'Files "a/x\\ny" and "b/x\\ny" differ (binary, content not recorded)\n')


def test_blob_ids_are_gits() -> None:
    assert blob("") == "e69de29" and blob("new\n") == "3e75765" and blob(None) == "0000000"
    assert blob("naïve\n") == "2121a44"


def test_without_gits_header_a_file_diff_is_its_names_and_hunks() -> None:
    assert "".join(file_diff("new.py", None, "x\n", git=False)) == (
        "--- /dev/null\n+++ b/new.py\n@@ -0,0 +1 @@\n+x\n")
    assert "".join(file_diff("b", "1\n", "2\n", old_path="a", git=False)) == (
        "--- a/a\n+++ b/b\n@@ -1 +1 @@\n-1\n+2\n")
    assert "".join(file_diff("e", None, "", git=False)) == ""


def test_diff_states_carries_the_renames_recorded_between_the_two_moments(
        tmp_path: Path, episode_header: EpisodeHeader) -> None:
    def change(t_ms: int, **fields: Any) -> Step:
        return step_from_dict({"kind": "file_change", "t_ms": t_ms, "source": "files", **fields})

    path = tmp_path / "moves.ctape"
    write_episode_file(path, episode_header, [
        change(0, path="a.txt", change="created", text="one\n"),
        change(10, path="a.txt", change="renamed", new_path="b.txt", text="one\n"),
        change(20, path="b.txt", change="renamed", new_path="c.txt", text="one\n"),
        change(30, path="c.txt", change="modified", text="one\ntwo\n"),
    ])
    episode = open_episode(path)

    def at(a: str, b: str) -> str:
        old, new, renames = diff_states(episode, parse_moment(a), parse_moment(b))
        return "".join(unified_diff(old, new, 3, renames))

    assert at("0", "2") == (
        "diff --git a/a.txt b/c.txt\nsimilarity index 100%\nrename from a.txt\nrename to c.txt\n")
    assert at("2", "0") == (
        "diff --git a/c.txt b/a.txt\nsimilarity index 100%\nrename from c.txt\nrename to a.txt\n")
    assert at("1", "end").startswith(
        "diff --git a/b.txt b/c.txt\nsimilarity index 50%\nrename from b.txt\nrename to c.txt\nindex ")
    assert at("start", "end").startswith("diff --git a/c.txt b/c.txt\nnew file mode 100644\n")  # made here
    assert at("15ms", "25ms") == at("1", "2")
