"""Who wrote each line (collector/export/authors.py) and the Agent Trace records made of it, checked against
the specification's record schema (tests/fixtures/agent-trace)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import msgspec
import pytest

from collector.episode import open_episode, write_episode_file
from collector.export.authors import Authors, merge, replayed
from collector.export.result import ExportResult
from collector.export.traces.agent_trace import AgentTraceExporter
from collector.reconstruct.workspace import Workspace
from schemas import EpisodeHeader, Step, step_from_dict

SCHEMA = json.loads((Path(__file__).parents[2] / "fixtures" / "agent-trace" / "trace-record.schema.json")
                    .read_text(encoding="utf-8"))
SHA = "a" * 40


def step(kind: str, t_ms: int, **fields: Any) -> Step:
    return step_from_dict({"kind": kind, "t_ms": t_ms, "source": "test", **fields})


def edit(t_ms: int, line: int, col: int, end_line: int, end_col: int, text: str, origin: str | None,
         path: str = "a.py") -> Step:
    fields: dict[str, Any] = {"path": path, "changes": [{"range": {
        "start": {"line": line, "character": col}, "end": {"line": end_line, "character": end_col}},
        "text": text}]}
    if origin is not None:
        fields["origin"] = origin
    return step("edit", t_ms, **fields)


def authors(steps: list[Step]) -> Authors:
    found = [authors for _, _, authors in replayed(Workspace("utf-16"), steps)]
    return found[-1]


def test_lines_take_the_contributor_of_what_wrote_them_and_typing_on_keeps_a_line_mixed() -> None:
    found = authors([
        step("open", 0, path="a.py", text="old = 0\n"),
        edit(1, 1, 0, 1, 0, "typed = 1\n", "typed"),  # line 2, typed
        edit(2, 2, 0, 2, 0, "def f():\n    return 2\n", "ai_completion"),  # lines 3-4, an AI's
        edit(3, 3, 12, 3, 12, "  # checked", "typed"),  # a comment typed on the AI's line 4: mixed
        edit(4, 1, 0, 1, 5, "TYPED", "paste"),  # a paste inside the typed line: still the human's
        edit(5, 4, 0, 4, 0, "undone\n", "undo"),  # the developer's undo: theirs (Agent Trace's `human` class)
    ])
    assert list(found.ranges("a.py")) == [("human", 2, 2), ("ai", 3, 3), ("mixed", 4, 4), ("human", 5, 5)]


def test_a_line_typed_after_an_ai_line_is_the_humans_and_a_line_moved_down_keeps_its_own() -> None:
    found = authors([
        step("open", 0, path="a.py", text="x = 1\ny = 2"),
        edit(1, 0, 5, 0, 5, "  # ai", "ai_completion"),
        edit(2, 0, 11, 0, 11, "\n", "typed"),  # Enter at the end of the AI's line
        edit(3, 1, 0, 1, 0, "z = 3", "typed"),
        edit(4, 0, 0, 0, 0, "import os\n", "agent"),  # inserted above: every line below moves down
    ])
    assert list(found.ranges("a.py")) == [("ai", 1, 2), ("human", 3, 3)]  # `y = 2` stays no one's
    assert found.workspace.text("a.py") == "import os\nx = 1  # ai\nz = 3\ny = 2"


def test_deleting_lines_takes_their_contributors_and_a_whole_file_write_relabels_only_what_changed() -> None:
    found = authors([
        step("open", 0, path="a.py", text="a\nb\nc\n"),
        edit(1, 1, 0, 1, 1, "B", "ai_completion"),
        edit(2, 2, 0, 2, 1, "C", "typed"),
        edit(3, 0, 0, 1, 0, "", "cut"),  # line 1 cut: B and C move up
        step("save", 4, path="a.py"),
        step("close", 5, path="a.py"),
        step("file_change", 6, path="a.py", change="modified", text="B\nC\nd\n", origin="agent",
             origin_detail="claude-code:PostToolUse Write"),  # B, C as they were, d the agent's
    ])
    assert list(found.ranges("a.py")) == [("ai", 1, 1), ("human", 2, 2), ("ai", 3, 3)]


def test_an_external_write_leaves_its_lines_no_ones_and_a_rename_keeps_them() -> None:
    found = authors([
        step("open", 0, path="a.py", text="a\n"),
        edit(1, 1, 0, 1, 0, "b\n", "typed"),
        step("save", 2, path="a.py"),
        step("close", 2, path="a.py"),
        step("file_change", 3, path="a.py", change="modified", text="a\nb\nformatted\n"),
        step("file_change", 4, path="a.py", change="renamed", new_path="c.py"),
    ])
    assert list(found.ranges("c.py")) == [("human", 2, 2)] and list(found.ranges("a.py")) == []


def test_contributors_merge_to_mixed_only_for_human_and_ai() -> None:
    assert merge(None, "human") == "human" and merge("human", "ai") == "mixed"
    assert merge("mixed", "human") == "mixed" and merge("unknown", "ai") == "unknown"
    assert merge(None, None) is None


@pytest.fixture
def exported(tmp_path: Path, episode_header: EpisodeHeader) -> list[dict[str, Any]]:
    steps = [
        step("open", 0, path="a.py", text="base = 0\n"),
        edit(10, 1, 0, 1, 0, "typed = 1\n", "typed"),
        edit(20, 2, 0, 2, 0, "suggested = 2\n", "ai_completion"),
        step("save", 30, path="a.py"),
        step("file_change", 40, path="b.py", change="created", text="def g():\n    pass\n", origin="agent",
             origin_detail="claude-code:PostToolUse Write"),
        step("git", 50, op="commit", sha=SHA, message="first",
             files=[{"path": "a.py", "added": 2}, {"path": "b.py", "added": 2, "change": "A"},
                    {"path": "gone.py", "deleted": 3, "change": "D"}]),
        edit(60, 0, 0, 0, 4, "BASE", "typed"),
        step("git", 70, op="commit", sha="b" * 40, files=[{"path": "a.py", "added": 1, "deleted": 1}]),
    ]
    path = tmp_path / f"{episode_header.episode_id}.ctape"
    write_episode_file(path, episode_header, steps)
    result = ExportResult("agent-trace", tmp_path)
    AgentTraceExporter(tmp_path, result, ".agent-trace.jsonl").add(open_episode(path))
    assert result.records == 2 and result.files == 1
    written = tmp_path / f"{episode_header.episode_id}.agent-trace.jsonl"
    return [json.loads(line) for line in written.read_text(encoding="utf-8").splitlines()]


def test_a_record_per_commit_valid_against_the_specifications_schema(exported: list[dict[str, Any]]) -> None:
    for record in exported:
        jsonschema.validate(record, SCHEMA)
    first, second = exported
    assert first["vcs"] == {"type": "git", "revision": SHA}
    assert first["timestamp"] == "2026-01-02T03:04:05.050Z"
    assert first["files"] == [
        {"path": "a.py", "conversations": [
            {"contributor": {"type": "ai"}, "ranges": [{"start_line": 3, "end_line": 3}]},
            {"contributor": {"type": "human"}, "ranges": [{"start_line": 2, "end_line": 2}]}]},
        {"path": "b.py", "conversations": [
            {"contributor": {"type": "ai"}, "ranges": [{"start_line": 1, "end_line": 2}]}]}]
    assert second["files"][0]["conversations"] == [
        {"contributor": {"type": "ai"}, "ranges": [{"start_line": 3, "end_line": 3}]},
        {"contributor": {"type": "human"}, "ranges": [{"start_line": 1, "end_line": 2}]}]
    assert first["id"] != second["id"] and first["metadata"]["dev.codetape"]["step"] == 5
    assert "ai_completion" in first["metadata"]["dev.codetape"]["contributors"]["ai"]


NINE = "import os\n\n\ndef five():\n    return 5\n\n\ndef nine():\n    return 9\n"
CHANGED = NINE.replace("return 5", "return 5 * 11")


def agent_write(t_ms: int, text: str, **fields: Any) -> Step:
    return step("file_change", t_ms, path="a.py", change="modified", text=text, origin="agent",
                origin_detail="claude-code:PostToolUse Edit", **fields)


def test_an_agent_s_write_gives_it_the_lines_its_tool_reported_whether_the_file_was_known_or_not() -> None:
    reported = {"changed_lines": [[5, 1, 5, 1]], "changed_chars": 5}
    unknown_before = authors([agent_write(1, CHANGED, **reported)])
    assert list(unknown_before.ranges("a.py")) == [("ai", 5, 5)]
    known = authors([step("gap", 0, reason="snapshot", state=[{"path": "a.py", "text": NINE}]),
                     agent_write(1, CHANGED, **reported)])
    assert list(known.ranges("a.py")) == [("ai", 5, 5)]
    # the developer's line 2 stays theirs, moved down by the agent's two lines above it
    typed = authors([step("open", 0, path="a.py", text="a\nb\n"), edit(1, 1, 0, 1, 1, "B", "typed"),
                     step("save", 2, path="a.py"), step("close", 3, path="a.py"),
                     agent_write(4, "x\ny\na\nB\n", changed_lines=[[1, 0, 1, 2]], changed_chars=4)])
    assert list(typed.ranges("a.py")) == [("ai", 1, 2), ("human", 4, 4)]


def test_an_agent_s_write_nothing_tells_of_over_a_file_never_seen_is_unknown() -> None:
    assert list(authors([agent_write(1, CHANGED)]).ranges("a.py")) == [("unknown", 1, 9)]
    created = step("file_change", 1, path="a.py", change="created", text="x\n", origin="agent")
    assert list(authors([created]).ranges("a.py")) == [("ai", 1, 1)]  # the watcher saw it created
    # a report that does not fit the text (another write's): labelled as if there were none
    assert list(authors([agent_write(1, CHANGED, changed_lines=[[20, 1, 20, 1]])]).ranges("a.py")) == \
        [("unknown", 1, 9)]


def test_whose_work_counts_what_the_tool_inserted_when_the_text_before_is_not_known() -> None:
    from collector.episode.disk_writes import disk_write

    write = agent_write(1, CHANGED, changed_lines=[[5, 1, 5, 1]], changed_chars=5)
    assert disk_write(write, None) == ("agent", 5)  # type: ignore[arg-type]
    assert disk_write(write, NINE) == ("agent", 5)  # type: ignore[arg-type]
    assert disk_write(agent_write(1, CHANGED), None) == ("agent", 0)  # type: ignore[arg-type]
    created = step("file_change", 1, path="b.py", change="created", text="new\n")
    assert disk_write(created, None) == ("unknown", 4)  # type: ignore[arg-type]


def test_an_agent_s_write_to_a_file_open_in_the_editor_is_its_lines_through_the_reload() -> None:
    """Issue 54, item 2: the agent writes the file the developer has open (nothing unsaved), the editor
    reads it again (Neovim: close and open; VS Code: an edit) and the developer types on. The agent's line
    had gone to nobody at the close."""
    opened = step("open", 0, path="a.py", text="a\nb\n")
    typed = edit(1, 1, 0, 1, 1, "B", "typed")
    write = agent_write(3, "a\nB\nc\n", changed_lines=[[3, 0, 3, 1]], changed_chars=2)
    after_close = authors([opened, typed, step("save", 2, path="a.py"), write, step("close", 4, path="a.py"),
                           step("open", 5, path="a.py", text="a\nB\nc\n"), edit(6, 0, 1, 0, 1, "!", "typed")])
    assert list(after_close.ranges("a.py")) == [("human", 1, 2), ("ai", 3, 3)]
    as_an_edit = authors([opened, typed, step("save", 2, path="a.py"), write,
                          edit(4, 2, 0, 2, 0, "c\n", None), edit(6, 0, 1, 0, 1, "!", "typed")])
    assert list(as_an_edit.ranges("a.py")) == [("human", 1, 2), ("ai", 3, 3)]


def key(t_ms: int, line: int, col: int, end_col: int, text: str, origin: str, detail: str,
        end_line: int | None = None) -> Step:
    """An edit as Neovim's plugin labels a key: `x` (typed, nvim:normal x), `u` (undo, nvim:undotree)."""
    return step("edit", t_ms, path="a.py", origin=origin, origin_detail=detail, changes=[{"range": {
        "start": {"line": line, "character": col},
        "end": {"line": line if end_line is None else end_line, "character": end_col}}, "text": text}])


