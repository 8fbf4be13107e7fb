"""Hostile and broken traffic, from the editor and from the server: a logged error, a gap or a skip,
and the editor's session goes on. Both modes, with a real collector and (proxy mode) a real pylsp."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import pytest

from collector.text.positions import units
from collector.verify.integrity import verify_replay
from lsp_bridge.wire.framing import encode
from tests.support.bridge_harness import (
    BRIDGE,
    PYLSP,
    RawClient,
    at_least,
    daemon,
    seal,
    steps_of,
    texts_at_saves,
    uri,
    ws,
)
from tests.support.collector_harness import Daemon, env_for, wait_recorded
from tests.waiting import TIMEOUT_S

__all__ = ["daemon", "ws"]

MODES = {"observe": BRIDGE, "proxy": [*BRIDGE, "--", *PYLSP]}

# pylsp (argv[2:]), with the frames in the file argv[1] slipped into its output after it answers initialize.
INJECT = r"""
import os, subprocess, sys, threading
bad = open(sys.argv[1], "rb").read()
child = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
def pump_in():
    while data := os.read(0, 65536):
        os.write(child.stdin.fileno(), data)
    child.stdin.close()
threading.Thread(target=pump_in, daemon=True).start()
sent = False
while data := os.read(child.stdout.fileno(), 65536):
    os.write(1, data)
    if not sent and b'"capabilities"' in data:
        os.write(1, bad)
        sent = True
sys.exit(child.wait())
"""


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def injecting(tmp_path: Path, *bodies: bytes) -> list[str]:
    """Proxy mode in front of pylsp, which also sends `bodies` once it has answered initialize."""
    script, frames = tmp_path / "inject.py", tmp_path / "injected.bin"
    script.write_text(INJECT, encoding="utf-8")
    frames.write_bytes(b"".join(frame(body) for body in bodies))
    return [*BRIDGE, "--", sys.executable, str(script), str(frames), *PYLSP]


def still_answers(client: RawClient, mode: str, ws: Path, timeout: float = TIMEOUT_S) -> None:
    """The editor's session still works: a request gets its normal answer."""
    if mode == "observe":
        answer = client.request("workspace/executeCommand", {"command": "codetape.status"}, timeout)
        assert str(ws) in [w["root"] for w in answer["result"]["workspaces"]]
    else:
        answer = client.request("textDocument/hover", {"textDocument": {"uri": uri(ws, "a.py")},
                                                       "position": {"line": 0, "character": 1}}, timeout)
        assert "result" in answer


def open_a(client: RawClient, ws: Path, text: str) -> None:
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri(ws, "a.py"), "languageId": "python",
                                                            "version": 1, "text": text}})


def edit(client: RawClient, ws: Path, version: Any, start: tuple[int, int], end: tuple[int, int],
         text: str) -> None:
    span = {"start": {"line": start[0], "character": start[1]}, "end": {"line": end[0], "character": end[1]}}
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri(ws, "a.py"), "version": version},
                                             "contentChanges": [{"range": span, "text": text}]})


def save(client: RawClient, ws: Path, text: str, *, disk: bool = True) -> None:
    if disk:
        (ws / "a.py").write_text(text, encoding="utf-8")
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri(ws, "a.py")}, "text": text})


@pytest.mark.parametrize("mode", sorted(MODES))
def test_malformed_json_rpc_is_skipped_and_the_session_goes_on(daemon: Daemon, ws: Path, mode: str) -> None:
    client = RawClient(MODES[mode], env_for(daemon.home.root), cwd=ws)
    client.initialize(ws)
    open_a(client, ws, "x = 1\n")
    client.send_bytes(b"Content-Length: abc\r\n\r\n{}")  # no usable length
    client.send_bytes(b"Content-Length: 9\r\n\r\n{not json")  # invalid JSON
    client.send_bytes(encode({"jsonrpc": "2.0", "method": "textDocument/didChange",  # wrong types
                              "params": {"textDocument": {"uri": uri(ws, "a.py"), "version": 2},
                                         "contentChanges": "x = 2"}}))
    client.send_bytes(encode([1, 2, 3]))  # type: ignore[arg-type]
    still_answers(client, mode, ws)
    save(client, ws, "x = 1\n# resynchronised\n")
    edit(client, ws, 4, (2, 0), (2, 0), "y = 3\n")
    save(client, ws, "x = 1\n# resynchronised\ny = 3\n")
    still_answers(client, mode, ws)
    assert client.shutdown() == 0
    assert "codetape: unreadable message from the editor" in client.stderr
    assert "codetape: skipped textDocument/didChange: contentChanges is not a non-empty list" in client.stderr
    episode = seal(daemon, ws, until=at_least(2, "save"), what="both saves")  # pylsp adds diagnostics
    gaps = [s for s in steps_of(episode) if s["kind"] == "gap"]
    first = "x = 1\n# resynchronised\n"
    *malformed, resync = gaps  # the save's text is the truth: a resync carries it
    assert malformed and all(g["reason"] == "malformed_input" for g in malformed)
    assert resync["reason"] == "resync" and resync["state"] == [{"path": "a.py", "text": first}]
    assert "the edits were lost" in resync["detail"]
    assert texts_at_saves(episode, "a.py") == [first, first + "y = 3\n"]
    verify_replay(episode)


