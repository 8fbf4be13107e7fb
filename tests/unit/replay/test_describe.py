"""One short line per step: what the plain log, the event pane and the status line say."""

from __future__ import annotations

from typing import Any

import pytest

from collector.replay.describe import TEXT_LIMIT, clock, describe, line_count, step_path
from collector.replay.state import EditSize, PlayState
from schemas import Step, step_from_dict


def step(kind: str, **fields: Any) -> Step:
    return step_from_dict({"kind": kind, "t_ms": 0, "source": "cli", **fields})


def at(line: int, character: int) -> dict[str, int]:
    return {"line": line, "character": character}


def diagnostic(severity: int | None, message: str = "m") -> dict[str, Any]:
    item: dict[str, Any] = {"range": {"start": at(0, 0), "end": at(0, 1)}, "message": message}
    if severity is not None:
        item["severity"] = severity
    return item


@pytest.mark.parametrize(("made", "expected"), [
    (step("open", path="a.py", text="x\ny\n"), "opened, 2 lines"),
    (step("open", path="a.py", text="x\r\ny"), "opened, 2 lines"),
    (step("open", path="a.py", text=""), "opened, 0 lines"),
    (step("close", path="a.py"), "closed"),
    (step("close", path="a.py", source="collector", reason="editor_gone"), "closed: its editor is gone"),
    (step("save", path="a.py"), "saved"),
    (step("save", path="a.py", text="abc"), "saved, 3 chars"),
    (step("cursor", path="a.py", selections=[{"anchor": at(2, 4), "active": at(2, 4)}]), "caret 3:5"),
    (step("cursor", path="a.py", selections=[{"anchor": at(0, 0), "active": at(1, 2)},
                                              {"anchor": at(3, 0), "active": at(3, 0)}]),
     "selection 1:1-2:3 (+1 more)"),
    (step("diagnostics", path="a.py", origin="pyflakes", items=[]), "cleared (pyflakes)"),
    (step("diagnostics", path="a.py", items=[diagnostic(1), diagnostic(1), diagnostic(2), diagnostic(None)]),
     "2 errors 1 warning 1 problem"),
    (step("diagnostics", path="a.py", origin="ruff", items=[diagnostic(3, "line\ntoo long")]),
     "1 info (ruff): line\\ntoo long"),
    (step("test_run", tests=[{"nodeid": "a", "outcome": "passed"}] * 5
          + [{"nodeid": "tests/test_b.py::test_b", "outcome": "failed"}]), "failed: test_b (1 of 6)"),
    (step("test_run", tests=[{"nodeid": "a", "outcome": "skipped"}, {"nodeid": "b", "outcome": "error"}]),
     "failed: b (error) (1 of 2)"),
    (step("test_run", tests=[{"nodeid": "a", "outcome": "passed"}] * 3
          + [{"nodeid": "b", "outcome": "skipped"}]),
     "3 passed 1 skipped"),
    (step("test_run", exit_status=4), "no tests, exit 4"),
    (step("command", command_line="pytest -q", exit_code=1, duration_ms=912),
     '"pytest -q" exit 1 after 0.9 s'),
    (step("command", argv=["make", "lint me"], cwd="src"), "\"make 'lint me'\" in src"),
    (step("git", op="commit", sha="a1b2c3d4e5f6", message="fix parser\n\nlong body\n",
          files=[{"path": "p.py"}]), 'commit a1b2c3d "fix parser" (1 file)'),
    (step("git", op="ref_update", ref="refs/heads/main", old="a1b2c3d4", new="e5f6a7b8"),
     "ref update refs/heads/main a1b2c3d -> e5f6a7b"),
    (step("git", op="branch_create", ref="refs/heads/topic", new="e5f6a7b8"),
     "branch create refs/heads/topic 0000000 -> e5f6a7b"),
    (step("file_change", path="a.py", change="created", text="12345"), "created, 5 chars"),
    (step("file_change", path="a.png", change="modified", omitted="binary", size=2048),
     "modified (binary, content not recorded, 2.0 KiB)"),
    (step("file_change", path="a.py", change="renamed", new_path="b.py"), "renamed to b.py"),
    (step("file_change", path="a.py", change="deleted"), "deleted"),
    (step("note", text="tab\there"), "tab\\there"),
    (step("task", action="start", statement="fix it"), "start: fix it"),
    (step("task", action="done", outcome="abandoned"), "done: abandoned"),
    (step("task", action="done"), "done"),
    (step("gap", reason="paused", until_ms=18_500, detail="codetape pause"),
     "paused for 18.5 s: codetape pause"),
    (step("gap", reason="paused", until_ms=2_000, lost_steps=3, detail="recording was paused"),
     "paused for 2 s, 3 steps not recorded: recording was paused"),
    (step("gap", reason="recorder_behind", lost_steps=12, state=[{"path": "a", "text": None}]),
     "recorder fell behind, 12 steps not recorded, 1 file reset"),
    (step("gap", reason="dropped_by_review", until_ms=500, lost_steps=3, detail="3 steps dropped in review",
          state=[{"path": "a", "text": "x"}, {"path": "b", "text": None}]),
     "dropped in review for 0.5 s, 3 steps removed, 2 files reset"),
    (step("gap", reason="journal_corrupt", lost_steps=1, detail="bad CRC at byte 9"),
     "journal damaged, 1 step unreadable, left out: bad CRC at byte 9"),
    (step("gap", reason="malformed_input", lost_steps=1, detail="didChange: no range"),
     "malformed input, 1 step refused: didChange: no range"),
    (step("gap", reason="other", lost_steps=1, detail="a change to a.py is too large to record"),
     "1 step not recorded: a change to a.py is too large to record"),
    (step("gap", reason="other"), "not recorded"),
    (step("gap", reason="snapshot", state=[{"path": "a", "text": "x"}]), "snapshot, 1 file on disk"),
    (step("redaction", rule="aws-access-key", placeholder="«redacted:aws-access-key:1»", count=2),
     "2 values replaced by «redacted:aws-access-key:1» (aws-access-key)"),
])
def test_each_kind_in_a_few_words(made: Step, expected: str) -> None:
    assert describe(made) == expected


