"""Proxy mode in front of servers other than pylsp (issue 27, items 6 and 7).

The episode's positions are counted as the editor and the server agreed, whatever way they said so:
clangd answers an editor that offers its pre-3.17 `offsetEncoding` extension (as Neovim does) with
`offsetEncoding: "utf-8"` beside its capabilities; typing after an emoji must check out byte-exact. And
diagnostics the editor pulls (LSP 3.17 `textDocument/diagnostic`, vscode-json-language-server's way)
are recorded as published ones are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from collector.text.positions import units
from tests.support.bridge_harness import (
    BRIDGE,
    RawClient,
    at_least,
    daemon,
    seal,
    texts_at_saves,
    uri,
    ws,
)
from tests.support.collector_harness import Daemon, env_for

__all__ = ["daemon", "ws"]
JSON_SERVER = Path(__file__).parents[2] / "fixtures" / "servers" / "node_modules" / ".bin" / \
    "vscode-json-language-server"


def test_clangds_offset_encoding_is_the_episodes(daemon: Daemon, ws: Path) -> None:
    clangd = ["clangd", "--log=error", "--background-index=false"]  # (no indexing: it exits at once)
    client = RawClient([*BRIDGE, "--", *clangd], env_for(daemon.home.root), cwd=ws)
    try:
        answer = client.request("initialize", {
            "processId": None, "rootUri": ws.as_uri(), "clientInfo": {"name": "raw", "version": "0"},
            "capabilities": {"offsetEncoding": ["utf-8", "utf-16"],
                             "textDocument": {"synchronization": {"didSave": True}}}})
        assert answer["result"]["offsetEncoding"] == "utf-8", answer
        client.notify("initialized", {})
        doc, text = uri(ws, "main.c"), "/* 😀 */\nint x;\n"
        client.notify("textDocument/didOpen", {"textDocument": {"uri": doc, "languageId": "c", "version": 1,
                                                                "text": text}})
        after = units("/* 😀", "utf-8")  # 7 bytes; 5 code units in utf-16, which would land after " *"
        at = {"line": 0, "character": after}
        client.notify("textDocument/didChange", {"textDocument": {"uri": doc, "version": 2},
                                                 "contentChanges": [{"range": {"start": at, "end": at},
                                                                     "text": "é中"}]})
        saved = "/* 😀é中 */\nint x;\n"
        (ws / "main.c").write_text(saved, encoding="utf-8")
        client.notify("textDocument/didSave", {"textDocument": {"uri": doc}, "text": saved})
        assert client.shutdown() == 0, client.stderr  # (stopped after a slow exit: 0 too)
    finally:
        client.kill()
    episode = seal(daemon, ws, until=at_least(1, "save"), what="the save")
    assert episode.header.position_encoding == "utf-8"
    assert texts_at_saves(episode, "main.c") == [saved]
    save = next(step for step in episode.steps() if step.kind == "save")
    assert save.text is None  # the bridge's copy agreed with the editor's: no resync needed


def test_pulled_diagnostics_of_vscode_json_language_server_are_recorded(daemon: Daemon, ws: Path) -> None:
    client = RawClient([*BRIDGE, "--", str(JSON_SERVER), "--stdio"], env_for(daemon.home.root), cwd=ws)
    try:
        answer = client.request("initialize", {
            "processId": None, "rootUri": ws.as_uri(), "clientInfo": {"name": "raw", "version": "0"},
            "capabilities": {"textDocument": {"diagnostic": {"dynamicRegistration": False}}}})
        assert "diagnosticProvider" in answer["result"]["capabilities"], answer  # it wants to be asked
        client.notify("initialized", {})
        doc = uri(ws, "a.json")
        opened = {"uri": doc, "languageId": "json", "version": 1, "text": '{"a": 1,,}'}
        client.notify("textDocument/didOpen", {"textDocument": opened})
        pulled = client.request("textDocument/diagnostic", {"textDocument": {"uri": doc}})
        assert pulled["result"]["kind"] == "full" and pulled["result"]["items"], pulled
        assert client.shutdown() == 0, client.stderr
    finally:
        client.kill()

    def reported(steps: list[dict[str, Any]]) -> bool:
        return any(step["kind"] == "diagnostics" and step["items"] for step in steps)

    episode = seal(daemon, ws, until=reported, what="the pulled diagnostics")
    [step] = [step for step in episode.steps() if step.kind == "diagnostics"]
    assert step.path == "a.json" and [item.message for item in step.items] == [
        item["message"] for item in pulled["result"]["items"]]
