"""The `initialize` exchange as both modes read it, and observe mode's one answer to it
(lsp_bridge/wire/initialize.py)."""

from __future__ import annotations

from typing import Any

import pytest

from lsp_bridge.errors import MalformedMessage
from lsp_bridge.wire.initialize import (
    EVERY_FILE,
    JUPYTERLAB,
    client_info_of,
    client_of,
    folders_of,
    initialize_result,
)
from schemas.methods import COMMANDS


def capabilities(params: Any) -> dict[str, Any]:
    result: dict[str, Any] = initialize_result(params)["capabilities"]
    return result


@pytest.mark.parametrize(("offered", "chosen"), [
    (None, "utf-16"),
    (["utf-32", "utf-8"], "utf-32"),
    (["utf-7", "utf-8"], "utf-8"),  # the first the bridge knows
    (["utf-7"], "utf-16"),
    ([], "utf-16"),
    ("utf-8", "utf-16"),  # not a list: not read as one
    ([8, "utf-8"], "utf-8"),
])
def test_the_position_encoding_is_the_editors_first_known_one(offered: Any, chosen: str) -> None:
    general = {} if offered is None else {"general": {"positionEncodings": offered}}
    assert capabilities({"capabilities": general})["positionEncoding"] == chosen


def test_the_answer_offers_text_sync_commands_and_the_editors_file_operations_only() -> None:
    offered = {"workspace": {"fileOperations": {"didCreate": True, "didRename": False, "didDelete": "yes",
                                                "willCreate": True}}}
    answer = capabilities({"capabilities": offered})
    assert answer["textDocumentSync"] == {"openClose": True, "change": 2, "save": {"includeText": True}}
    assert answer["executeCommandProvider"] == {"commands": list(COMMANDS)}
    assert answer["workspace"]["fileOperations"] == {"didCreate": EVERY_FILE}
    assert answer["workspace"]["workspaceFolders"] == {"supported": True, "changeNotifications": True}
    assert set(answer) == {"positionEncoding", "textDocumentSync", "executeCommandProvider", "workspace"}


@pytest.mark.parametrize(("params", "says"), [
    (5, "initialize params are not an object"),
    ({}, "initialize params have no capabilities object"),
    ({"capabilities": []}, "initialize params have no capabilities object"),
])
def test_params_without_a_capabilities_object_are_refused(params: Any, says: str) -> None:
    with pytest.raises(MalformedMessage, match=f"^{says}$"):
        initialize_result(params)


def test_folders_and_the_editors_name() -> None:
    assert folders_of({"workspaceFolders": [{"uri": "file:///a"}, {"uri": 5}], "rootUri": "file:///r"}) == \
        ["file:///a"]
    assert folders_of({"workspaceFolders": None, "rootUri": "file:///r"}) == ["file:///r"]
    assert folders_of({"rootPath": "/srv/p q"}) == ["file:///srv/p%20q"]
    assert folders_of({"rootPath": "relative"}) == []
    assert client_info_of({"clientInfo": {"name": "x" * 300, "version": 3}}) == {"name": "x" * 256,
                                                                                "version": None}
    assert client_info_of({"clientInfo": {"version": "1"}}) is None


JUPYTERLAB_PARAMS = {"capabilities": {"textDocument": {}}, "initializationOptions": None, "processId": None,
                     "rootUri": "file:///home/dev/ws", "workspaceFolders": None}  # @jupyterlab/lsp's, as sent


@pytest.mark.parametrize(("change", "named"), [
    ({}, {"name": JUPYTERLAB, "version": None}),
    ({"clientInfo": {"name": "Monaco", "version": "1"}}, {"name": "Monaco", "version": "1"}),
    ({"clientInfo": {"version": "1"}}, None),  # a clientInfo, malformed: not named, not inferred
    ({"processId": 4242}, None),
    ({"workspaceFolders": [{"uri": "file:///home/dev/ws", "name": "ws"}]}, None),
    ({"initializationOptions": {}}, None),
    ({"rootUri": None}, None),
    ({"rootUri": "untitled:ws"}, None),
])
def test_jupyterlab_is_inferred_from_the_request_it_sends_without_naming_itself(
        change: dict[str, Any], named: dict[str, Any] | None) -> None:
    params = {**JUPYTERLAB_PARAMS, **change}
    assert client_of(params) == named
    assert client_of(dict(reversed(params.items()))) == named  # (any order of the keys)


@pytest.mark.parametrize("left_out", ["initializationOptions", "processId", "workspaceFolders"])
def test_a_request_leaving_out_a_null_key_is_not_jupyterlab_s(left_out: str) -> None:
    assert client_of({key: value for key, value in JUPYTERLAB_PARAMS.items() if key != left_out}) is None


def test_notebook_sync_is_offered_to_an_editor_that_has_it() -> None:
    """VS Code's language client says it syncs notebooks: every notebook's every cell is asked for
    (lsp_bridge/capture/notebooks.py); an editor that does not say so is offered text sync only."""
    synced = {"notebookDocument": {"synchronization": {"dynamicRegistration": True}}}
    assert capabilities({"capabilities": synced})["notebookDocumentSync"] == {
        "notebookSelector": [{"notebook": "*", "cells": [{"language": "*"}]}], "save": True}
    assert "notebookDocumentSync" not in capabilities({"capabilities": {"notebookDocument": "no"}})
