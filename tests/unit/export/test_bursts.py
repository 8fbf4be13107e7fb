"""Edit bursts (collector/export/edits/base/bursts.py): where typing is cut into bursts, and what each one
knows."""

from __future__ import annotations

from typing import Any

import pytest

from collector.errors import ReconstructionError
from collector.export.edits.base.bursts import MAX_TEXT, PAUSE_MS, Burst, Item, Single, grouped
from collector.export.edits.excerpt import excerpt
from collector.reconstruct.workspace import Workspace
from schemas import Step, step_from_dict
from schemas.steps import DiagnosticsStep


def step(kind: str, t_ms: int, **fields: Any) -> Step:
    return step_from_dict({"kind": kind, "t_ms": t_ms, "source": "bridge", **fields})


def typed(path: str, t_ms: int, line: int, character: int, text: str) -> Step:
    at = {"line": line, "character": character}
    return step("edit", t_ms, path=path, changes=[{"range": {"start": at, "end": at}, "text": text}])


def diagnostics(path: str, t_ms: int, message: str, origin: str = "pyflakes") -> Step:
    where = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}
    return step("diagnostics", t_ms, path=path, origin=origin,
                items=[{"range": where, "message": message, "severity": 1}])


def cursor(path: str, t_ms: int, character: int) -> Step:
    at = {"line": 0, "character": character}
    return step("cursor", t_ms, path=path, selections=[{"anchor": at, "active": at}])


def shape(items: list[Item]) -> list[str]:
    """`burst a.py 1-3` or `single 4 save` per item."""
    return [f"burst {item.path} {item.first}-{item.last}" if isinstance(item, Burst)
            else f"single {item.index} {item.step.kind}" for item in items]


def run(steps: list[Step], pause_ms: int = PAUSE_MS) -> tuple[list[Item], Workspace]:
    workspace = Workspace("utf-16")
    return list(grouped(steps, workspace, pause_ms)), workspace


def test_typing_in_one_file_is_one_burst_with_its_texts_and_the_caret_the_editor_reported() -> None:
    steps = [step("open", 0, path="a.py", text="x = 1\n"), cursor("a.py", 50, 2),
             typed("a.py", 100, 0, 5, "0"), typed("a.py", 250, 0, 6, "0"), typed("a.py", 400, 0, 7, "!")]
    items, workspace = run(steps)
    assert shape(items) == ["single 0 open", "single 1 cursor", "burst a.py 2-4"]
    burst = items[2]
    assert isinstance(burst, Burst)
    assert (burst.before, burst.after, burst.edits) == ("x = 1\n", "x = 100!\n", 3)
    assert (burst.start_ms, burst.end_ms, burst.caret, burst.caret_from) == (100, 400, (0, 2), "cursor")
    assert burst.caret_offset("utf-16") == 2
    assert burst.diff() == "--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x = 1\n+x = 100!\n"
    assert burst.diff(headers=False) == "@@ -1 +1 @@\n-x = 1\n+x = 100!\n"
    assert workspace.text("a.py") == "x = 100!\n"


def test_a_pause_longer_than_the_limit_cuts_a_burst_and_one_as_long_does_not() -> None:
    steps = [step("open", 0, path="a.py", text=""), typed("a.py", 10, 0, 0, "a"),
             typed("a.py", 10 + PAUSE_MS, 0, 1, "b"), typed("a.py", 11 + 2 * PAUSE_MS, 0, 2, "c")]
    items, _ = run(steps)
    assert shape(items) == ["single 0 open", "burst a.py 1-2", "burst a.py 3-3"]
    first, second = items[1], items[2]
    assert isinstance(first, Burst) and isinstance(second, Burst)
    assert (first.after, second.before, second.after) == ("ab", "ab", "abc")


