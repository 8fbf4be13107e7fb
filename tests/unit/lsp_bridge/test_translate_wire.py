"""The steps the bridge builds are the schema's own structs (schemas/steps), the one wire type at the
collector socket: framed as the bridge frames them, each decodes straight back into an equal struct (one
typed msgspec decode, as the collector reads an `op: steps` message), and its plain form is the map the
bridge sent before it built structs, plus `t_ms` 0 (a builder that drops or renames a field fails here)."""

from __future__ import annotations

from typing import Any

import msgspec

from collector.protocol.framing import decode_body, encode
from collector.protocol.messages import StepsMessage, decoded
from lsp_bridge.authorship.offer_steps import _offer_step
from lsp_bridge.steps.translate import (
    close_step,
    command_step,
    content_changes,
    cursor_step,
    diagnostic_items,
    diagnostics_step,
    edit_step,
    file_change_step,
    file_content,
    gap_step,
    note_step,
    open_step,
    point,
    position,
    range_,
    save_step,
    step_size,
)
from schemas.steps import STEP_TYPES, FileState, Step, step_from_dict, step_to_dict
from schemas.steps.base import Position, Range
from schemas.steps.cursor import Selection

RANGED = {"range": {"start": {"line": 3, "character": 7}, "end": {"line": 4, "character": 0}},
          "text": "é😀\n"}
WHOLE = {"text": "the whole text\r\nwith é and 😀"}
DIAGNOSTICS: list[dict[str, Any]] = [
    {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 5}}, "message": "bad",
     "severity": 1, "code": "E501", "source": "ruff", "tags": [1]},
    {"range": {"start": {"line": 2, "character": 1}, "end": {"line": 9, "character": 12}},
     "message": {"kind": "markdown", "value": "markup"}, "code": 42},
    {"range": {"start": {"line": 5, "character": 0}, "end": {"line": 5, "character": 0}}, "message": "plain"},
]
SHA = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"  # sha256(b"foo")


def place(line: int, character: int) -> dict[str, int]:
    return {"line": line, "character": character}


def old_edit(path: str, version: int | None, changes: list[dict[str, Any]]) -> dict[str, Any]:
    """The edit step map as the bridge built it from dicts (translate.py's change_dicts, range_dict)."""
    step: dict[str, Any] = {"kind": "edit", "source": "bridge", "path": path, "changes": [
        {"text": c["text"]} if "range" not in c else
        {"range": {"start": c["range"]["start"], "end": c["range"]["end"]}, "text": c["text"]}
        for c in changes]}
    if version is not None:
        step["version"] = version
    return step