@pytest.mark.parametrize("mode", sorted(MODES))
def test_out_of_range_unknown_uris_and_version_regressions(daemon: Daemon, ws: Path, mode: str) -> None:
    client = RawClient(MODES[mode], env_for(daemon.home.root), cwd=ws)
    client.initialize(ws)
    open_a(client, ws, "one\ntwo\n")
    edit(client, ws, 2, (40, 0), (41, 0), "far away")  # out of range: the copy goes stale
    edit(client, ws, 3, (0, 0), (0, 0), "lost ")  # skipped while stale
    never = uri(ws, "never-opened.py")
    client.notify("textDocument/didChange", {"textDocument": {"uri": never, "version": 1},
                                             "contentChanges": [{"text": "?"}]})
    client.notify("textDocument/didChange", {"textDocument": {"uri": "untitled:1", "version": 1},
                                             "contentChanges": [{"text": "?"}]})
    client.notify("textDocument/didClose", {"textDocument": {"uri": "file:///%ff%fe/nowhere.py"}})
    still_answers(client, mode, ws)
    save(client, ws, "one\ntwo\nthree\n")  # with its text: exact again
    edit(client, ws, 2, (3, 0), (3, 0), "four\n")  # a version regression is kept, and logged
    save(client, ws, "one\ntwo\nthree\nfour\n")
    still_answers(client, mode, ws)
    assert client.shutdown() == 0
    assert "past the end of a.py" in client.stderr and "went from version 3 back to 2" in client.stderr
    assert "never-opened.py, which was never opened" in client.stderr
    episode = seal(daemon, ws, until=at_least(2, "save"), what="both saves")  # pylsp adds diagnostics
    steps = steps_of(episode)
    gap, resync = [s for s in steps if s["kind"] == "gap"]
    assert gap["reason"] == "malformed_input" and "past the end" in gap["detail"]
    assert resync["reason"] == "resync" and resync["state"] == [{"path": "a.py", "text": "one\ntwo\nthree\n"}]
    assert not any("text" in s for s in steps if s["kind"] == "save")  # (the resync holds it)
    assert texts_at_saves(episode, "a.py") == ["one\ntwo\nthree\n", "one\ntwo\nthree\nfour\n"]
    assert [s["version"] for s in steps if s["kind"] == "edit"] == [2]
    verify_replay(episode)


@pytest.mark.parametrize("mode", sorted(MODES))
def test_a_five_megabyte_line(daemon: Daemon, ws: Path, mode: str) -> None:
    client = RawClient(MODES[mode], env_for(daemon.home.root), cwd=ws)
    client.initialize(ws)
    head = "s = '😀é"
    line = head + "x" * (5 * 1024 * 1024) + "'"
    open_a(client, ws, line + "\n")
    near = units(head, "utf-16")
    started = time.monotonic()
    for version, ch in enumerate("abcdefgh", start=2):  # typing near the start of the line
        edit(client, ws, version, (0, near), (0, near), ch)
        near += 1
    end = units(line, "utf-16") + 8
    edit(client, ws, 10, (0, end), (0, end), "!")  # and at its very end, after the quote
    edit(client, ws, 11, (0, end - 1), (0, end), "?")  # replacing the quote
    text = head + "abcdefgh" + line[len(head):-1] + "?!\n"
    save(client, ws, text, disk=False)  # the collector's watcher would record the 5 MB file as too large
    still_answers(client, mode, ws, timeout=90)  # pylsp lints the 5 MB file after every change
    elapsed = time.monotonic() - started
    assert client.shutdown() == 0
    assert mode == "proxy" or elapsed < 10, f"ten keystrokes on a 5 MB line took {elapsed:.1f} s"
    assert "differs from the tracked text" not in client.stderr
    episode = seal(daemon, ws, until=at_least(1, "save"), what="the save")  # pylsp adds diagnostics
    assert texts_at_saves(episode, "a.py") == [text]


def test_invalid_utf8_from_the_server_is_forwarded_as_is_and_skipped_by_the_recorder(
        daemon: Daemon, ws: Path, tmp_path: Path) -> None:
    bad = b'{"jsonrpc":"2.0","method":"window/logMessage","params":{"type":3,"message":"caf\xe9 \xff"}}'
    client = RawClient(injecting(tmp_path, bad), env_for(daemon.home.root), cwd=ws)
    client.initialize(ws)
    wait_recorded(daemon.home, ws, at_least(1, "gap"), "the gap for the server's message")  # then the open
    open_a(client, ws, "import os\n")
    client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics", what="diagnostics")
    still_answers(client, "proxy", ws)
    assert client.shutdown() == 0
    assert b'"caf\xe9 \xff"' in bytes(client.raw)  # the editor got the bytes the server sent
    assert "codetape: unreadable message from the server: invalid JSON" in client.stderr
    steps = steps_of(seal(daemon, ws, until=at_least(1, "diagnostics"), what="pylsp's diagnostics"))
    assert [s["kind"] for s in steps][:2] == ["gap", "open"] and steps[0]["reason"] == "malformed_input"
    assert "from the server" in steps[0]["detail"] and "diagnostics" in {s["kind"] for s in steps}