def test_another_file_or_any_other_step_ends_a_burst() -> None:
    steps = [step("open", 0, path="a.py", text=""), step("open", 1, path="b.py", text=""),
             typed("a.py", 10, 0, 0, "a"), typed("b.py", 20, 0, 0, "b"), typed("a.py", 30, 0, 1, "a"),
             step("save", 40, path="a.py"), typed("a.py", 50, 0, 2, "a"),
             step("note", 60, text="hm"), typed("a.py", 70, 0, 3, "a"),
             step("command", 80, command_line="make"), typed("a.py", 90, 0, 4, "a")]
    items, _ = run(steps)
    assert shape(items) == ["single 0 open", "single 1 open", "burst a.py 2-2", "burst b.py 3-3",
                            "burst a.py 4-4", "single 5 save", "burst a.py 6-6", "single 7 note",
                            "burst a.py 8-8", "single 9 command", "burst a.py 10-10"]


def test_cursor_and_diagnostics_do_not_end_a_burst_and_only_the_last_of_each_follows_it() -> None:
    steps = [step("open", 0, path="a.py", text=""), diagnostics("a.py", 1, "before typing"),
             typed("a.py", 10, 0, 0, "a"), cursor("a.py", 11, 1), diagnostics("a.py", 12, "first"),
             diagnostics("a.py", 13, "from ruff", origin="ruff"), typed("a.py", 20, 0, 1, "b"),
             diagnostics("a.py", 21, "second"), cursor("a.py", 22, 2), typed("a.py", 30, 0, 2, "c"),
             step("save", 40, path="a.py"), diagnostics("a.py", 41, "after the save")]
    items, _ = run(steps)
    assert shape(items) == ["single 0 open", "single 1 diagnostics", "burst a.py 2-9",
                            "single 5 diagnostics", "single 7 diagnostics", "single 8 cursor",
                            "single 10 save", "single 11 diagnostics"]
    held = [item.step for item in items[3:6] if isinstance(item, Single)]
    assert [s.items[0].message for s in held if isinstance(s, DiagnosticsStep)] == ["from ruff", "second"]


def test_a_burst_open_at_the_end_is_settled_there() -> None:
    steps = [step("open", 0, path="a.py", text="abc"), typed("a.py", 5, 0, 3, "d"), cursor("a.py", 6, 4)]
    items, _ = run(steps)
    assert shape(items) == ["single 0 open", "burst a.py 1-1", "single 2 cursor"]


def test_the_caret_counts_in_the_episode_encoding_and_an_edit_leaves_it_after_its_text() -> None:
    crlf = "é\r\n😀x\n"
    at = {"line": 1, "character": 2}
    steps = [step("open", 0, path="u.txt", text=crlf),
             step("cursor", 1, path="u.txt", selections=[{"anchor": at, "active": at}]),
             typed("u.txt", 5, 1, 2, "!\r\nab"), step("save", 6, path="u.txt"),
             step("edit", 7, path="u.txt", changes=[{"text": "new"}]), step("save", 8, path="u.txt"),
             typed("u.txt", 9, 0, 0, "x")]
    items, _ = run(steps)
    first, whole, last = items[2], items[4], items[6]
    assert isinstance(first, Burst) and isinstance(whole, Burst) and isinstance(last, Burst)
    assert first.caret_offset("utf-16") == len("é\r\n😀") and first.after == "é\r\n😀!\r\nabx\n"
    assert (whole.caret, whole.caret_from) == ((2, 2), "edit")  # after "ab", where the editor left it
    assert whole.caret_offset("utf-16") == len("é\r\n😀!\r\nab") and whole.after == "new"
    assert (last.caret, last.caret_from) == ((0, 3), "edit")  # after the whole document's new text