def pairs() -> list[tuple[Step, dict[str, Any]]]:
    """(built the bridge's way, the old dict form, without `t_ms`) for each builder."""
    params = {"textDocument": {"uri": "file:///ws/a.py", "version": 7}, "contentChanges": [RANGED, WHOLE]}
    edit = edit_step("/ws/a.py", 7, content_changes(params))
    amended = msgspec.structs.replace(  # as the recorder amends a held edit (authorship/origins.py)
        edit_step("/ws/a.py", None, content_changes({"contentChanges": [RANGED]})),
        origin="completion", origin_detail="lsp:textDocument/completion")
    caret = position(place(1, 2))
    selections = [Selection(anchor=caret, active=caret),
                  Selection(anchor=Position(line=9, character=4), active=Position(line=2, character=0))]
    where = range_({"start": place(0, 1), "end": place(0, 3)})
    offered = {"via": "inline", "evidence": "lsp:textDocument/inlineCompletion", "items": [{"text": "x"}],
               "decision": "accepted"}
    old_offer = {"kind": "offer", "source": "bridge", "path": "/ws/a.py", **offered}
    old_diagnostics = {"kind": "diagnostics", "source": "bridge", "path": "/ws/a.py", "origin": "ruff",
                       "items": [
                           {"range": DIAGNOSTICS[0]["range"], "message": "bad", "severity": 1, "code": "E501",
                            "source": "ruff"},
                           {"range": DIAGNOSTICS[1]["range"], "message": "markup", "code": 42},
                           {"range": DIAGNOSTICS[2]["range"], "message": "plain"}],
                       "version": 3}
    bridge = {"source": "bridge"}
    return [
        (edit, old_edit("/ws/a.py", 7, [RANGED, WHOLE])),
        (amended, {**old_edit("/ws/a.py", None, [RANGED]), "origin": "completion",
                   "origin_detail": "lsp:textDocument/completion"}),
        (edit_step("/ws/a.py", 8, content_changes({"contentChanges": [RANGED]}), ("paste", "nvim:vim.paste")),
         {**old_edit("/ws/a.py", 8, [RANGED]), "origin": "paste", "origin_detail": "nvim:vim.paste"}),
        (edit_step("b.py", 0, content_changes({"contentChanges": [{"text": ""}]})),
         old_edit("b.py", 0, [{"text": ""}])),
        (diagnostics_step("/ws/a.py", "ruff", 3, diagnostic_items(DIAGNOSTICS)), old_diagnostics),
        (diagnostics_step("/ws/a.py", "ruff", None, []),
         {"kind": "diagnostics", **bridge, "path": "/ws/a.py", "origin": "ruff", "items": []}),
        (cursor_step("/ws/a.py", selections), {"kind": "cursor", "source": "bridge", "path": "/ws/a.py",
                                                 "selections": [
                                                     {"anchor": place(1, 2), "active": place(1, 2)},
                                                     {"anchor": place(9, 4), "active": place(2, 0)}]}),
        (_offer_step("/ws/a.py", where, offered),
         {**old_offer, "range": {"start": place(0, 1), "end": place(0, 3)}}),
        (_offer_step("/ws/a.py", point(4, 2), {**offered, "provider": "copilot", "ai": True, "taken": 0}),
         {**old_offer, "range": {"start": place(4, 2), "end": place(4, 2)}, "provider": "copilot", "ai": True,
          "taken": 0}),
        (open_step("/ws/a.py", "python", 1, "x = 1\n"),
         {"kind": "open", **bridge, "path": "/ws/a.py", "text": "x = 1\n", "language_id": "python",
          "version": 1}),
        (open_step("/ws/a.py", "", None, ""), {"kind": "open", **bridge, "path": "/ws/a.py", "text": ""}),
        (close_step("/ws/a.py"), {"kind": "close", **bridge, "path": "/ws/a.py"}),
        (save_step("/ws/a.py", SHA, "foo"),
         {"kind": "save", **bridge, "path": "/ws/a.py", "sha256": SHA, "text": "foo"}),
        (save_step("/ws/a.py", None), {"kind": "save", **bridge, "path": "/ws/a.py"}),
        (file_change_step("/ws/a.py", "created", content=file_content(b"foo", max_bytes=10)),
         {"kind": "file_change", **bridge, "path": "/ws/a.py", "change": "created", "text": "foo",
          "sha256": SHA, "size": 3}),
        (file_change_step("/ws/a.bin", "modified", content=file_content(b"\0\1", max_bytes=10)),
         {"kind": "file_change", **bridge, "path": "/ws/a.bin", "change": "modified", "size": 2,
          "omitted": "binary"}),
        (file_change_step("/ws/big", "modified", content=file_content(b"x" * 11, max_bytes=10)),
         {"kind": "file_change", **bridge, "path": "/ws/big", "change": "modified", "size": 11,
          "omitted": "too_large"}),
        (file_change_step("/ws/a.py", "renamed", new_path="/ws/b.py"),
         {"kind": "file_change", **bridge, "path": "/ws/a.py", "change": "renamed", "new_path": "/ws/b.py"}),
        (file_change_step("/ws/a.py", "deleted"),
         {"kind": "file_change", **bridge, "path": "/ws/a.py", "change": "deleted"}),
        (command_step("make test", "src", 2, 1500),
         {"kind": "command", **bridge, "command_line": "make test", "cwd": "src", "duration_ms": 1500,
          "exit_code": 2}),
        (note_step("a note"), {"kind": "note", **bridge, "text": "a note"}),
        (gap_step("malformed_input", "didChange: bad", lost=1),
         {"kind": "gap", **bridge, "reason": "malformed_input", "detail": "didChange: bad", "lost_steps": 1}),
        (gap_step("resync", "why", state=[FileState(path="/ws/a.py", text="x\n")]),
         {"kind": "gap", **bridge, "reason": "resync", "detail": "why",
          "state": [{"path": "/ws/a.py", "text": "x\n"}]}),
        (gap_step("recorder_behind", "chunks", source="acp"),
         {"kind": "gap", "source": "acp", "reason": "recorder_behind", "detail": "chunks"}),
    ]


