"""Workspace bookkeeping: files appear, move, vanish and lose their content as steps say, in a budget."""

from __future__ import annotations

from typing import Any

import pytest

from collector.errors import ReconstructionError
from collector.reconstruct.workspace import LINE_COST, Workspace, workspace_at
from collector.text.longline import CHUNK
from schemas import Step, step_from_dict


def step(kind: str, t_ms: int = 0, **fields: Any) -> Step:
    return step_from_dict({"kind": kind, "t_ms": t_ms, "source": "watcher", **fields})


def test_renames_deletes_and_omitted_content() -> None:
    workspace = Workspace("utf-16")
    workspace.apply(step("file_change", path="a.py", change="created", text="one\ntwo\n"))
    workspace.apply(step("file_change", path="img.png", change="created", omitted="binary"))
    workspace.apply(step("file_change", path="a.py", change="renamed", new_path="b.py"))
    workspace.apply(step("file_change", path="img.png", change="renamed", new_path="logo.png"))
    assert workspace.files() == {"b.py": "one\ntwo\n"} and workspace.omitted == {"logo.png": "binary"}
    workspace.apply(step("file_change", path="logo.png", change="modified", text="now text"))
    workspace.apply(step("file_change", path="b.py", change="modified", omitted="too_large"))
    assert workspace.files() == {"logo.png": "now text"} and workspace.omitted == {"b.py": "too_large"}
    workspace.apply(step("gap", reason="paused", state=[{"path": "logo.png", "text": None},
                                                        {"path": "c.py", "text": "c"}]))
    workspace.apply(step("file_change", path="b.py", change="deleted"))
    assert workspace.files() == {"c.py": "c"} and workspace.omitted == {}


def test_links_are_a_layer_of_their_own_replaced_renamed_and_deleted_like_files() -> None:
    workspace = Workspace("utf-16")
    workspace.apply(step("file_change", path="cfg", change="created", link="../../.docker"))
    workspace.apply(step("file_change", path="a.py", change="created", text="a\n"))
    assert workspace.links == {"cfg": "../../.docker"} and workspace.files() == {"a.py": "a\n"}
    workspace.apply(step("file_change", path="a.py", change="modified", link="b.py"))
    workspace.apply(step("file_change", path="cfg", change="renamed", new_path="conf"))
    assert workspace.links == {"a.py": "b.py", "conf": "../../.docker"} and workspace.files() == {}
    workspace.apply(step("file_change", path="a.py", change="modified", text="text again\n"))
    workspace.apply(step("file_change", path="conf", change="deleted"))
    assert workspace.links == {} and workspace.files() == {"a.py": "text again\n"}


def test_weight_follows_the_files_and_the_limit_refuses_before_building() -> None:
    workspace = Workspace("utf-8", limit=1000)
    workspace.apply(step("open", path="a.py", text="ab\ncd"))
    assert workspace.weight == (5 + 2 * LINE_COST) + (5 + LINE_COST)  # the buffer and the disk's copy
    workspace.apply(step("save", path="a.py", text=""))
    assert workspace.weight == LINE_COST + LINE_COST
    with pytest.raises(ReconstructionError, match="above 0 MiB in memory"):
        workspace.apply(step("open", t_ms=9, path="b.py", text="\n" * 20))
    assert workspace.text("b.py") is None
    workspace.apply(step("close", path="a.py"))
    workspace.apply(step("file_change", path="a.py", change="deleted"))
    assert workspace.weight == 0


def typed(t_ms: int, path: str) -> Step:
    at = {"line": 0, "character": 0}
    return step("edit", t_ms, path=path, changes=[{"text": "y", "range": {"start": at, "end": at}}])


def test_the_work_limit_refuses_a_file_read_back_over_and_over() -> None:
    workspace = Workspace("utf-16", work_limit=50_000)
    workspace.apply(step("open", path="a.py", text=("x" * 99 + "\n") * 100))
    for t_ms in range(1, 5):  # each save of an edited buffer reads it back whole to put it on disk
        workspace.apply(typed(2 * t_ms - 1, "a.py"))
        workspace.apply(step("save", 2 * t_ms, path="a.py"))
    with pytest.raises(ReconstructionError, match=r"step at 9 ms: the replay has already copied or read back "
                                                  r"0 G characters .* refusing to go on"):
        workspace.apply(typed(9, "a.py"))


def test_a_buffer_as_it_was_opened_or_saved_is_the_disks_string_not_a_copy() -> None:
    workspace = Workspace("utf-16")
    text = "x" * 10_000
    workspace.apply(step("open", path="a.py", text=text))
    assert workspace.text("a.py") is text and workspace.files()["a.py"] is text
    work = workspace.work
    for t_ms in range(1, 100):  # saving what did not change reads nothing back
        workspace.apply(step("save", t_ms, path="a.py"))
    assert workspace.work == work and workspace.text("a.py") is text
    workspace.apply(typed(100, "a.py"))
    assert workspace.text("a.py") == "y" + text and workspace.disk["a.py"] is text
    workspace.apply(step("save", 101, path="a.py"))
    saved = workspace.disk["a.py"]
    assert saved == "y" + text and workspace.text("a.py") is saved
    workspace.apply(step("file_change", 102, path="a.py", change="modified", text="on disk"))
    assert workspace.text("a.py") == "y" + text  # the buffer, read back: the disk no longer holds it


