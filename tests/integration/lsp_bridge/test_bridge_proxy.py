"""Proxy mode in front of a real pylsp: forwarding byte for byte, what is recorded, exit and death."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

import psutil
import pytest
from lsprotocol import types as lsp

from collector.text.positions import units
from lsp_bridge.wire.framing import Framer
from tests.support.bridge_harness import (
    BRIDGE,
    PYLSP,
    RawClient,
    at_least,
    change,
    daemon,
    init_params,
    seal,
    start_bridge,
    steps_of,
    tee,
    texts_at_saves,
    uri,
    wait_steps,
    ws,
)
from tests.support.collector_harness import Daemon, env_for
from tests.waiting import wait_for_async

__all__ = ["daemon", "ws"]

def proxied(*server: str) -> list[str]:
    return [*BRIDGE, "--", *server]


SESSION_TEXT = "import os\nvalue = undefined_name + 1  # naïve 😀\n"


def scripted_session(client: RawClient, ws: Path) -> list[dict[str, Any]]:
    """The same editor session, message for message: returns the answers to its requests."""
    doc = uri(ws, "mod.py")
    answers = [client.request("initialize", {
        "processId": None, "rootUri": ws.as_uri(), "clientInfo": {"name": "raw", "version": "0"},
        "capabilities": {"textDocument": {"hover": {"contentFormat": ["plaintext"]}}}})]
    client.notify("initialized", {})
    client.notify("textDocument/didOpen", {"textDocument": {"uri": doc, "languageId": "python", "version": 1,
                                                            "text": SESSION_TEXT}})
    client.notify("textDocument/didChange", {"textDocument": {"uri": doc, "version": 2}, "contentChanges": [
        {"range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 0}},
         "text": "os.path\n"}]})
    answers.append(client.request("textDocument/hover", {"textDocument": {"uri": doc},
                                                         "position": {"line": 2, "character": 4}}))
    client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics", what="diagnostics")
    answers.append(client.request("shutdown", None))
    client.notify("exit", None)
    assert client.proc.wait(60) == 0
    return answers


def frames(data: bytes) -> list[bytes]:
    return [f.raw for f in Framer().feed(data)]


def test_every_byte_is_forwarded_unchanged_both_ways(daemon: Daemon, ws: Path, tmp_path: Path) -> None:
    direct_cmd, direct_logs = tee(tmp_path, "direct")
    direct = RawClient(direct_cmd, env_for(daemon.home.root), cwd=ws)
    direct_answers = scripted_session(direct, ws)
    relay_cmd, relay_logs = tee(tmp_path, "proxied")
    through = RawClient(proxied(*relay_cmd), env_for(daemon.home.root), cwd=ws)
    proxied_answers = scripted_session(through, ws)

    sent = (relay_logs / "in.bin").read_bytes()
    assert sent == (direct_logs / "in.bin").read_bytes()  # pylsp received the very same bytes
    assert bytes(through.raw) == (relay_logs / "out.bin").read_bytes()  # and the editor got pylsp's bytes
    assert [a.get("result") for a in proxied_answers] == [a.get("result") for a in direct_answers]
    assert "codetape" not in sent.decode()
    episode = seal(daemon, ws, until=at_least(1, "diagnostics"), what="pylsp's diagnostics")
    kinds = [s["kind"] for s in steps_of(episode)]
    assert kinds[:2] == ["open", "edit"] and "diagnostics" in kinds


def test_the_editors_codetape_notifications_are_recorded_and_kept_from_the_server(
        daemon: Daemon, ws: Path, tmp_path: Path) -> None:
    relay_cmd, relay_logs = tee(tmp_path, "proxied")
    client = RawClient(proxied(*relay_cmd), env_for(daemon.home.root), cwd=ws)
    client.initialize(ws)
    doc = uri(ws, "mod.py")
    client.notify("textDocument/didOpen", {"textDocument": {"uri": doc, "languageId": "python", "version": 1,
                                                            "text": SESSION_TEXT}})
    caret = {"line": 1, "character": 3}
    client.notify("codetape/cursor", {"uri": doc, "selections": [{"anchor": caret, "active": caret}]})
    # spaced as another editor may write it, and a text that merely mentions a codetape method
    spaced = b'{ "jsonrpc" : "2.0" , "method" : "codetape/cursor" , "params" : {"uri": "not a uri"} }'
    client.send_bytes(b"Content-Length: %d\r\n\r\n%s" % (len(spaced), spaced))
    client.notify("workspace/didChangeConfiguration", {"settings": {"note": '"method": "codetape/cursor"'}})
    hover = client.request("textDocument/hover", {"textDocument": {"uri": doc},
                                                  "position": {"line": 1, "character": 9}})
    assert "result" in hover, hover  # pylsp still answers in order after what it was not sent
    assert client.shutdown() == 0
    sent = (relay_logs / "in.bin").read_bytes().decode()
    assert re.search(r'"method"\s*:\s*"codetape/', sent) is None, sent
    assert 'codetape/cursor\\"' in sent  # the configuration that only mentions one was forwarded
    episode = seal(daemon, ws, until=at_least(1, "cursor"), what="the cursor")
    [cursor] = [step for step in steps_of(episode) if step["kind"] == "cursor"]
    assert cursor["path"] == "mod.py" and cursor["selections"] == [{"anchor": caret, "active": caret}], cursor


@pytest.mark.parametrize("offered", [["utf-8", "utf-16"], None])
async def test_text_sync_and_pylsp_diagnostics_are_recorded(daemon: Daemon, ws: Path,
                                                            offered: list[str] | None) -> None:
    client = await start_bridge(daemon.home.root, "--", *PYLSP)
    result = await client.initialize_session(init_params(ws, offered, name="proxied-editor"))
    assert result.capabilities.position_encoding in (None, "utf-16")  # pylsp speaks utf-16 only
    assert result.capabilities.hover_provider  # pylsp's own capabilities come through
    doc = uri(ws, "mod.py")
    text = "import os\n# note 😀 here\n"  # pylsp counts code points: keep its copy valid Python anyway
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(
        text_document=lsp.TextDocumentItem(uri=doc, language_id="python", version=1, text=text)))
    after = units("# note 😀", "utf-16")
    client.text_document_did_change(change(doc, 2, ((1, after, 1, after), "é"), ((2, 0, 2, 0), "x = nope\n")))
    saved = "import os\n# note 😀é here\nx = nope\n"
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(
        text_document=lsp.TextDocumentIdentifier(uri=doc), text=saved))
    await wait_for_async(lambda: any("nope" in d.message for d in client.diagnostics.get(doc, [])),
                         what="pylsp to report the undefined name", detail=lambda: client.diagnostics)
    await client.shutdown_session()
    assert client._server is not None and client._server.returncode == 0

    def reported(steps: list[dict[str, Any]]) -> bool:  # what the editor was shown, recorded
        messages = [item["message"] for s in steps if s["kind"] == "diagnostics" for item in s["items"]]
        return any("undefined name 'nope'" in m for m in messages) and at_least(1, "save")(steps)

    episode = seal(daemon, ws, until=reported, what="the save and pylsp's diagnostics of it")
    assert episode.header.position_encoding == "utf-16"
    assert episode.header.client is not None and episode.header.client.name == "proxied-editor"
    assert texts_at_saves(episode, "mod.py") == [saved]
    save = next(s for s in steps_of(episode) if s["kind"] == "save")
    assert "text" not in save  # the bridge's copy agreed with the editor's: the hash is enough
    diagnostics = [s for s in steps_of(episode) if s["kind"] == "diagnostics"]
    assert all(s["origin"] == "pylsp" for s in diagnostics)
    messages = [item["message"] for s in diagnostics for item in s["items"]]
    assert any("undefined name 'nope'" in m for m in messages)
    assert any("imported but unused" in m for m in messages)


async def test_an_accepted_completion_becomes_a_note(daemon: Daemon, ws: Path) -> None:
    client = await start_bridge(daemon.home.root, "--", *PYLSP)
    await client.initialize_session(init_params(ws, None))
    doc = uri(ws, "c.py")
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=doc, language_id="python", version=1, text="import os\nos.pa")))
    found = await client.text_document_completion_async(lsp.CompletionParams(
        text_document=lsp.TextDocumentIdentifier(uri=doc), position=lsp.Position(line=1, character=5)))
    items = found.items if isinstance(found, lsp.CompletionList) else found or []
    assert any(item.label == "path" for item in items)
    client.text_document_did_change(change(doc, 2, ((1, 3, 1, 5), "path")))
    await client.shutdown_session()
    steps = steps_of(seal(daemon, ws, until=at_least(1, "note"), what="the note"))
    notes = [s["text"] for s in steps if s["kind"] == "note"]
    assert notes == ["lsp completion accepted: path"]


async def test_the_review_prompt_is_answered_by_the_editor_and_kept_from_pylsp(
        daemon: Daemon, ws: Path, tmp_path: Path) -> None:
    relay, logs = tee(tmp_path, "relay")
    client = await start_bridge(daemon.home.root, "--", *relay)
    reviews: list[Any] = []

    @client.feature(lsp.WINDOW_SHOW_MESSAGE_REQUEST)
    def ask(params: lsp.ShowMessageRequestParams) -> lsp.MessageActionItem:
        return lsp.MessageActionItem(title="Review")

    @client.feature("codetape/review")
    def review(params: Any) -> None:
        reviews.append(params)

    await client.initialize_session(init_params(ws, None))
    doc = uri(ws, "r.py")
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=doc, language_id="python", version=1, text="x = 1\n")))
    episode = seal(daemon, ws, until=at_least(1, "open"), what="the open")
    await wait_for_async(lambda: reviews, what="the codetape/review notification")
    assert reviews[0].episode == str(episode.header.episode_id)
    hover = await client.text_document_hover_async(lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=doc), position=lsp.Position(line=0, character=0)))
    assert hover is not None  # pylsp still answers after the bridge's own exchange
    await client.shutdown_session()
    received = [json.loads(f[f.index(b"\r\n\r\n") + 4:]) for f in frames((logs / "in.bin").read_bytes())]
    assert not any(str(m.get("id", "")).startswith("codetape-") for m in received)


def test_exit_without_shutdown_is_honoured_with_the_servers_status(daemon: Daemon, ws: Path) -> None:
    statuses = []
    for command in (PYLSP, proxied(*PYLSP)):
        client = RawClient(command, env_for(daemon.home.root), cwd=ws)
        client.initialize(ws)
        client.notify("exit", None)
        statuses.append(client.proc.wait(60))
    assert statuses[1] == statuses[0]


def test_when_the_server_dies_the_editor_sees_the_stream_end_and_the_bridge_exits(
        daemon: Daemon, ws: Path) -> None:
    client = RawClient(proxied(*PYLSP), env_for(daemon.home.root), cwd=ws)
    client.initialize(ws)
    doc = uri(ws, "d.py")
    client.notify("textDocument/didOpen", {"textDocument": {"uri": doc, "languageId": "python", "version": 1,
                                                            "text": "before death\n"}})
    [server] = [p for p in psutil.Process(client.proc.pid).children() if "pylsp" in " ".join(p.cmdline())]
    os.kill(server.pid, signal.SIGKILL)
    assert client.proc.wait(60) == 128 + signal.SIGKILL
    stderr = client.stderr_closed()
    assert "exited" in stderr or stderr == "" or "status" in stderr
    episode = seal(daemon, ws, 2)  # the bridge is gone: the collector closes what it had open
    assert [(s["kind"], s["source"]) for s in steps_of(episode)] == [("open", "bridge"),
                                                                     ("close", "collector")]


def test_a_server_that_cannot_start_is_one_line_and_status_1(daemon: Daemon, ws: Path) -> None:
    client = RawClient(proxied("/nonexistent/language-server"), env_for(daemon.home.root), cwd=ws)
    assert client.proc.wait(60) == 1
    assert client.stderr_closed().strip() == \
        "codetape: cannot start the language server '/nonexistent/language-server': No such file or directory"


# A small real language server (pygls) with what pylsp lacks without plugins: a code action whose
# command makes the server ask the editor to apply a workspace edit, and a resolvable code action.
ACTIONS_SERVER = r"""
from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

