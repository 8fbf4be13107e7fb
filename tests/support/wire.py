"""The raw LSP JSON-RPC traffic equivalent to a session, and the baseline encodings of it.

Messages are what VS Code sends (didOpen, didChange with `rangeLength`, didSave, didClose) and what
pylsp sends back (publishDiagnostics). Steps no language server sees (test runs, terminal commands,
git) travel as `codetape/<kind>` notifications carrying the step's JSON form, the way the editor
extensions forward what only they see; they are a small share of any session.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import zstandard

from tests.support.buffer import Change

SEND, RECV = "send", "recv"


@dataclass(frozen=True)
class WireMessage:
    t_ms: int
    direction: str
    message: dict[str, Any]


def notification(method: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": method, "params": params}


def did_open(uri: str, version: int, text: str) -> dict[str, Any]:
    return notification("textDocument/didOpen", {
        "textDocument": {"uri": uri, "languageId": "python", "version": version, "text": text}})


def lsp_range(start: tuple[int, int], end: tuple[int, int]) -> dict[str, Any]:
    return {"start": {"line": start[0], "character": start[1]}, "end": {"line": end[0], "character": end[1]}}


def did_change(uri: str, version: int, changes: list[Change]) -> dict[str, Any]:
    return notification("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": version},
        "contentChanges": [{"range": lsp_range(c.start, c.end), "rangeLength": c.range_length, "text": c.text}
                           for c in changes]})


def did_save(uri: str) -> dict[str, Any]:
    return notification("textDocument/didSave", {"textDocument": {"uri": uri}})


def did_close(uri: str) -> dict[str, Any]:
    return notification("textDocument/didClose", {"textDocument": {"uri": uri}})


def publish_diagnostics(uri: str, version: int, items: list[dict[str, Any]]) -> dict[str, Any]:
    params = {"uri": uri, "version": version, "diagnostics": items}
    return notification("textDocument/publishDiagnostics", params)


def _body(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def wire_bytes(messages: Iterable[WireMessage]) -> int:
    """Size of the Content-Length framed stream, both directions, uncompressed."""
    total = 0
    for item in messages:
        body = _body(item.message)
        total += len(f"Content-Length: {len(body)}\r\n\r\n") + len(body)
    return total


def jsonl(messages: Iterable[WireMessage], epoch_ms: int) -> bytes:
    """One JSON line per message with a wall-clock timestamp in ms, as a proxy would log them."""
    return b"".join(
        b'{"ts":%d,"dir":"%s","msg":%s}\n' % (epoch_ms + m.t_ms, m.direction.encode(), _body(m.message))
        for m in messages)


def zstd(data: bytes, level: int) -> bytes:
    """Like `zstd -LEVEL` on a file: one frame with content size and checksum."""
    return zstandard.ZstdCompressor(level=level, write_checksum=True, write_content_size=True).compress(data)


def gzip9(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)
