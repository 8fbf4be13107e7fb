"""Observe mode's first answer: `initialize`, sent before pygls and lsprotocol are loaded.

Importing `lsprotocol.types` takes most of a second on a loaded machine, and an editor waits for the
`initialize` answer before it sends anything else. So the bridge reads the first frames itself and
answers a plainly formed `initialize` with what pygls would answer for the features `observe.build`
registers (`initialize_result`), and only then loads pygls. Every frame read so far, that request too,
is then handed to pygls in order with the time it arrived: pygls sets up its state and runs the handlers
as before, and its own answer to the request is dropped (a difference from the early one is logged;
tests/integration/test_bridge_early.py checks there is none).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from collector import __version__
from lsp_bridge.errors import MalformedMessage
from lsp_bridge.framing import Frame, Framer, parse
from lsp_bridge.stdin import Stdin
from schemas.methods import COMMANDS

SERVER_NAME = "codetape-bridge"
ENCODINGS = ("utf-8", "utf-16", "utf-32")  # pygls's, in no order: the editor's preference decides
INCREMENTAL = 2  # TextDocumentSyncKind.Incremental
FILE_OPERATIONS = ("didCreate", "didRename", "didDelete")  # those observe mode registers, for every file
EVERY_FILE = {"filters": [{"pattern": {"glob": "**/*"}, "scheme": "file"}]}


@dataclass
class Early:
    """What was read before pygls: the frames with their arrival ms, the framer holding any partial
    message, the requests answered (id -> result), and whether the input ended."""

    frames: list[tuple[Frame, int]] = field(default_factory=list)
    framer: Framer = field(default_factory=Framer)
    answered: dict[int | str, dict[str, Any]] = field(default_factory=dict)
    ended: bool = False


def _plain(value: Any, *keys: str) -> Any:
    """value[k1][k2]..., None when a level is missing; NotImplemented when a level is not an object."""
    for key in keys:
        if value is None:
            return None
        if not isinstance(value, dict):
            return NotImplemented
        value = value.get(key)
    return value


def initialize_result(params: Any) -> dict[str, Any] | None:
    """pygls's `InitializeResult` for these params, as JSON; None when the parts it depends on are not
    plainly formed (pygls answers then)."""
    capabilities = _plain(params, "capabilities")
    encodings = _plain(capabilities, "general", "positionEncodings")
    file_operations = {name: _plain(capabilities, "workspace", "fileOperations", name)
                       for name in FILE_OPERATIONS}
    will_save = {name: _plain(capabilities, "textDocument", "synchronization", name)
                 for name in ("willSave", "willSaveWaitUntil")}
    flags = [*file_operations.values(), *will_save.values()]
    plain_encodings = isinstance(encodings, list) and all(isinstance(e, str) for e in encodings)
    if encodings is not None and not plain_encodings:
        return None
    if not isinstance(capabilities, dict) or not all(f is None or isinstance(f, bool) for f in flags):
        return None
    sync: dict[str, Any] = {"openClose": True, "change": INCREMENTAL}
    sync.update({name: False for name, value in will_save.items() if value is not None})  # not registered
    sync["save"] = {"includeText": True}
    return {
        "capabilities": {
            "positionEncoding": next((e for e in encodings or () if e in ENCODINGS), "utf-16"),
            "textDocumentSync": sync,
            "executeCommandProvider": {"commands": list(COMMANDS)},
            "workspace": {"workspaceFolders": {"supported": True, "changeNotifications": True},
                          "fileOperations": {name: EVERY_FILE for name, on in file_operations.items() if on}},
        },
        "serverInfo": {"name": SERVER_NAME, "version": __version__},
    }


def _message(frame: Frame) -> dict[str, Any] | None:
    if frame.body is None:
        return None
    try:
        message = parse(frame.body)
    except MalformedMessage:  # pygls's turn: the frame is handed over, and costs a gap there
        return None
    return message if isinstance(message, dict) else None


def answer_initialize(stdin: Stdin, write: Callable[[bytes], None], clock: Callable[[], int]) -> Early:
    """Read up to the editor's first message (its `initialize`), answer it when it is plainly formed,
    and return everything read."""
    early = Early()
    while True:
        data = stdin.take()
        at = clock()
        if not data:
            if (tail := early.framer.finish()) is not None:
                early.frames.append((tail, at))
            early.ended = True
            return early
        first = None
        for frame in early.framer.feed(data):
            early.frames.append((frame, at))
            message = _message(frame)
            if first is None and message is not None and "method" in message:
                first = message
        if first is None:
            continue
        key = first.get("id")
        if (first.get("method") == "initialize" and first.get("jsonrpc") == "2.0"
                and isinstance(key, int | str) and not isinstance(key, bool)
                and (result := initialize_result(first.get("params"))) is not None):
            body = json.dumps({"jsonrpc": "2.0", "id": key, "result": result}).encode("utf-8")
            write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            early.answered[key] = result
        return early