def test_a_burst_with_no_caret_seen_takes_its_first_edits_start_and_one_with_no_range_none() -> None:
    """Issue 89: before a file is edited, and once its text is replaced, no caret is seen: an edit's own
    position is one (`first_edit`); a burst whose first change has no range (a whole text) has none."""
    steps = [step("open", 0, path="a.py", text="abc"), typed("a.py", 5, 0, 3, "d"),
             step("close", 10, path="a.py"), step("open", 20, path="a.py", text="abcd"),  # unsaved: lost
             typed("a.py", 30, 0, 1, "z"), cursor("a.py", 31, 1), step("save", 32, path="a.py"),
             step("gap", 40, reason="resync", state=[{"path": "a.py", "text": "other\n"}]),
             typed("a.py", 60, 0, 2, "y"), step("save", 70, path="a.py"),
             step("gap", 80, reason="resync", state=[{"path": "a.py", "text": "again\n"}]),
             step("edit", 90, path="a.py", changes=[{"text": "whole\n"}])]
    bursts = [item for item in run(steps)[0] if isinstance(item, Burst)]
    assert [(b.caret, b.caret_from) for b in bursts] == [
        ((0, 3), "first_edit"), ((0, 1), "first_edit"), ((0, 2), "first_edit"), (None, None)]
    assert excerpt(bursts[-1], "utf-16") == "no known caret"


def test_the_last_edit_is_the_caret_while_the_file_holds_the_text_it_was_made_in() -> None:
    """Issue 55, item 5: a reopen of the same text, a save, a change on disk under the open buffer and a
    gap that sets no text keep the end of the last edit; a change on disk of a closed file forgets it."""
    steps = [step("open", 0, path="a.py", text="abc\n"), typed("a.py", 5, 0, 3, "d"),
             step("save", 6, path="a.py"), step("close", 10, path="a.py"),
             step("open", 20, path="a.py", text="abcd\n"), typed("a.py", 30, 0, 0, "z"),  # reopened: kept
             step("file_change", 40, path="a.py", change="modified", text="on disk\n"),  # under the buffer
             step("gap", 50, reason="paused", until_ms=60), typed("a.py", 70, 0, 5, "!"),
             step("save", 80, path="a.py"), step("close", 90, path="a.py"),
             step("file_change", 100, path="a.py", change="modified", text="rewritten\n"),
             step("open", 110, path="a.py", text="rewritten\n"), typed("a.py", 120, 0, 0, "#")]
    bursts = [item for item in run(steps)[0] if isinstance(item, Burst)]
    assert [(b.caret, b.caret_from) for b in bursts] == [
        ((0, 3), "first_edit"), ((0, 4), "edit"), ((0, 1), "edit"), ((0, 0), "first_edit")]
    assert bursts[1].before == "abcd\n" and bursts[1].caret_offset("utf-16") == 4  # after the d, not at z


def test_an_edit_the_workspace_cannot_apply_names_its_step() -> None:
    steps = [step("note", 0, text="start"), typed("never-opened.py", 5, 0, 0, "x")]
    with pytest.raises(ReconstructionError, match=r"^step 1: edit at 5 ms to never-opened.py"):
        run(steps)


def test_a_burst_in_a_file_too_large_to_diff_holds_no_texts_and_says_so() -> None:
    steps = [step("open", 0, path="big.py", text="x" * MAX_TEXT + "\n"), typed("big.py", 100, 0, 0, "y"),
             step("open", 5000, path="small.py", text="a\n"), typed("small.py", 5100, 0, 0, "b")]
    big, small = (item for item in run(steps)[0] if isinstance(item, Burst))
    assert big.too_large and (big.before, big.after, big.diff()) == ("", "", "")
    assert excerpt(big, "utf-16") == "too large"
    assert not small.too_large and small.diff(headers=False) == "@@ -1 +1 @@\n-a\n+ba\n"


def test_the_editor_reading_a_write_to_disk_in_is_no_burst() -> None:
    """Issue 54, item 2: VS Code sends the text it read again after an agent's write as an edit."""
    steps = [step("open", 0, path="a.py", text="a\n"),
             step("file_change", 10, path="a.py", change="modified", text="a\nb\n", origin="agent"),
             typed("a.py", 20, 1, 0, "b\n"),  # the reload
             typed("a.py", 30, 0, 1, "!")]
    items, _ = run(steps)
    assert shape(items) == ["single 0 open", "single 1 file_change", "burst a.py 3-3"]
