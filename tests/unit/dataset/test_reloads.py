"""An agent's write to a file the editor has open (issue 54, item 2): its `transitions` row, and the
editor's reading of it again, as the build replays them (collector/reconstruct/reloads.py)."""

from __future__ import annotations

from typing import Any

from collector.reconstruct.reloads import Reloads
from collector.reconstruct.workspace import Workspace
from schemas import step_from_dict
from tests.unit.dataset.test_survival import edit, opened, saved, tables

BEFORE, AFTER = "x = 1\n", "x = 1\ny = 2\n"


def written(t_ms: int, text: str) -> dict[str, Any]:
    return {"kind": "file_change", "t_ms": t_ms, "source": "watcher", "path": "a.py", "change": "modified",
            "text": text, "origin": "agent", "origin_detail": "claude-code:PostToolUse Edit"}


def closed(t_ms: int) -> dict[str, Any]:
    return {"kind": "close", "t_ms": t_ms, "source": "lsp", "path": "a.py"}


def rows(steps: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    table = tables(steps)["transitions"]
    names = ("kind", "origin", "first_step", "diff", "survived_to_end")
    return [row for row in zip(*(table.column(name).to_pylist() for name in names), strict=True)
            if row[0] != "open" or row[2] != 0]


def test_the_agent_s_write_over_a_clean_buffer_is_its_row_and_the_reload_none() -> None:
    """Neovim and Emacs read the file again as close + open: before, the write had no row and the close
    carried the agent's text with no origin."""
    steps = [opened(0, BEFORE), written(10, AFTER), closed(20), opened(30, AFTER),
             edit(5000, 0, 0, "# ", line=1, origin="typed"), saved(5100)]
    assert rows(steps) == [
        ("file_change", "agent", 1, "--- a/a.py\n+++ b/a.py\n@@ -1 +1,2 @@\n x = 1\n+y = 2\n", 1.0),
        ("edit", "typed", 4, "--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,2 @@\n x = 1\n-y = 2\n+# y = 2\n", 1.0),
        ("save", None, 5, None, None)][:2]


def test_a_reload_sent_as_an_edit_is_no_action() -> None:
    """VS Code sends the text it read again as an edit of the buffer."""
    steps = [opened(0, BEFORE), written(10, AFTER),
             edit(20, 0, 0, "y = 2\n", line=1, origin=None),  # type: ignore[arg-type]
             edit(5000, 0, 5, "z", line=1, origin="typed")]
    found = rows(steps)
    assert [(kind, origin, first) for kind, origin, first, _diff, _end in found] == [
        ("file_change", "agent", 1), ("edit", "typed", 3)], found
    edits = tables(steps)["edits"]  # the editor's reading is no edit of the developer's: no row
    assert edits.column("step").to_pylist() == [3] and edits.column("survived_to_end").to_pylist() == [1.0]


def test_a_write_over_unsaved_edits_is_the_agent_s_when_the_editor_reads_it_in() -> None:
    steps = [opened(0, BEFORE), edit(10, 0, 0, "# ", origin="typed"), written(20, AFTER), closed(30),
             opened(40, AFTER)]
    found = rows(steps)
    assert [(kind, origin, first) for kind, origin, first, _diff, _end in found] == [
        ("edit", "typed", 1), ("close", "agent", 3)], found
    assert "-# x = 1\n+x = 1\n+y = 2\n" in found[1][3]
    assert (found[0][4], found[1][4]) == (0.0, 1.0)  # the developer's "# " lost, the agent's line kept


def test_a_buffer_saved_over_the_write_is_the_developer_s_text_again() -> None:
    """Neovim's W12 answered with the buffer kept, or a save without reading the file again."""
    steps = [opened(0, BEFORE), written(10, AFTER), saved(20)]
    found = rows(steps)
    assert [(kind, origin, first) for kind, origin, first, _diff, _end in found] == [
        ("file_change", "agent", 1), ("save", None, 2)], found
    assert found[0][4] == 0.0  # what the agent wrote did not stay


def test_reloads_tells_the_text_shown_until_the_buffer_is_read_again() -> None:
    workspace, reloads = Workspace("utf-16"), Reloads()
    steps = [step_from_dict(data) for data in (opened(0, BEFORE), written(10, AFTER), closed(20))]
    seen = []
    for step in steps:
        reloads.before(step, workspace)
        workspace.apply(step)
        seen.append((reloads.after(step, workspace), reloads.text("a.py", workspace)))
    assert seen == [(False, BEFORE), (False, AFTER), (True, AFTER)]
    assert workspace.buffers.get("a.py") is None


def test_a_second_write_before_the_reload_keeps_the_buffer_stale() -> None:
    """The real Claude Code's Edit was seen written twice before Neovim read the file again."""
    steps = [opened(0, BEFORE), written(10, AFTER), written(11, AFTER), written(12, AFTER + "z = 3\n"),
             closed(20), opened(30, AFTER + "z = 3\n")]
    found = rows(steps)
    assert [(kind, origin, first) for kind, origin, first, _diff, _end in found] == [
        ("file_change", "agent", 1), ("file_change", "agent", 3)], found


def test_a_write_over_unsaved_edits_read_in_as_an_edit_is_the_agent_s_row_and_no_edit() -> None:
    """VS Code's Revert File over unsaved edits after an agent's write sends the text it reads as an edit
    with no origin: that row is the agent's write, and no `edits` row is the developer's."""
    revert = edit(30, 0, 2, "", origin=None)  # type: ignore[arg-type]  # "# x = 1" -> "x = 1"
    revert["changes"].append({"range": {"start": {"line": 1, "character": 0},
                                        "end": {"line": 1, "character": 0}}, "text": "y = 2\n"})
    steps = [opened(0, BEFORE), edit(10, 0, 0, "# ", origin="typed"), written(20, AFTER), revert,
             edit(5000, 0, 0, "z", line=2, origin="typed")]
    found = rows(steps)
    assert [(kind, origin, first) for kind, origin, first, _diff, _end in found] == [
        ("edit", "typed", 1), ("edit", "agent", 3), ("edit", "typed", 4)], found
    assert "-# x = 1\n+x = 1\n+y = 2\n" in found[1][3]
    assert (found[0][4], found[1][4]) == (0.0, 1.0)
    assert tables(steps)["edits"].column("step").to_pylist() == [1, 4]