server = LanguageServer("actions", "1")

@server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(resolve_provider=True))
def actions(ls, params):
    greet = lsp.Command(title="Add greeting", command="demo.greet", arguments=[params.text_document.uri])
    return [lsp.CodeAction(title="Add greeting", command=greet), lsp.CodeAction(title="Resolve me", data=1)]

@server.feature(lsp.CODE_ACTION_RESOLVE)
def resolve(ls, action):
    return action

@server.command("demo.greet")
async def greet(ls, uri):
    insert = lsp.TextEdit(range=lsp.Range(start=lsp.Position(line=0, character=0),
                                          end=lsp.Position(line=0, character=0)), new_text="# hi\n")
    await ls.workspace_apply_edit_async(lsp.ApplyWorkspaceEditParams(
        edit=lsp.WorkspaceEdit(changes={uri: [insert]}), label="greet"))

server.start_io()
"""


async def test_code_actions_and_applied_workspace_edits_become_notes(daemon: Daemon, ws: Path,
                                                                    tmp_path: Path) -> None:
    script = tmp_path / "actions_server.py"
    script.write_text(ACTIONS_SERVER, encoding="utf-8")
    client = await start_bridge(daemon.home.root, "--", sys.executable, str(script))
    doc = uri(ws, "g.py")

    @client.feature(lsp.WORKSPACE_APPLY_EDIT)
    def apply(params: lsp.ApplyWorkspaceEditParams) -> lsp.ApplyWorkspaceEditResult:
        client.text_document_did_change(change(doc, 2, ((0, 0, 0, 0), "# hi\n")))  # as an editor does
        return lsp.ApplyWorkspaceEditResult(applied=True)

    await client.initialize_session(init_params(ws, None))
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=doc, language_id="python", version=1, text="x = 1\n")))
    whole = lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=1, character=0))
    offered = await client.text_document_code_action_async(lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri=doc), range=whole,
        context=lsp.CodeActionContext(diagnostics=[])))
    assert [a.title for a in offered or []] == ["Add greeting", "Resolve me"]
    await client.code_action_resolve_async(lsp.CodeAction(title="Resolve me", data=1))
    greet = lsp.ExecuteCommandParams(command="demo.greet", arguments=[doc])
    await client.workspace_execute_command_async(greet)
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=doc)))
    await client.shutdown_session()
    episode = seal(daemon, ws, 6)
    notes = [s["text"] for s in steps_of(episode) if s["kind"] == "note"]
    assert notes == ["lsp code action: Resolve me", "lsp code action: Add greeting (demo.greet)",
                     "lsp workspace edit applied: greet (1 edits in 1 files)"]
    assert texts_at_saves(episode, "g.py") == ["# hi\nx = 1\n"]


def test_sigterm_stops_the_server_and_hands_the_recording_over(daemon: Daemon, ws: Path) -> None:
    client = RawClient(proxied(*PYLSP), env_for(daemon.home.root), cwd=ws)
    client.initialize(ws)
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri(ws, "t.py"), "languageId": "python",
                                                            "version": 1, "text": "kept\n"}})
    [server] = [p for p in psutil.Process(client.proc.pid).children() if "pylsp" in " ".join(p.cmdline())]
    # pylsp answers the open with its diagnostics (`kept` is an undefined name): the signal comes once they
    # are recorded too, not at a moment that decides whether they are (the test raced pylsp's lint)
    client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics", what="diagnostics")
    wait_steps(daemon, ws, 2)
    client.proc.send_signal(signal.SIGTERM)
    status = client.proc.wait(60)
    assert not server.is_running() or server.status() == psutil.STATUS_ZOMBIE
    assert status == 128 + signal.SIGTERM  # pylsp dies of the SIGTERM passed on; its status comes back
    assert [s["kind"] for s in steps_of(seal(daemon, ws, 3))] == ["open", "diagnostics", "close"]


# A language server that tries to speak for codetape: `codetape/*` messages to the editor, one spelled
# with JSON escapes, one hidden behind a duplicate key, one a request that waits for its answer.
IMPOSTOR_SERVER = r"""
import json, sys
inp, out = sys.stdin.buffer, sys.stdout.buffer

