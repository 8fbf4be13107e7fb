"""LSP params to steps: pure functions, checked against the schema the collector validates with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from collector.text.digest import sha256_text
from lsp_bridge.capture.actions import (
    code_action_titles,
    completion_candidates,
    strip_snippet,
    workspace_edit_summary,
)
from lsp_bridge.documents.workspaces import Workspaces, uri_to_path
from lsp_bridge.errors import MalformedMessage
from lsp_bridge.steps.translate import (
    MAX_STEP_BYTES,
    close_step,
    command_step,
    content_changes,
    cursor_step,
    diagnostic_items,
    diagnostics_step,
    document_uri,
    document_version,
    edit_step,
    file_change_step,
    file_content,
    gap_step,
    note_step,
    open_step,
    save_step,
    step_size,
    too_large,
)
from schemas import step_from_dict
from schemas.limits import SHORT_TEXT_MAX
from schemas.steps.base import Position, Range
from schemas.steps.cursor import Selection
from schemas.steps.edit import ContentChange


def valid(step: dict[str, Any]) -> dict[str, Any]:
    """The step as the collector will see it (its plain form, as the framing writes it): it must pass the
    schema once it has a time."""
    plain: dict[str, Any] = msgspec.to_builtins(step)
    step_from_dict({**plain, "t_ms": 0})
    return plain


def change_params(changes: Any) -> dict[str, Any]:
    return {"textDocument": {"uri": "file:///ws/a.py", "version": 3}, "contentChanges": changes}


def test_incremental_and_full_changes_become_one_edit_step() -> None:
    params = change_params([
        {"range": {"start": {"line": 0, "character": 1}, "end": {"line": 0, "character": 2}}, "text": "é"},
        {"text": "whole 😀", "rangeLength": 3},
    ])
    changes = content_changes(params)
    where = Range(start=Position(line=0, character=1), end=Position(line=0, character=2))
    assert changes == [ContentChange(range=where, text="é"),
                       ContentChange(text="whole 😀")]
    step = valid(edit_step("a.py", document_version(params), changes))
    assert step["version"] == 3 and step["changes"][1] == {"text": "whole 😀"}
    assert step["changes"][0]["range"]["end"] == {"line": 0, "character": 2}


@pytest.mark.parametrize(("changes", "message"), [
    ("abc", "not a non-empty list"),
    ([], "not a non-empty list"),
    ([{"text": 5}], "text is not a string"),
    ([{"range": {"start": {"line": -1, "character": 0}, "end": {"line": 0, "character": 0}}, "text": ""}],
     "start.line is not an integer"),
    ([{"range": {"start": {"line": True, "character": 0}, "end": {"line": 0, "character": 0}}, "text": ""}],
     "start.line is not an integer"),
    ([{"range": {"start": {"line": 0}, "end": {"line": 0, "character": 0}}, "text": ""}],
     "start.character is not an integer"),
    ([{"range": [0, 1], "text": ""}], "range is not an object"),
])
def test_malformed_changes_are_refused_with_a_line_naming_the_field(changes: Any, message: str) -> None:
    with pytest.raises(MalformedMessage, match=message):
        content_changes(change_params(changes))


def test_document_uri_and_version_are_checked() -> None:
    assert document_uri({"textDocument": {"uri": "file:///x"}}) == "file:///x"
    with pytest.raises(MalformedMessage, match="textDocument is not an object"):
        document_uri({"textDocument": "file:///x"})
    with pytest.raises(MalformedMessage, match="version"):
        document_version({"textDocument": {"uri": "file:///x", "version": "3"}})


def test_open_close_save_and_file_change_steps_are_schema_valid() -> None:
    valid(open_step("src/a.py", "python", 0, "print('😀')\n"))
    valid(close_step("src/a.py"))
    saved = valid(save_step("src/a.py", sha256_text("x"), "x"))
    assert saved["sha256"] == "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
    assert "text" not in valid(save_step("a.py", None))
    assert valid(file_change_step("a.py", "renamed", new_path="b.py"))["new_path"] == "b.py"


def test_file_content_keeps_text_and_names_what_it_leaves_out() -> None:
    assert file_content("héllo".encode(), max_bytes=100) == {
        "text": "héllo", "sha256": sha256_text("héllo"), "size": 6}
    assert file_content(b"\x00\x01", max_bytes=100)["omitted"] == "binary"
    assert file_content(b"\xff\xfe", max_bytes=100)["omitted"] == "binary"
    assert file_content(b"a" * 101, max_bytes=100) == {"size": 101, "omitted": "too_large"}
    for content in ({"text": "x"}, {"size": 3, "omitted": "binary"}):
        valid(file_change_step("a.bin", "created", content=content))


def test_diagnostics_keep_the_recorded_fields_and_cut_what_is_too_long() -> None:
    raw = [{"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 4}},
            "severity": 2, "message": "m" * 70_000, "code": "E501", "source": "pyflakes",
            "tags": [1], "data": {"anything": True}},
           {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
            "severity": 9, "message": {"kind": "markdown", "value": "**bold**"}, "code": True}]
    items = diagnostic_items(raw)
    step = valid(diagnostics_step("a.py", "pylsp", 4, items))
    first, second = step["items"]
    assert len(first["message"]) == SHORT_TEXT_MAX and first["code"] == "E501" and first["severity"] == 2
    assert second == {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
                      "message": "**bold**"}
    with pytest.raises(MalformedMessage, match=r"diagnostics\[0\].message"):
        diagnostic_items([{"range": raw[0]["range"]}])


def test_cursor_command_note_and_gap_steps_are_schema_valid() -> None:
    valid(cursor_step("a.py", [Selection(anchor=Position(line=0, character=1),
                                           active=Position(line=0, character=3)),
                                 Selection(anchor=Position(line=2, character=0),
                                           active=Position(line=2, character=0))]))
    valid(command_step("pytest -q", "src", 1, 1234))
    valid(note_step("n" * 100_000))
    gap = valid(gap_step("recorder_behind", "lost", lost=3, state=[{"path": "a.py", "text": "x"}]))
    assert gap["lost_steps"] == 3
    assert "lost_steps" not in valid(gap_step("other", "nothing lost"))


def test_too_large_measures_utf8_only_near_the_cap() -> None:
    assert not too_large("a" * 1000)
    assert not too_large("a" * (MAX_STEP_BYTES - 10))
    assert too_large("a" * (MAX_STEP_BYTES // 2), "a" * (MAX_STEP_BYTES // 2 + 1))
    assert too_large("😀" * (MAX_STEP_BYTES // 4 + 1))


def test_step_size_grows_with_the_text_it_carries() -> None:
    small = step_size(edit_step("a.py", 1, [ContentChange(text="x")]))
    large = step_size(edit_step("a.py", 1, [ContentChange(text="x" * 10_000)]))
    assert large - small == 9_999


@pytest.mark.parametrize(("snippet", "inserted"), [
    ("print($1)$0", "print()"), ("for ${1:i} in ${2:range(3)}:", "for i in range(3):"),
    ("${1|a,b|}", "a"), (r"cost \$5", "cost $5"), ("plain", "plain"),
])
def test_strip_snippet(snippet: str, inserted: str) -> None:
    assert strip_snippet(snippet) == inserted


def test_completion_candidates_prefer_the_text_edit_then_insert_text_then_label() -> None:
    result = {"isIncomplete": False, "items": [
        {"label": "print", "textEdit": {"newText": "print($1)", "range": {}}, "insertTextFormat": 2},
        {"label": "os", "insertText": "os.path"}, {"label": "x"}, {"nolabel": 1}, "junk"]}
    assert completion_candidates(result) == [("print", "print()"), ("os", "os.path"), ("x", "x")]
    assert completion_candidates([{"label": "a"}]) == [("a", "a")]
    assert completion_candidates(None) == []


def test_code_action_titles_and_workspace_edit_summary() -> None:
    actions = [{"title": "Fix import", "command": {"command": "pylsp.fix", "title": "x"}},
               {"title": "Bare", "command": "other"}, {"title": "Edit only", "edit": {}}, 3]
    titles = code_action_titles(actions)  # a bare Command carries its id as a string
    assert titles == [("Fix import", "pylsp.fix"), ("Bare", "other"), ("Edit only", None)]
    edit = {"changes": {"file:///a": [{}, {}]},
            "documentChanges": [{"textDocument": {"uri": "file:///b"}, "edits": [{}]},
                                {"kind": "create", "uri": "file:///c"}]}
    assert workspace_edit_summary(edit) == (4, ["file:///a", "file:///b", "file:///c"])


def test_uris_to_workspace_relative_paths(tmp_path: Any) -> None:
    root = tmp_path / "ws"
    (root / "src").mkdir(parents=True)
    (root / ".codetape.toml").write_text("")
    workspaces = Workspaces(lambda p: root if p.is_relative_to(root) else None)
    file = root / "src" / "naïve file.py"
    assert workspaces.locate(file.as_uri()) == (root, "src/naïve file.py")
    assert workspaces.locate("untitled:Untitled-1") is None
    assert workspaces.locate("file://remotehost/x.py") is None
    assert workspaces.locate((tmp_path / "elsewhere.py").as_uri()) is None
    assert workspaces.locate(root.as_uri()) is None
    assert uri_to_path("file:///a/../b/%2e%2e/c") == uri_to_path("file:///c")
    assert workspaces.add_folders([root.as_uri(), "file:///nowhere"]) == [root]
    assert workspaces.root_for(None) == root and workspaces.root_for(file.as_uri()) == root


@pytest.mark.parametrize("above", ["", "projects", "projects/team"])
def test_a_virtual_document_belongs_to_its_notebook_s_workspace(tmp_path: Path, above: str) -> None:
    """Jupyter started one, two or three folders above two workspaces (`home`): `ROOT/.virtual_documents/REL`
    is located in the workspace holding the notebook `ROOT/REL`, at the path it has when Jupyter is started
    in the workspace itself."""
    jupyter = tmp_path / "home"
    one, two = jupyter / above / "ws", jupyter / above / "other"
    opted = [one, two]
    workspaces = Workspaces(lambda p: next((root for root in opted if p.is_relative_to(root)), None))
    shadow = jupyter / ".virtual_documents"
    inside = Path(above)
    for root in opted:
        uri = (shadow / inside / root.name / "sub" / "nb.ipynb").as_uri()
        assert workspaces.locate(uri) == (root, ".virtual_documents/sub/nb.ipynb")
    assert workspaces.locate((one / ".virtual_documents" / "nb.ipynb").as_uri()) == (
        one, ".virtual_documents/nb.ipynb")  # started in the workspace itself
    assert workspaces.locate((one / "sub" / ".virtual_documents" / "nb.ipynb").as_uri()) == (
        one, ".virtual_documents/sub/nb.ipynb")  # ... or in a folder of it: the notebook is `sub/nb.ipynb`
    for elsewhere in (shadow / inside / "stray" / "nb.ipynb", shadow / inside / "ws.ipynb",
                      shadow / inside / "ws" / "script.py", jupyter / "nb.ipynb"):
        assert workspaces.locate(elsewhere.as_uri()) is None, elsewhere  # no notebook in a workspace
    # a notebook outside them is said to be unrecorded (Jupyter's log, `codetape status`); nothing else is
    stray = shadow / inside / "stray" / "nb.ipynb"
    assert workspaces.unrecorded_notebook(stray.as_uri()) == jupyter / inside / "stray" / "nb.ipynb"
    assert workspaces.unrecorded_notebook((shadow / inside / "ws" / "sub" / "nb.ipynb").as_uri()) is None
    assert workspaces.unrecorded_notebook((shadow / inside / "ws" / "script.py").as_uri()) is None
    assert workspaces.unrecorded_notebook((jupyter / "nb.ipynb").as_uri()) is None  # (not a virtual one)


def test_each_workspace_root_is_one_object(tmp_path: Path) -> None:
    """The recorder keys its sessions by root: every document of a workspace gives the very object its
    folder registered (found anew each time, as collector.workspace.find finds it)."""
    root = tmp_path / "ws"
    root.mkdir()
    workspaces = Workspaces(lambda p: Path(str(root)) if p.is_relative_to(root) else None)
    [registered] = workspaces.add_folders([root.as_uri()])
    first, second = (workspaces.locate((root / name).as_uri()) for name in ("a.py", "b.py"))
    assert first is not None and second is not None
    assert first.root is registered and second.root is registered and first.path == "a.py"
