"""The step maps the bridge sends hold schemas' structs (`ContentChange`, `Range`, `Selection`); on the
collector socket they are the same bytes as the plain dicts the bridge sent before it held them."""

from __future__ import annotations

from typing import Any

import msgspec

from collector.protocol.framing import decode_body, encode
from lsp_bridge.translate import (
    content_changes,
    cursor_step,
    diagnostic_items,
    diagnostics_step,
    edit_step,
    point,
    position,
    range_,
)
from schemas import step_from_dict
from schemas.steps.base import Position, Range
from schemas.steps.cursor import Selection

RANGED = {"range": {"start": {"line": 3, "character": 7}, "end": {"line": 4, "character": 0}},
          "text": "é😀\n"}
WHOLE = {"text": "the whole text\r\nwith é and 😀"}
DIAGNOSTICS = [
    {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 5}}, "message": "bad",
     "severity": 1, "code": "E501", "source": "ruff", "tags": [1]},
    {"range": {"start": {"line": 2, "character": 1}, "end": {"line": 9, "character": 12}},
     "message": {"kind": "markdown", "value": "markup"}, "code": 42},
    {"range": {"start": {"line": 5, "character": 0}, "end": {"line": 5, "character": 0}}, "message": "plain"},
]


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


def pairs() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(built the bridge's way, the old dict form) for each kind of step that holds positions."""
    params = {"textDocument": {"uri": "file:///ws/a.py", "version": 7}, "contentChanges": [RANGED, WHOLE]}
    edit = edit_step("/ws/a.py", 7, content_changes(params))
    amended = {**edit_step("/ws/a.py", None, content_changes({"contentChanges": [RANGED]})),
               "origin": "completion", "origin_detail": "lsp:textDocument/completion"}
    caret = position(place(1, 2))
    selections = [Selection(anchor=caret, active=caret),
                  Selection(anchor=Position(line=9, character=4), active=Position(line=2, character=0))]
    where = range_({"start": place(0, 1), "end": place(0, 3)})
    offer = {"kind": "offer", "source": "bridge", "path": "/ws/a.py", "range": where, "via": "inline",
             "evidence": "lsp:textDocument/inlineCompletion", "items": [{"text": "x"}],
             "decision": "accepted"}
    old_diagnostics = {"kind": "diagnostics", "source": "bridge", "path": "/ws/a.py", "origin": "ruff",
                       "items": [
                           {"range": DIAGNOSTICS[0]["range"], "message": "bad", "severity": 1, "code": "E501",
                            "source": "ruff"},
                           {"range": DIAGNOSTICS[1]["range"], "message": "markup", "code": 42},
                           {"range": DIAGNOSTICS[2]["range"], "message": "plain"}],
                       "version": 3}
    return [
        (edit, old_edit("/ws/a.py", 7, [RANGED, WHOLE])),
        (amended, {**old_edit("/ws/a.py", None, [RANGED]), "origin": "completion",
                   "origin_detail": "lsp:textDocument/completion"}),
        (edit_step("b.py", 0, content_changes({"contentChanges": [{"text": ""}]})),
         old_edit("b.py", 0, [{"text": ""}])),
        (diagnostics_step("/ws/a.py", "ruff", 3, diagnostic_items(DIAGNOSTICS)), old_diagnostics),
        (cursor_step("/ws/a.py", selections), {"kind": "cursor", "source": "bridge", "path": "/ws/a.py",
                                                 "selections": [
                                                     {"anchor": place(1, 2), "active": place(1, 2)},
                                                     {"anchor": place(9, 4), "active": place(2, 0)}]}),
        (offer, {**offer, "range": {"start": place(0, 1), "end": place(0, 3)}}),
        ({**offer, "range": point(4, 2)}, {**offer, "range": {"start": place(4, 2), "end": place(4, 2)}}),
    ]


def test_steps_holding_structs_are_the_same_bytes_on_the_socket_as_their_old_dict_form() -> None:
    built = [new for new, _ in pairs()]
    old = [old for _, old in pairs()]
    assert all(isinstance(change, msgspec.Struct) for change in built[0]["changes"])
    assert isinstance(built[3]["items"][0]["range"], Range)
    for index, (new, before) in enumerate(pairs()):
        assert encode({"op": "steps", "items": [[index, new]]}) == \
            encode({"op": "steps", "items": [[index, before]]})
    batch = {"op": "steps", "items": [[at, step] for at, step in enumerate(built)]}
    old_batch = {"op": "steps", "items": [[at, step] for at, step in enumerate(old)]}
    assert encode(batch) == encode(old_batch)
    assert encode(batch, as_json=True) == encode(old_batch, as_json=True)
    received = decode_body(encode(batch)[4:])["items"]
    assert [step for _, step in received] == old


def test_the_steps_the_bridge_builds_are_valid_steps_once_they_have_a_time_and_a_relative_path() -> None:
    for new, _ in pairs():
        step_from_dict({**msgspec.to_builtins(new), "path": new["path"].removeprefix("/ws/"), "t_ms": 0})
