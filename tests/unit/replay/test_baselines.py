"""A file the episode first recorded after a moment is in that moment's state as first recorded: a diff
from the start shows what changed in a file opened later, as the HTML report does, not the whole file
as new; a file whose earlier text the episode never saw is named, not diffed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from collector.episode import open_episode, write_episode_file
from collector.replay.moment import parse_moment
from collector.replay.workdiff import states_at, unified_diff
from collector.review.browse import Browser
from schemas import EpisodeHeader, Step, step_from_dict

BIG = "".join(f"line {n}\n" for n in range(506))
CHANGED = BIG.replace("line 200\n", "line two hundred\n")


def step(kind: str, t_ms: int, **fields: Any) -> Step:
    return step_from_dict({"kind": kind, "t_ms": t_ms, "source": "cli", **fields})


def replace_line(t_ms: int, path: str, line: int, text: str) -> Step:
    span = {"start": {"line": line, "character": 0}, "end": {"line": line + 1, "character": 0}}
    return step("edit", t_ms, path=path, changes=[{"range": span, "text": text}])


def episode(tmp_path: Path, header: EpisodeHeader) -> Path:
    steps = [
        step("task", 0, action="start", statement="rename a line"),
        step("open", 5_000, path="src/big.py", language_id="python", text=BIG),
        replace_line(6_000, "src/big.py", 200, "line two hundred\n"),
        step("save", 7_000, path="src/big.py"),
        step("file_change", 8_000, path="notes.txt", change="modified", text="after\n"),
        step("file_change", 9_000, path="old.txt", change="deleted"),
        step("file_change", 10_000, path="new.txt", change="created", text="fresh\n"),
    ]
    path = tmp_path / "first-hour.ctape"
    write_episode_file(path, header, steps)
    return path


def diff(path: Path, a: str, b: str) -> str:
    old, new = states_at(open_episode(path), [parse_moment(a), parse_moment(b)])
    return "".join(unified_diff(old, new))


def test_a_file_opened_after_the_start_shows_its_change_not_its_whole_text(
        tmp_path: Path, episode_header: EpisodeHeader) -> None:
    path = episode(tmp_path, episode_header)
    out = diff(path, "start", "end")
    assert "--- a/src/big.py\n+++ b/src/big.py\n@@ -198,7 +198,7 @@\n" in out
    assert "-line 200\n+line two hundred\n" in out and "@@ -0,0 +1,506 @@" not in out
    assert "--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1 @@\n+fresh\n" in out  # created: new it is
    assert "Files a/notes.txt and b/notes.txt differ (changed on disk before it was first recorded" in out
    assert "Files a/old.txt and /dev/null differ (deleted before it was first recorded" in out
    assert diff(path, "0", "1") == ""  # opening a file changes nothing in it
    assert diff(path, "2s", "6s") == diff(path, "start", "2") != ""
    assert "-line 200\n" in diff(path, "0", "3")


def test_the_review_diff_tab_compares_the_same_states(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    path = episode(tmp_path, episode_header)
    browser = Browser(open_episode(path))
    assert "".join(browser.diff(-1, browser.count - 1)) == diff(path, "start", "end")
    assert "".join(browser.diff(0, 2)) == diff(path, "0", "2")
    assert browser.diff(0, 1) == []


def test_a_file_an_editor_opens_empty_and_head_does_not_hold_is_new(tmp_path: Path,
                                                                    episode_header: EpisodeHeader) -> None:
    """`:e new.py` opens a path with nothing there, empty; its first save makes the file (and the watcher's
    `created` is that save's echo, not recorded). An empty file HEAD holds was there."""
    steps = [
        step("open", 0, path="new.py", text="", head_text="absent"),
        step("edit", 10, path="new.py", changes=[{"range": None, "text": "x = 1\n"}]),
        step("save", 20, path="new.py"),
        step("open", 30, path="pkg/__init__.py", text="", head_text="same"),
        step("edit", 40, path="pkg/__init__.py", changes=[{"range": None, "text": "y = 2\n"}]),
        step("open", 50, path="untold.py", text=""),  # no HEAD to ask: an empty file it stays
        step("edit", 60, path="untold.py", changes=[{"range": None, "text": "z\n"}]),
    ]
    path = tmp_path / "new-file.ctape"
    write_episode_file(path, episode_header, steps)
    out = diff(path, "start", "end")
    assert "diff --git a/new.py b/new.py\nnew file mode 100644\nindex 0000000.." in out
    assert "--- /dev/null\n+++ b/new.py\n@@ -0,0 +1 @@\n+x = 1\n" in out
    assert "--- a/pkg/__init__.py\n+++ b/pkg/__init__.py\n@@ -0,0 +1 @@\n+y = 2\n" in out
    assert "--- a/untold.py\n+++ b/untold.py\n" in out
    # just opened: an empty buffer, which the workspace holds as the editor shows it
    assert diff(path, "start", "0") == (
        "diff --git a/new.py b/new.py\nnew file mode 100644\nindex 0000000..e69de29\n")
