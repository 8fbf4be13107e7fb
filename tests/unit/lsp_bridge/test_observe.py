"""Observe mode's JSON-RPC, in process: what each kind of message gets back, what becomes a gap, and the
bridge's own requests to the editor. The recorder is the real one, in front of a collector connection
that keeps what it is sent (`Collected`); the editor's side is the bytes the Observer writes."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from lsp_bridge.capture.handlers import EditorCapture
from lsp_bridge.documents.tracked import TrackedDocuments
from lsp_bridge.documents.workspaces import Workspaces
from lsp_bridge.modes.observe import INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, Observer
from lsp_bridge.recording.recorder import Recorder
from lsp_bridge.wire.framing import Framer, encode
from lsp_bridge.wire.initialize import initialize_result
from tests.waiting import wait_for


class Collected:
    """A collector connection that records every step sent (as the collector reads it) and answers every
    request with `{}`."""

    def __init__(self) -> None:
        self.steps: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    @property
    def closed(self) -> bool:
        return False

    def hello(self, workspace: Path, source: str, *, client: dict[str, Any] | None = None,
              position_encoding: str | None = None) -> dict[str, Any]:
        return {"recording": True, "episode": "e1", "position_encoding": position_encoding}

    def send_steps(self, items: list[tuple[int, dict[str, Any]]]) -> None:
        with self._lock:  # each step's plain form: what the framing writes of the structs it holds
            self.steps.extend(msgspec.to_builtins(step) for _, step in items)

    def request(self, op: str, **args: Any) -> Any:
        return {}

    def next_event(self, timeout: float | None = None) -> dict[str, Any] | None:
        return None

    def close(self) -> None:
        pass

    def kinds(self) -> list[str]:
        with self._lock:
            return [s["kind"] for s in self.steps]


class Editor:
    """What the Observer wrote to the editor, read back as messages."""

    def __init__(self) -> None:
        self._framer = Framer()
        self.messages: list[dict[str, Any]] = []

    def write(self, data: bytes) -> None:
        self.messages.extend(json.loads(f.body) for f in self._framer.feed(data) if f.body is not None)

    def answer(self, key: Any) -> dict[str, Any]:
        [found] = [m for m in self.messages if m.get("id") == key and "method" not in m]
        return found


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path.resolve()


@pytest.fixture
def collected() -> Collected:
    return Collected()


@pytest.fixture
def observer(root: Path, collected: Collected) -> Iterator[tuple[Observer, Editor]]:
    editor = Editor()
    documents = TrackedDocuments()
    recorder = Recorder(lambda: collected, state=documents.file_states)
    recorder.start()
    found = Workspaces(lambda path: root if path == root or root in path.parents else None)
    observer = Observer(EditorCapture(recorder, found, documents), editor.write, clock=lambda: 1000)
    try:
        yield observer, editor
    finally:
        recorder.flush()


def send(observer: Observer, payload: Any) -> None:
    for frame in Framer().feed(encode(payload) if isinstance(payload, dict) else payload):
        observer.receive(frame, 1000)


def initialize(observer: Observer, root: Path, key: int = 1) -> None:
    send(observer, {"jsonrpc": "2.0", "id": key, "method": "initialize",
                    "params": {"rootUri": root.as_uri(), "capabilities": {
                        "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}}}}})


def open_doc(observer: Observer, root: Path) -> None:
    send(observer, {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": (root / "a.py").as_uri(), "languageId": "python", "version": 1, "text": "x = 1\n"}}})


def test_requests_get_their_answer_or_an_error_and_none_after_shutdown(
        observer: tuple[Observer, Editor], root: Path, caplog: pytest.LogCaptureFixture) -> None:
    server, editor = observer
    initialize(server, root)
    assert editor.answer(1)["result"] == initialize_result({"capabilities": {}})
    send(server, {"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {}})
    send(server, {"jsonrpc": "2.0", "id": "three", "method": "workspace/executeCommand",
                  "params": {"command": 5}})
    assert editor.answer(2)["error"]["code"] == METHOD_NOT_FOUND
    assert editor.answer("three")["error"]["code"] == INVALID_PARAMS
    assert "codetape: refused workspace/executeCommand: executeCommand params name no command" in caplog.text
    send(server, {"jsonrpc": "2.0", "id": 4, "method": "shutdown", "params": None})
    assert editor.answer(4) == {"jsonrpc": "2.0", "id": 4, "result": None}
    send(server, {"jsonrpc": "2.0", "id": 5, "method": "workspace/executeCommand",
                  "params": {"command": "codetape.status"}})
    assert editor.answer(5)["error"]["code"] == INVALID_REQUEST
    assert not server.exited
    send(server, {"jsonrpc": "2.0", "method": "exit"})
    assert server.exited and server.shutdown_requested


def test_a_command_is_answered_with_the_collectors_answer(observer: tuple[Observer, Editor],
                                                          root: Path) -> None:
    server, editor = observer
    initialize(server, root)
    send(server, {"jsonrpc": "2.0", "id": 2, "method": "workspace/executeCommand",
                  "params": {"command": "codetape.seal", "arguments": [root.as_uri()]}})
    send(server, {"jsonrpc": "2.0", "id": 3, "method": "workspace/executeCommand",
                  "params": {"command": "codetape.unknown"}})
    wait_for(lambda: len([m for m in editor.messages if m.get("id") in (2, 3)]) == 2, what="both answers")
    assert editor.answer(2)["result"] == {}
    assert editor.answer(3)["error"]["message"] == "unknown command codetape.unknown"


def test_an_initialize_answered_early_is_not_answered_again(root: Path, collected: Collected) -> None:
    editor = Editor()
    documents = TrackedDocuments()
    recorder = Recorder(lambda: collected, state=documents.file_states)
    found = Workspaces(lambda path: root if path == root or root in path.parents else None)
    server = Observer(EditorCapture(recorder, found, documents), editor.write, answered_early={1})
    params = {"capabilities": {"general": {"positionEncodings": ["utf-8"]}}, "rootUri": root.as_uri()}
    send(server, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params})
    assert editor.messages == []
    assert recorder.encoding == "utf-8" and found.roots == [root]
    recorder.flush()


@pytest.mark.parametrize(("body", "says"), [
    (b"{not json", "invalid JSON"),
    (b"[1, 2]", "not an object"),
    (b'{"jsonrpc":"1.0","method":"textDocument/didChange","params":{}}', "not a JSON-RPC 2.0 message"),
    (b'{"jsonrpc":"2.0","id":true,"method":"shutdown"}', "the message id is neither a number nor a string"),
    (b'{"jsonrpc":"2.0","method":7,"params":{}}', "the method is not a string"),
])
def test_what_cannot_be_read_is_a_gap_and_the_session_goes_on(
        observer: tuple[Observer, Editor], root: Path, collected: Collected, body: bytes, says: str,
        caplog: pytest.LogCaptureFixture) -> None:
    server, editor = observer
    initialize(server, root)
    open_doc(server, root)
    send(server, b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    wait_for(lambda: collected.kinds() == ["open", "gap"], what="the open and the gap",
             detail=collected.kinds)
    gap = collected.steps[1]
    assert gap["reason"] == "malformed_input" and says in gap["detail"]
    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert line.startswith("codetape: unreadable message from the editor: ") and "\n" not in line
    assert not server.shutdown_requested and [m.get("id") for m in editor.messages] == [1]


def test_the_editors_answer_to_the_bridges_own_request(observer: tuple[Observer, Editor], root: Path,
                                                       collected: Collected) -> None:
    server, editor = observer
    initialize(server, root)
    send(server, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
    [register] = [m for m in editor.messages if m.get("method") == "client/registerCapability"]
    chosen: list[str | None] = []
    server.editor.ask("codetape: episode ready", ("Review", "Later"), chosen.append)
    [asked] = [m for m in editor.messages if m.get("method") == "window/showMessageRequest"]
    assert register["id"] != asked["id"] and asked["params"]["actions"] == [{"title": "Review"},
                                                                             {"title": "Later"}]
    send(server, {"jsonrpc": "2.0", "id": register["id"], "result": None})
    send(server, {"jsonrpc": "2.0", "id": asked["id"], "result": {"title": "Review"}})
    send(server, {"jsonrpc": "2.0", "id": "codetape-99", "result": None})  # answers nothing: skipped
    wait_for(lambda: chosen, what="the developer's choice")
    assert chosen == ["Review"]
    open_doc(server, root)
    wait_for(lambda: collected.kinds() == ["open"], what="the open, and no gap", detail=collected.kinds)
