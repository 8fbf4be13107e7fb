"""Proxy mode's reading of forwarded traffic (lsp_bridge/modes/traffic.py), in process, with the real capture
and recorder in front of a collector connection that keeps what it is sent: the position encoding the
two sides agreed on (clangd's `offsetEncoding` too) and pulled diagnostics (issue 27, items 6 and 7)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lsp_bridge.capture.handlers import EditorCapture
from lsp_bridge.documents.tracked import TrackedDocuments
from lsp_bridge.documents.workspaces import Workspaces
from lsp_bridge.modes.traffic import Traffic, negotiated_encoding
from lsp_bridge.recording.recorder import Recorder
from tests.unit.lsp_bridge.test_observe import Collected
from tests.waiting import wait_for

DIAGNOSTIC = {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
              "message": "undefined name 'x'", "severity": 1}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path.resolve()


@pytest.fixture
def proxied(root: Path) -> Iterator[tuple[Traffic, Collected]]:
    collected = Collected()
    documents = TrackedDocuments()
    recorder = Recorder(lambda: collected, state=documents.file_states)
    recorder.start()
    found = Workspaces(lambda path: root if path == root or root in path.parents else None)
    traffic = Traffic(EditorCapture(recorder, found, documents), server_name="pulling-server")
    try:
        yield traffic, collected
    finally:
        recorder.flush()


def message(traffic: Traffic, side: str, payload: dict[str, Any]) -> None:
    traffic.received(side, 1000, json.dumps({"jsonrpc": "2.0", **payload}).encode(), None)


def start(traffic: Traffic, root: Path, answer: dict[str, Any]) -> None:
    message(traffic, "editor", {"id": 1, "method": "initialize", "params": {
        "rootUri": root.as_uri(), "capabilities": {"offsetEncoding": ["utf-8", "utf-16"]}}})
    message(traffic, "server", {"id": 1, "result": answer})
    message(traffic, "editor", {"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": (root / "a.py").as_uri(), "languageId": "python", "version": 1, "text": "x\n"}}})


def diagnostics(collected: Collected, count: int) -> list[dict[str, Any]]:
    wait_for(lambda: collected.kinds().count("diagnostics") >= count, what=f"{count} diagnostics steps")
    return [step for step in collected.steps if step["kind"] == "diagnostics"]


@pytest.mark.parametrize(("answer", "encoding"), [
    ({"capabilities": {}, "offsetEncoding": "utf-8"}, "utf-8"),  # clangd, offered offsetEncoding
    ({"capabilities": {"positionEncoding": "utf-32"}, "offsetEncoding": "utf-8"}, "utf-32"),
    ({"capabilities": {"positionEncoding": "utf-8"}}, "utf-8"),
    ({"capabilities": {}}, "utf-16"),
    ({"capabilities": {}, "offsetEncoding": "latin-1"}, "utf-16"),
    (None, "utf-16"),
])
def test_the_encoding_is_the_one_the_two_sides_agreed_on(answer: Any, encoding: str) -> None:
    assert negotiated_encoding(answer) == encoding


def test_clangds_offset_encoding_becomes_the_episodes(proxied: tuple[Traffic, Collected], root: Path) -> None:
    traffic, _ = proxied
    start(traffic, root, {"capabilities": {}, "offsetEncoding": "utf-8", "serverInfo": {"name": "clangd"}})
    assert traffic.capture.encoding == "utf-8"


def test_pulled_diagnostics_become_steps_as_published_ones_do(proxied: tuple[Traffic, Collected],
                                                              root: Path) -> None:
    traffic, collected = proxied
    start(traffic, root, {"capabilities": {"diagnosticProvider": {"interFileDependencies": False,
                                                                  "workspaceDiagnostics": True}}})
    uri = (root / "a.py").as_uri()
    document = {"textDocument": {"uri": uri}}
    message(traffic, "editor", {"id": 2, "method": "textDocument/diagnostic", "params": document})
    message(traffic, "server", {"id": 2, "result": {"kind": "full", "resultId": "r1", "items": [DIAGNOSTIC]}})
    message(traffic, "editor", {"id": 3, "method": "textDocument/diagnostic",
                                "params": {**document, "previousResultId": "r1"}})
    message(traffic, "server", {"id": 3, "result": {"kind": "unchanged", "resultId": "r1"}})
    message(traffic, "editor", {"id": 4, "method": "workspace/diagnostic",
                                "params": {"previousResultIds": []}})
    message(traffic, "server", {"id": 4, "result": {"items": [
        {"uri": uri, "version": 1, "kind": "full", "items": []}]}})
    steps = diagnostics(collected, 3)
    named = ("a.py", "pulling-server")
    assert [(s["path"], s["origin"], [i["message"] for i in s["items"]]) for s in steps] == [
        (*named, ["undefined name 'x'"]), (*named, ["undefined name 'x'"]), (*named, [])]


def test_an_unchanged_report_of_a_document_never_pulled_in_full_records_nothing(
        proxied: tuple[Traffic, Collected], root: Path) -> None:
    traffic, collected = proxied
    start(traffic, root, {"capabilities": {}})
    message(traffic, "editor", {"id": 2, "method": "textDocument/diagnostic",
                                "params": {"textDocument": {"uri": (root / "a.py").as_uri()}}})
    message(traffic, "server", {"id": 2, "result": {"kind": "unchanged", "resultId": "r0"}})
    message(traffic, "editor", {"method": "textDocument/didClose", "params": {"textDocument": {
        "uri": (root / "a.py").as_uri()}}})
    wait_for(lambda: "close" in collected.kinds(), what="the close step")
    assert "diagnostics" not in collected.kinds()