def test_edits_say_what_they_inserted_and_removed() -> None:
    edit = step("edit", path="a.py", changes=[{"text": "x"}])
    assert describe(edit, EditSize(inserted=12, before=10, after=22, whole=False)) == "+12 chars"
    assert describe(edit, EditSize(inserted=0, before=10, after=7, whole=False)) == "-3 chars"
    assert describe(edit, EditSize(inserted=1, before=10, after=10, whole=False)) == "+1 -1 chars"
    assert describe(edit, EditSize(inserted=1, before=10, after=11, whole=False)) == "+1 char"
    assert describe(edit, EditSize(inserted=0, before=10, after=10, whole=False)) == "no change"
    whole = EditSize(inserted=3, before=10, after=3, whole=True)
    assert describe(edit, whole) == "whole text replaced (3 chars)"
    assert describe(edit) == "1 change"


def test_edit_sizes_come_from_the_document_as_replayed() -> None:
    state = PlayState("utf-16")
    state.apply(step("open", path="a.py", text="héllo 😀\nworld\n"))
    # replace "😀\nwor" (the emoji is two utf-16 units) with "!"
    size = state.apply(step("edit", path="a.py", changes=[
        {"range": {"start": at(0, 6), "end": at(1, 3)}, "text": "!"}]))
    assert size == EditSize(inserted=1, before=14, after=10, whole=False)
    assert describe(step("edit", path="a.py", changes=[{"text": "!"}]), size) == "+1 -5 chars"


def test_helpers() -> None:
    assert clock(0) == "0:00:00.000" and clock(3_723_045) == "1:02:03.045"
    assert line_count("a\nb") == 2 and line_count("a\n") == 1 and line_count("") == 0
    assert step_path(step("note", text="n")) == "" and step_path(step("close", path="dir/ä.py")) == "dir/ä.py"


def test_diagnostics_say_whether_they_cleared_something_or_changed_nothing() -> None:
    state = PlayState("utf-16")
    state.apply(step("open", path="a.py", text="x\n"))

    def publish(*items: dict[str, Any]) -> str:
        made = step("diagnostics", path="a.py", origin="pylsp", items=list(items))
        return describe(made, state.apply(made))

    assert publish() == "none (pylsp)"
    assert publish(diagnostic(1, "invalid syntax")) == "1 error (pylsp): invalid syntax"
    assert publish(diagnostic(1, "invalid syntax")) == "unchanged (pylsp): 1 item"
    assert publish(diagnostic(2)) == "1 warning (pylsp): m"
    assert publish() == "cleared (pylsp)"
    assert publish() == "none (pylsp)"


def test_a_failing_run_names_its_first_failing_tests_and_counts_the_rest() -> None:
    tests = [{"nodeid": f"tests/test_a.py::TestA::test_{n}", "outcome": "failed"} for n in range(5)]
    tests += [{"nodeid": "tests/test_c.py", "outcome": "error", "kind": "collection"}]
    tests += [{"nodeid": "tests/test_a.py::test_ok", "outcome": "passed"}] * 34
    assert describe(step("test_run", tests=tests)) == (
        "failed: TestA::test_0, TestA::test_1, TestA::test_2 and 3 more (6 of 40)")
    assert describe(step("test_run", tests=tests[5:7])) == (
        "failed: tests/test_c.py (not collected) (1 of 2)")


def test_long_texts_are_left_for_the_view_to_cut() -> None:
    """The view cuts a line at the width it has: describe keeps far more than a narrow pane's 60 columns."""
    line = "pytest " + "-k name " * 20
    assert describe(step("command", command_line=line)) == f'"{line}"'
    assert len(describe(step("command", command_line="x" * 1000))) == TEXT_LIMIT + 2