# About 3 KB nested 1,500 levels deep: json.loads raises RecursionError on it, not ValueError.
DEEP = b"[" * 1500 + b"]" * 1500
# A message that parses, of a shape the bridge cannot read (and pylsp survives): an unhashable method, an
# object for an id.
SHAPES = {"observe": b'{"jsonrpc":"2.0","method":["textDocument/didChange"],"params":{}}',
          "proxy": b'{"jsonrpc":"2.0","id":{"n":1},"method":"textDocument/hover","params":{}}'}
# A request of a method each mode serves, whose params are of the wrong types: answered with an error.
WRONG_TYPES = {
    "observe": b'{"jsonrpc":"2.0","id":99,"method":"workspace/executeCommand","params":{"command":5}}',
    "proxy": b'{"jsonrpc":"2.0","id":99,"method":"textDocument/hover","params":{"textDocument":5}}',
}


def bridge_lines(stderr: str, mode: str) -> list[str]:
    """The bridge's log lines, once it is sure no traceback went through it (pylsp logs its own)."""
    assert "/lsp_bridge/" not in stderr and (mode == "proxy" or "Traceback" not in stderr), stderr[-3000:]
    return [line for line in stderr.splitlines() if line.startswith("codetape:")]


@pytest.mark.parametrize("mode", sorted(MODES))
def test_json_nested_too_deep_or_of_a_hostile_shape_is_a_gap_and_the_session_goes_on(
        daemon: Daemon, ws: Path, mode: str) -> None:
    client = RawClient(MODES[mode], env_for(daemon.home.root), cwd=ws)
    client.initialize(ws)
    open_a(client, ws, "x = 1\n")
    document = b'{"uri":"%s","version":2}' % uri(ws, "a.py").encode()
    hostile = [DEEP,
               b'{"jsonrpc":"2.0","id":"codetape-1","result":%s}' % DEEP,  # as if it answered the bridge
               b'{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":%s,'
               b'"contentChanges":%s}}' % (document, DEEP),
               SHAPES[mode]]
    client.send_bytes(b"".join(frame(body) for body in [*hostile, WRONG_TYPES[mode]]))
    still_answers(client, mode, ws)
    save(client, ws, "x = 1\n# resynchronised\n")
    edit(client, ws, 4, (2, 0), (2, 0), "y = 3\n")
    save(client, ws, "x = 1\n# resynchronised\ny = 3\n")
    still_answers(client, mode, ws)
    assert "error" in client.wait(lambda m: m.get("id") == 99, what="the answer to params of wrong types")
    assert client.shutdown() == 0
    lines = bridge_lines(client.stderr_closed(), mode)
    assert sum("unreadable message from the editor" in line for line in lines) == len(hostile), lines
    refused = "codetape: refused workspace/executeCommand: executeCommand params name no command"
    assert mode == "proxy" or refused in lines
    episode = seal(daemon, ws, until=at_least(2, "save"), what="both saves")  # pylsp adds diagnostics
    *gaps, resync = [s for s in steps_of(episode) if s["kind"] == "gap"]
    assert len(gaps) == len(hostile) and all(g["reason"] == "malformed_input" for g in gaps)
    assert "nested too deeply" in gaps[0]["detail"]
    first = "x = 1\n# resynchronised\n"
    assert resync["reason"] == "resync" and resync["state"] == [{"path": "a.py", "text": first}]
    assert texts_at_saves(episode, "a.py") == [first, first + "y = 3\n"]
    verify_replay(episode)


def test_json_nested_too_deep_from_the_server_is_a_gap_and_the_session_goes_on(
        daemon: Daemon, ws: Path, tmp_path: Path) -> None:
    deep = b'{"jsonrpc":"2.0","method":"window/logMessage","params":{"type":3,"message":%s}}' % DEEP
    named = b'{"jsonrpc":"2.0","method":"codetape/status","params":%s}' % DEEP  # may name a codetape method
    client = RawClient(injecting(tmp_path, deep, named), env_for(daemon.home.root), cwd=ws)
    client.initialize(ws)
    wait_recorded(daemon.home, ws, at_least(1, "gap"), "the gap for the server's message")  # then the open
    open_a(client, ws, "import os\n")
    client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics", what="diagnostics")
    still_answers(client, "proxy", ws)
    assert client.shutdown() == 0
    assert frame(deep) in bytes(client.raw) and b"codetape/status" not in bytes(client.raw)
    lines = bridge_lines(client.stderr_closed(), "proxy")
    assert [line for line in lines if "from the server" in line] == [
        "codetape: unreadable message from the server: JSON nested too deeply to read"], lines
    steps = steps_of(seal(daemon, ws, until=at_least(1, "diagnostics"), what="pylsp's diagnostics"))
    assert [s["kind"] for s in steps][:2] == ["gap", "open"] and steps[0]["reason"] == "malformed_input"
    assert "from the server" in steps[0]["detail"]