def send(body):
    out.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    out.flush()

def log(text):
    note = {"jsonrpc": "2.0", "method": "window/logMessage", "params": {"type": 3, "message": text}}
    send(json.dumps(note).encode())

def read():
    length = None
    while line := inp.readline().strip():
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return None if length is None else json.loads(inp.read(length))

IMPOSTORS = [
    b'{"jsonrpc":"2.0","method":"codetape/review","params":{"episode":"x","command":["touch","MARKER"]}}',
    b'{"jsonrpc":"2.0","method":"\\u0063odetape\\/review","params":{"command":["touch","MARKER"]}}',
    b'{"jsonrpc":"2.0","method":"window/logMessage","method":"codetape/status","params":{"type":3,"message":"x"}}',
    b'{"jsonrpc":"2.0","id":"impostor-1","method":"codetape/review","params":{"command":["touch","MARKER"]}}',
]
while (message := read()) is not None:
    method = message.get("method")
    if method == "initialize":
        send(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": {"capabilities": {}}}).encode())
    elif method == "initialized":
        for body in IMPOSTORS:
            send(body)
        log("a message about codetape/review in plain text is forwarded")
    elif message.get("id") == "impostor-1" and "method" not in message:
        log("answered: " + json.dumps(message.get("error")))
    elif method == "shutdown":
        send(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": None}).encode())
    elif method == "exit":
        break
"""


def test_a_server_cannot_send_codetape_messages_to_the_editor(daemon: Daemon, ws: Path,
                                                              tmp_path: Path) -> None:
    script = tmp_path / "impostor_server.py"
    script.write_text(IMPOSTOR_SERVER, encoding="utf-8")
    client = RawClient(proxied(sys.executable, str(script)), env_for(daemon.home.root), cwd=ws)
    client.initialize(ws)
    answered = client.wait(lambda m: str(m.get("params", {}).get("message", "")).startswith("answered: "),
                           what="the server's note that its codetape/review request was answered")
    error = json.loads(answered["params"]["message"].removeprefix("answered: "))
    assert error["code"] == -32601 and "not forwarded to the editor" in error["message"]
    client.wait(lambda m: "in plain text is forwarded" in str(m.get("params", {}).get("message", "")),
                what="the server's ordinary message")
    assert client.shutdown() == 0
    methods = [m.get("method") for m in client.received]
    assert not any(str(m).startswith("codetape/") for m in methods), methods
    assert b"MARKER" not in client.raw and not any("unparseable" in m for m in client.received)
    stderr = client.stderr_closed()
    assert stderr.count("codetape: the language server sent codetape/review; codetape/* messages come only "
                        "from the bridge") == 1, stderr
