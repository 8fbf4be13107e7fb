"""Observe mode with pytest-lsp against a real collector: text sync, files, extensions, commands, review."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as lsp

from collector.text.positions import units
from schemas.messages import COMMANDS
from tests.support.bridge_harness import (
    at_least,
    change,
    daemon,
    init_params,
    own_daemon,
    own_ws,
    seal,
    start_bridge,
    steps_of,
    texts_at_saves,
    uri,
    wait_steps,
    ws,
)
from tests.support.collector_harness import (
    SECRET,
    Daemon,
    codetape,
    opt_in,
    outside_config,
    wait_recorded,
)
from tests.waiting import wait_for, wait_for_async

__all__ = ["daemon", "own_daemon", "own_ws", "ws"]
START = "# naïve 😀 start\nprint('x')\n"


def open_doc(client: Any, uri_: str, text: str, version: int = 0) -> None:
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(
        text_document=lsp.TextDocumentItem(uri=uri_, language_id="python", version=version, text=text)))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
async def test_text_sync_is_recorded_in_the_editors_encoding(daemon: Daemon, ws: Path, encoding: str) -> None:
    client = await start_bridge(daemon.home.root)
    offered = ["utf-8", "utf-16"] if encoding == "utf-8" else None
    result = await client.initialize_session(init_params(ws, offered, name=f"editor-{encoding}"))
    assert result.capabilities.position_encoding == encoding
    doc = uri(ws, "src/app.py")
    open_doc(client, doc, START)
    emoji_end = units("# naïve 😀", encoding)  # the caret right after the emoji, in the editor's units
    client.text_document_did_change(change(doc, 1, ((0, emoji_end, 0, emoji_end), "👩‍💻")))
    client.text_document_did_change(change(doc, 2, ((1, 7, 1, 8), "y = 'é'"), ((2, 0, 2, 0), "z = 1\n")))
    expected_1 = "# naïve 😀👩‍💻 start\nprint('y = 'é'')\nz = 1\n"
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(
        text_document=lsp.TextDocumentIdentifier(uri=doc), text=expected_1))
    client.text_document_did_change(change(doc, 3, (None, "replaced 😀\n")))
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=doc)))
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=doc)))
    await client.shutdown_session()
    assert client._server is not None and client._server.returncode == 0

    episode = seal(daemon, ws, 7)
    assert episode.header.position_encoding == encoding
    assert episode.header.client is not None and episode.header.client.name == f"editor-{encoding}"
    assert texts_at_saves(episode, "src/app.py") == [expected_1, "replaced 😀\n"]
    steps = steps_of(episode)
    assert [s["kind"] for s in steps] == ["open", "edit", "edit", "save", "edit", "save", "close"]
    assert steps[1]["changes"][0]["range"]["start"]["character"] == emoji_end
    assert all(s["source"] == "bridge" for s in steps) and "text" not in steps[3]


async def test_a_second_editor_in_another_encoding_is_converted(daemon: Daemon, ws: Path) -> None:
    first = await start_bridge(daemon.home.root)
    await first.initialize_session(init_params(ws, ["utf-8"], name="first"))
    open_doc(first, uri(ws, "a.py"), "a = 1\n")
    wait_steps(daemon, ws, 1)  # the utf-8 session exists before the second editor says hello
    second = await start_bridge(daemon.home.root)
    answer = await second.initialize_session(init_params(ws, None, name="second"))
    assert answer.capabilities.position_encoding == "utf-16"
    doc = uri(ws, "b.py")
    open_doc(second, doc, "s = '😀é'\n")
    client_pos = units("s = '😀é", "utf-16")
    second.text_document_did_change(change(doc, 1, ((0, client_pos, 0, client_pos), "!")))
    second.text_document_did_save(lsp.DidSaveTextDocumentParams(
        text_document=lsp.TextDocumentIdentifier(uri=doc), text="s = '😀é!'\n"))
    await second.shutdown_session()
    await first.shutdown_session()
    episode = seal(daemon, ws, 4)
    assert episode.header.position_encoding == "utf-8"
    edit = next(s for s in steps_of(episode) if s["kind"] == "edit")
    assert edit["changes"][0]["range"]["start"]["character"] == units("s = '😀é", "utf-8")
    assert texts_at_saves(episode, "b.py") == ["s = '😀é!'\n"]


async def test_capabilities_offer_sync_and_commands_only(daemon: Daemon, ws: Path) -> None:
    client = await start_bridge(daemon.home.root)
    result = await client.initialize_session(init_params(ws, ["utf-32", "utf-16"]))
    caps = result.capabilities
    assert caps.position_encoding == "utf-32"
    sync = caps.text_document_sync
    assert isinstance(sync, lsp.TextDocumentSyncOptions)
    assert sync.open_close and sync.change == lsp.TextDocumentSyncKind.Incremental
    assert isinstance(sync.save, lsp.SaveOptions) and sync.save.include_text
    assert caps.execute_command_provider is not None
    assert sorted(caps.execute_command_provider.commands) == sorted(COMMANDS)
    assert caps.workspace is not None and caps.workspace.file_operations is not None
    assert caps.workspace.file_operations.did_rename is not None
    for feature in ("hover_provider", "completion_provider", "definition_provider", "code_action_provider",
                    "document_formatting_provider", "rename_provider", "semantic_tokens_provider"):
        assert getattr(caps, feature) is None, feature
    await client.shutdown_session()


async def test_files_extensions_and_what_is_not_recorded(own_daemon: Daemon, own_ws: Path,
                                                         tmp_path: Path) -> None:
    """Its own collector: whether the bridge's file events or the collector's file watcher record a
    file first depends on when the watcher first looked at the workspace."""
    daemon, ws = own_daemon, own_ws
    client = await start_bridge(daemon.home.root)
    registered: list[lsp.Registration] = []

    @client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
    def register(params: lsp.RegistrationParams) -> None:
        registered.extend(params.registrations)

    await client.initialize_session(init_params(ws, ["utf-16"]))
    await wait_for_async(lambda: registered, what="the bridge to ask for file watching")
    assert registered[0].method == lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES
    (ws / "new.py").write_text("created = '✓'\n", encoding="utf-8")
    client.workspace_did_create_files(lsp.CreateFilesParams(files=[lsp.FileCreate(uri=uri(ws, "new.py"))]))
    (ws / "moved.py").write_text("moved\n", encoding="utf-8")
    client.workspace_did_rename_files(lsp.RenameFilesParams(
        files=[lsp.FileRename(old_uri=uri(ws, "old.py"), new_uri=uri(ws, "moved.py"))]))
    client.workspace_did_delete_files(lsp.DeleteFilesParams(files=[lsp.FileDelete(uri=uri(ws, "gone.py"))]))
    (ws / "disk.py").write_text("from disk\n", encoding="utf-8")
    client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(
        changes=[lsp.FileEvent(uri=uri(ws, "disk.py"), type=lsp.FileChangeType.Changed)]))
    # opted in, but not this editor's folder: still recorded
    outside = opt_in(tmp_path / "other", home=daemon.home.root) / "x.py"
    not_opted = tmp_path / "plain" / "y.py"
    for doc in (uri(ws, "a.py"), "untitled:Untitled-1", not_opted.as_uri(), outside.as_uri()):
        open_doc(client, doc, "text\n")
    a = uri(ws, "a.py")
    client.protocol.notify("codetape/diagnostics", {
        "uri": a, "origin": "mypy", "diagnostics": [{"range": {"start": {"line": 0, "character": 0},
                                                              "end": {"line": 0, "character": 4}},
                                                    "message": "bad", "severity": 1, "code": "E1"}]})
    client.protocol.notify("codetape/cursor", {"uri": a, "selections": [
        {"anchor": {"line": 0, "character": 1}, "active": {"line": 0, "character": 3}}]})
    client.protocol.notify("codetape/command", {"commandLine": "pytest -q", "cwd": str(ws / "src"),
                                                "exitCode": 1, "durationMs": 1500})
    client.protocol.notify("codetape/note", {"text": "trying the cache"})
    client.protocol.notify("codetape/cursor", {"uri": a, "selections": []})  # invalid: skipped
    await client.shutdown_session()

    # The bridge alone tells of the rename and the delete (nothing is on disk); a created or modified file
    # is told by the bridge's file events and seen by the collector's file watcher: whichever reaches the
    # collector first is recorded, the other is its echo. Each is recorded once, with its text.
    def told(steps: list[dict[str, Any]]) -> bool:
        files = {s["path"] for s in steps if s["kind"] == "file_change"}
        return sum(s["source"] == "bridge" for s in steps) >= 7 and {"new.py", "disk.py"} <= files
    episode = seal(daemon, ws, until=told, what="the bridge's steps and both files written")
    steps = steps_of(episode)
    changes = [(s["change"], s["path"], s.get("new_path"), s.get("text")) for s in steps
               if s["kind"] == "file_change" and s["source"] == "bridge"]
    assert ("renamed", "old.py", "moved.py", None) in changes
    assert ("deleted", "gone.py", None, None) in changes
    written = [(s["path"], s.get("text")) for s in steps
               if s["kind"] == "file_change" and s["path"] in ("new.py", "disk.py")]
    assert sorted(written) == [("disk.py", "from disk\n"), ("new.py", "created = '✓'\n")]
    assert [s["path"] for s in steps if s["kind"] == "open"] == ["a.py"]
    diagnostics = next(s for s in steps if s["kind"] == "diagnostics")
    assert diagnostics["origin"] == "mypy" and diagnostics["items"][0]["code"] == "E1"
    [cursor] = [s for s in steps if s["kind"] == "cursor"]
    assert cursor["selections"][0]["active"]["character"] == 3
    command = next(s for s in steps if s["kind"] == "command")
    assert (command["command_line"], command["cwd"], command["exit_code"], command["duration_ms"]) == \
        ("pytest -q", "src", 1, 1500)
    assert any(s["kind"] == "note" and s["text"] == "trying the cache" for s in steps)
    other = opt_in(tmp_path / "other", home=daemon.home.root)
    other_steps = steps_of(seal(daemon, other, until=at_least(1, "open", source="bridge"), what="the open"))
    assert [(s["kind"], s["path"]) for s in other_steps if s["source"] == "bridge"] == [("open", "x.py")]


async def test_a_document_whose_folder_becomes_a_link_out_is_not_read_or_recorded_through_it(
        daemon: Daemon, ws: Path, tmp_path: Path) -> None:
    """`cfg/` turns into `cfg -> ../dotdocker` while `cfg/config.json` is open: the editor reloads the
    buffer, reports the file changed, closes and opens it again (all within the bridge's 5 s cache of
    where a document lies). Neither what the editor sends nor what the bridge reads from disk reaches the
    episode."""
    secret_text = (outside_config(tmp_path) / "config.json").read_text()
    (ws / "cfg").mkdir()
    (ws / "cfg" / "config.json").write_text('{"auths": {}}\n')
    client = await start_bridge(daemon.home.root)
    await client.initialize_session(init_params(ws, ["utf-16"]))
    doc = uri(ws, "cfg/config.json")
    open_doc(client, doc, '{"auths": {}}\n')
    client.text_document_did_change(change(doc, 1, ((0, 1, 0, 1), " ")))
    wait_recorded(daemon.home, ws, at_least(1, "edit"), "the edit before the swap")
    shutil.rmtree(ws / "cfg")
    (ws / "cfg").symlink_to("../dotdocker", target_is_directory=True)
    client.text_document_did_change(change(doc, 2, (None, secret_text)))  # the editor reloads from disk
    client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(
        changes=[lsp.FileEvent(uri=doc, type=lsp.FileChangeType.Changed)]))
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(
        text_document=lsp.TextDocumentIdentifier(uri=doc), text=secret_text))
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=doc)))
    open_doc(client, doc, secret_text, version=3)
    client.protocol.notify("codetape/note", {"text": "the end"})
    await client.shutdown_session()
    episode = seal(daemon, ws, until=at_least(1, "note"), what="the closing note")
    steps = steps_of(episode)
    assert SECRET not in repr(steps)
    cat = codetape(daemon.home.root, "cat", str(episode.path))
    assert cat.returncode == 0 and SECRET not in cat.stdout
    bridge = [(s["kind"], s.get("path")) for s in steps if s["source"] == "bridge"]
    assert bridge[:2] == [("open", "cfg/config.json"), ("edit", "cfg/config.json")]
    assert ("close", "cfg/config.json") in bridge[2:] and bridge[-1] == ("note", None)


async def test_commands_and_the_review_prompt(daemon: Daemon, ws: Path) -> None:
    client = await start_bridge(daemon.home.root)
    choices = iter(["Review", "Discard"])
    prompts: list[str] = []
    reviews: list[Any] = []

    @client.feature(lsp.WINDOW_SHOW_MESSAGE_REQUEST)
    def ask(params: lsp.ShowMessageRequestParams) -> lsp.MessageActionItem:
        prompts.append(params.message)
        assert [a.title for a in params.actions or ()] == ["Review", "Later", "Discard"]
        return lsp.MessageActionItem(title=next(choices))

    @client.feature("codetape/review")
    def review(params: Any) -> None:
        reviews.append(params)

    await client.initialize_session(init_params(ws, None))
    doc = uri(ws, "a.py")
    open_doc(client, doc, "x = 1\n")
    client.text_document_did_change(change(doc, 1, ((0, 5, 0, 5), "0")))
    wait_steps(daemon, ws, 2)
    status = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(command="codetape.status"))
    assert [w["steps"] for w in status["workspaces"] if w["root"] == str(ws)] == [2]
    sealed = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(command="codetape.seal"))
    assert sealed["steps"] == 2 and Path(sealed["path"]).exists()
    await wait_for_async(lambda: reviews, what="the codetape/review notification")
    assert prompts == ["codetape: episode ready for review (2 steps, 1 files)"]
    assert reviews[0].episode == sealed["episode"]
    assert not hasattr(reviews[0], "command")  # the editor builds the command from its own codetape
    await wait_for_async(lambda: any(sealed["episode"] in m.message for m in client.messages),
                         what="the message naming the episode")

    client.text_document_did_change(change(doc, 2, ((0, 6, 0, 6), "0")))  # the next episode starts exact
    wait_steps(daemon, ws, 2)  # the collector's open of the document, then the edit
    second = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(command="codetape.seal"))
    await wait_for_async(lambda: len(prompts) == 2, what="the second prompt")
    wait_for(lambda: not Path(second["path"]).exists(), what="the discarded episode to be deleted")
    paused = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
        command="codetape.pause", arguments=[doc]))
    assert paused == {"paused": True}
    await client.shutdown_session()


async def test_the_next_episode_begins_with_the_open_documents(daemon: Daemon, ws: Path) -> None:
    client = await start_bridge(daemon.home.root)
    prompts: list[str] = []

    @client.feature(lsp.WINDOW_SHOW_MESSAGE_REQUEST)
    def ask(params: lsp.ShowMessageRequestParams) -> None:  # the review prompt: dismissed
        prompts.append(params.message)

    await client.initialize_session(init_params(ws, None))
    doc = uri(ws, "a.py")
    open_doc(client, doc, "start\n")
    seal(daemon, ws, 1)
    await wait_for_async(lambda: prompts, what="the bridge to hear `sealed` (it prompts for a review)")
    client.text_document_did_change(change(doc, 1, ((1, 0, 1, 0), "more\n")))
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=doc)))
    await client.shutdown_session()
    episode = seal(daemon, ws, 3)
    steps = steps_of(episode)
    assert (steps[0]["kind"], steps[0]["source"], steps[0]["path"], steps[0]["text"]) == \
        ("open", "collector", "a.py", "start\n")
    assert [s["kind"] for s in steps].count("gap") == 0
    assert texts_at_saves(episode, "a.py") == ["start\nmore\n"]


def test_the_bridge_module_runs_as_codetape_bridge() -> None:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "collector", "bridge", "--help"], capture_output=True,
                         text=True, env=os.environ, timeout=60, check=False)
    assert out.returncode == 0 and "-- CMD ARGS" in out.stdout