def test_edits_inside_a_huge_line_cost_their_size_not_the_line() -> None:
    line = 4_000_000
    workspace = Workspace("utf-16")
    workspace.apply(step("open", path="a.txt", text="a" * line))
    for t_ms in range(1, 2001):
        end = {"line": 0, "character": line + t_ms - 1}
        workspace.apply(step("edit", t_ms, path="a.txt", changes=[{"text": "b", "range": {"start": end,
                                                                                          "end": end}}]))
    assert workspace.work < 2 * line + 2000 * 3 * CHUNK  # copying the line at each edit: 8e9
    assert workspace.text("a.txt") == "a" * line + "b" * 2000


def test_edits_need_an_open_document_and_steps_must_exist() -> None:
    with pytest.raises(ReconstructionError, match="never opened"):
        Workspace("utf-16").apply(step("edit", path="a.py", changes=[{"text": "x"}]))
    steps = [step("open", path="a.py", text="x"), step("edit", path="a.py", changes=[{"text": "y"}])]
    assert workspace_at("utf-16", steps, 0).files() == {"a.py": "x"}
    assert workspace_at("utf-16", steps).files() == {"a.py": "y"}
    with pytest.raises(ReconstructionError, match="only 2 steps"):
        workspace_at("utf-16", steps, 5)


def test_changes_on_disk_leave_open_buffers_alone() -> None:
    workspace = Workspace("utf-16")
    workspace.apply(step("open", path="a.py", text="mine\n"))
    workspace.apply(step("edit", path="a.py", changes=[{"text": "mine, unsaved\n"}]))
    workspace.apply(step("file_change", path="a.py", change="modified", text="from git checkout\n"))
    assert workspace.text("a.py") == "mine, unsaved\n"  # the editor has not reloaded
    workspace.apply(step("file_change", path="a.py", change="modified", omitted="too_large", size=9))
    workspace.apply(step("edit", path="a.py", changes=[{"text": "still editable\n"}]))
    assert workspace.files() == {"a.py": "still editable\n"} and workspace.omitted == {}
    workspace.apply(step("close", path="a.py"))
    assert workspace.files() == {} and workspace.omitted == {"a.py": "too_large"}


def test_closing_an_unsaved_buffer_falls_back_to_the_disk() -> None:
    workspace = Workspace("utf-16")
    workspace.apply(step("open", path="a.py", text="v1\n"))
    workspace.apply(step("edit", path="a.py", changes=[{"text": "v2\n"}]))
    workspace.apply(step("save", path="a.py"))
    workspace.apply(step("edit", path="a.py", changes=[{"text": "v3, never saved\n"}]))
    assert workspace.text("a.py") == "v3, never saved\n"
    workspace.apply(step("close", path="a.py"))
    assert workspace.text("a.py") == "v2\n"
    with pytest.raises(ReconstructionError, match="not open"):
        workspace.apply(step("edit", path="a.py", changes=[{"text": "x"}]))
    workspace.apply(step("gap", reason="other", state=[{"path": "a.py", "text": "jumped\n"}]))
    assert workspace.text("a.py") == "jumped\n"
    workspace.apply(step("edit", path="a.py", changes=[{"text": "edited after the hole\n"}]))
    assert workspace.text("a.py") == "edited after the hole\n"


def test_a_snapshot_is_on_disk_only_so_a_later_change_on_disk_reads_as_changed() -> None:
    """A snapshot's state (GapStep.on_disk_only) is what is on disk, not a document an editor has open: a
    file written by another program afterwards reads as written, and no edit lands without an open."""
    workspace = Workspace("utf-16")
    workspace.apply(step("gap", reason="snapshot", state=[{"path": "a.py", "text": "at the start\n"},
                                                          {"path": "t.py", "text": "t\n"}]))
    assert workspace.files() == {"a.py": "at the start\n", "t.py": "t\n"} and workspace.buffers == {}
    workspace.apply(step("file_change", path="a.py", change="modified", text="by git checkout\n"))
    assert workspace.text("a.py") == "by git checkout\n"
    with pytest.raises(ReconstructionError, match="not open"):
        workspace.apply(step("edit", path="t.py", changes=[{"text": "x"}]))
    workspace.apply(step("open", path="t.py", text="t\n"))
    workspace.apply(step("edit", path="t.py", changes=[{"text": "edited\n"}]))
    assert workspace.text("t.py") == "edited\n" and workspace.disk["t.py"] == "t\n"
    resync = Workspace("utf-16")  # any other gap's state is what the editor holds: it stays over the disk
    resync.apply(step("gap", reason="resync", state=[{"path": "a.py", "text": "at the start\n"}]))
    resync.apply(step("file_change", path="a.py", change="modified", text="by git checkout\n"))
    assert resync.text("a.py") == "at the start\n"