def test_every_builder_makes_the_schema_s_struct_whose_plain_form_is_the_old_map_with_its_time() -> None:
    for new, before in pairs():
        assert type(new) in STEP_TYPES and new.t_ms == 0
        assert step_to_dict(new) == {**before, "t_ms": 0}, before["kind"]
        assert list(step_to_dict(new))[:3] == ["kind", "t_ms", "source"]  # the tag first, as the wire has it


def test_framed_on_the_socket_each_step_decodes_straight_back_into_an_equal_struct() -> None:
    built = [new for new, _ in pairs()]
    batch = {"op": "steps", "items": [[at, step] for at, step in enumerate(built)]}
    body = encode(batch)[4:]
    assert decoded(body) == StepsMessage(items=list(enumerate(built)))  # as the collector's socket reads it
    assert msgspec.json.decode(encode(batch, as_json=True)[4:], type=StepsMessage).items == \
        list(enumerate(built))
    received = decode_body(body)["items"]  # the collector's map path (an older bridge's, a JSON client's)
    assert [step_from_dict(step) for _, step in received] == built
    old = {"op": "steps", "items": [[at, {**before, "t_ms": 0}] for at, (_, before) in enumerate(pairs())]}
    assert decoded(encode(old)[4:]) == StepsMessage(items=list(enumerate(built)))


def test_the_steps_the_bridge_builds_are_valid_steps_once_they_have_a_relative_path() -> None:
    for new, _ in pairs():
        plain = step_to_dict(new)
        for key in ("path", "new_path"):
            if key in plain:
                plain[key] = plain[key].removeprefix("/ws/")
        for state in plain.get("state", ()):
            state["path"] = state["path"].removeprefix("/ws/")
        step_from_dict(plain)


def test_the_struct_holds_the_readers_parts_as_built() -> None:
    edit = edit_step("/ws/a.py", 7, content_changes({"contentChanges": [RANGED, WHOLE]}))
    assert [type(c.range) for c in edit.changes] == [Range, type(None)]
    diagnostics = diagnostics_step("/ws/a.py", "ruff", 3, diagnostic_items(DIAGNOSTICS))
    assert all(isinstance(item.range, Range) for item in diagnostics.items)


def test_a_step_s_size_estimate_reads_its_kind_s_texts_and_lists() -> None:
    sizes = {before["kind"] + str(index): step_size(new) for index, (new, before) in enumerate(pairs())}
    assert sizes["edit0"] == 256 + 2 * 96 + len(RANGED["text"]) + len(WHOLE["text"])
    assert sizes["diagnostics4"] == 256 + 3 * 160 and sizes["cursor6"] == 256 + 2 * 96
    assert sizes["offer7"] == 256 + 160 and sizes["open9"] == 256 + len("x = 1\n")
    assert sizes["command19"] == 256 + len("make test") and sizes["gap22"] == 256 + 64 + len("x\n")
    assert sizes["close11"] == sizes["note20"] - len("a note") == 256