def test_an_undo_of_the_developer_s_x_gives_the_agent_s_line_back_to_the_agent() -> None:
    """Issue 54, item 8: `x` then `u` on the agent's `import re` credited the line to the human (or mixed):
    an undo that brings back exactly the text before a change brings back its lines' contributors."""
    x = key(10, 0, 0, 1, "", "typed", "nvim:normal x")
    completed = edit(1, 0, 0, 0, 0, "import re", "ai_completion")
    for wrote in ([step("open", 0, path="a.py", text="\nx = 1\n"), completed],
                  [agent_write(0, "import re\nx = 1\n", changed_lines=[[1, 0, 1, 1]], changed_chars=10),
                   step("open", 1, path="a.py", text="import re\nx = 1\n")]):
        for undo in (key(20, 0, 0, 0, "i", "undo", "nvim:undotree"),  # the character put back
                     key(20, 0, 0, 0, "import re\n", "undo", "nvim:undotree", end_line=1)):  # the line
            found = authors([*wrote, x, undo])
            assert found.workspace.text("a.py") == "import re\nx = 1\n"
            assert list(found.ranges("a.py")) == [("ai", 1, 1)], (wrote, undo)


def test_an_undo_of_several_changes_at_once_and_its_redo_give_back_the_contributors_of_each_state() -> None:
    """Insert mode's keys are one undo step: `u` takes back three typed characters in one change, and
    CTRL-R puts them back; the line is the AI's, then mixed again. An undo that brings back a text this
    replay never held stays the developer's."""
    steps = [step("open", 0, path="a.py", text="x = 1\n"), edit(1, 0, 5, 0, 5, "  # ai", "ai_completion"),
             *(edit(10 + n, 0, 11 + n, 0, 11 + n, char, "typed") for n, char in enumerate("abc")),
             key(20, 0, 11, 14, "", "undo", "nvim:undotree")]
    undone = authors(steps)
    assert undone.workspace.text("a.py") == "x = 1  # ai\n" and list(undone.ranges("a.py")) == [("ai", 1, 1)]
    redone = authors([*steps, key(30, 0, 11, 11, "abc", "redo", "nvim:undotree")])
    assert list(redone.ranges("a.py")) == [("mixed", 1, 1)]
    other = authors([*steps[:2], key(20, 0, 0, 0, "y", "undo", "nvim:undotree")])
    assert list(other.ranges("a.py")) == [("mixed", 1, 1)]  # (today's merge: the undo is the human's)


def test_a_format_owns_the_lines_it_changed_and_the_agent_s_line_it_left_stays_the_agent_s() -> None:
    """Issue 90: the bridge records a format as the lines it changed (lsp_bridge/capture/sync.py
    `formatted`), so Agent Trace gives the agent's line between two formatted ones to the AI; recorded as
    Neovim sent it (one change re-inserting the lines between) it would all be the format's."""
    from lsp_bridge.capture.sync import formatted

    before = "def f( a ):\n    LIMIT = 10\n    return ( a )\n"
    after = "def f(a):\n    LIMIT = 10\n    return a\n"
    write = agent_write(1, before, changed_lines=[[2, 0, 2, 1]], changed_chars=15)
    lines = formatted(before, after, "utf-16", ())
    assert lines is not None
    changes = [{"range": msgspec.to_builtins(c.range), "text": c.text} for c in lines[0]]
    as_recorded = step("edit", 3, path="a.py", changes=changes, origin="format")
    found = authors([step("open", 0, path="a.py", text="def f( a ):\n    return ( a )\n"), write,
                     step("close", 2, path="a.py"), step("open", 2, path="a.py", text=before), as_recorded])
    assert found.workspace.text("a.py") == after
    assert list(found.ranges("a.py")) == [("human", 1, 1), ("ai", 2, 2), ("human", 3, 3)]
    as_sent = authors([step("open", 0, path="a.py", text="def f( a ):\n    return ( a )\n"), write,
                       step("close", 2, path="a.py"), step("open", 2, path="a.py", text=before),
                       edit(3, 0, 6, 3, 0, after[6:], "format")])
    assert list(as_sent.ranges("a.py")) == [("human", 1, 3)]
