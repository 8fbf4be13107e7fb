"""`codetape/status` from a real bridge (observe and proxy mode) fed by a real collector: recording with
the collector's growing count, paused, sealed back to zero, the collector down, invalid settings (not
recording, with the file's line) and settings that loosen what was accepted; and the background upload's
failure and what the outbox holds as the collector reports them. Editors that do not ask get nothing:
test_bridge_proxy's byte-for-byte test holds the editor's stream to the server's own bytes."""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import attrs
from lsprotocol import types as lsp

from collector.daemon.drain import BackgroundUpload
from collector.held import MEMBERS, PUSHED, drop, keep
from collector.home import Home
from lsp_bridge.recording.status import status_params
from tests.support.bridge_harness import (
    PYLSP,
    change,
    daemon,
    init_params,
    own_ws,
    start_bridge,
    uri,
    ws,
)
from tests.support.collector_harness import Daemon, codetape_process, episode_steps, start_daemon
from tests.waiting import wait_for_async

__all__ = ["daemon", "own_ws", "ws"]


def asking(params: lsp.InitializeParams) -> lsp.InitializeParams:
    """The editor asks for `codetape/status`, as the extensions in editor_extensions/ do."""
    capabilities = attrs.evolve(params.capabilities, experimental={"codetape": {"status": True}})
    return attrs.evolve(params, capabilities=capabilities)


def listen(client: Any) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    @client.feature("codetape/status")
    def status(params: Any) -> None:
        seen.append(params._asdict() if hasattr(params, "_asdict") else dict(params))

    return seen


def last(seen: list[dict[str, Any]], **fields: Any) -> Any:
    return lambda: seen and all(seen[-1].get(k) == v for k, v in fields.items())


async def test_observe_mode_reports_recording_steps_pause_and_seal(daemon: Daemon, ws: Path) -> None:
    client = await start_bridge(daemon.home.root)
    seen = listen(client)
    await client.initialize_session(asking(init_params(ws, None)))
    await wait_for_async(last(seen, state="recording", steps=0), what="recording with no step yet",
                         detail=lambda: seen)
    assert seen[0]["uri"] == ws.as_uri()
    doc = uri(ws, "a.py")
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(
        text_document=lsp.TextDocumentItem(uri=doc, language_id="python", version=0, text="x = 1\n")))
    await wait_for_async(last(seen, state="recording", steps=1), what="one step", detail=lambda: seen)
    client.text_document_did_change(change(doc, 1, ((0, 5, 0, 5), "0")))
    await wait_for_async(last(seen, state="recording", steps=2), what="two steps", detail=lambda: seen)
    episode = seen[-1]["episode"]
    assert episode

    client.protocol.notify("codetape/pause", {"uri": doc})
    await wait_for_async(last(seen, state="paused"), what="paused", detail=lambda: seen)
    client.protocol.notify("codetape/resume", {"uri": doc})
    await wait_for_async(last(seen, state="recording"), what="recording again", detail=lambda: seen)
    sealed = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(command="codetape.seal"))
    assert sealed["episode"] == episode
    await wait_for_async(last(seen, state="recording", steps=0, episode=None), what="a sealed episode",
                         detail=lambda: seen)
    assert all(a != b for a, b in itertools.pairwise(seen)), "a status was sent twice in a row"
    await client.shutdown_session()


async def test_the_episodes_the_outbox_holds_are_counted_as_upload_runs_leave_them(daemon: Daemon,
                                                                                    ws: Path) -> None:
    """Issue 68: the collector counts what upload runs hold (collector/held.py, written here by the helper a
    run uses), whichever the reason, and the bridge tells the editor as it changes."""
    client = await start_bridge(daemon.home.root)
    seen = listen(client)
    await client.initialize_session(asking(init_params(ws, None)))
    await wait_for_async(last(seen, state="recording", held=0), what="nothing held", detail=lambda: seen)
    keep(daemon.home, PUSHED, [{"episode_id": "a1"}], [])
    await wait_for_async(last(seen, held=1), what="one held", detail=lambda: seen)
    keep(daemon.home, MEMBERS, [{"episode_id": "a1"}, {"episode_id": "b2"}], [])
    await wait_for_async(last(seen, held=2), what="two held, one for both reasons", detail=lambda: seen)
    drop(daemon.home, "a1")  # uploaded or withdrawn
    await wait_for_async(last(seen, state="recording", held=1), what="one left", detail=lambda: seen)
    await client.shutdown_session()


async def test_collector_down_then_up_in_proxy_mode(tmp_path: Path, own_ws: Path) -> None:
    home = tmp_path / "h"  # the collector is not running yet, and the bridge may not start it
    client = await start_bridge(home, "--", *PYLSP)
    seen = listen(client)
    await client.initialize_session(asking(init_params(own_ws, None)))
    await wait_for_async(last(seen, state="collector_down"), what="collector down", detail=lambda: seen)
    assert seen[-1]["detail"]  # why: the socket is not there
    started = start_daemon(home)
    try:
        await wait_for_async(last(seen, state="recording"), what="recording once the collector runs",
                             detail=lambda: seen)
        await client.shutdown_session()
    finally:
        started.stop()


async def test_invalid_settings_say_not_recording_with_their_line_until_fixed(daemon: Daemon,
                                                                             ws: Path) -> None:
    settings = ws / ".codetape.toml"
    settings.write_text("# mine\nidle_timeout_s = -5\n", encoding="utf-8")  # a typo: nothing is recorded
    client = await start_bridge(daemon.home.root)
    seen = listen(client)
    await client.initialize_session(asking(init_params(ws, None)))
    await wait_for_async(last(seen, state="not_recording"), what="not recording", detail=lambda: seen)
    assert seen[-1]["detail"] == f"{settings}:2: idle_timeout_s: Expected `int` >= 1"
    settings.write_text('[redaction]\nallow = ["rule:jwt"]\n', encoding="utf-8")  # valid, but not accepted
    await wait_for_async(last(seen, state="recording"), what="recording again", detail=lambda: seen)
    assert seen[-1]["detail"] == ("settings changed since you accepted them (.codetape.toml): using the "
                                  f"stricter of both; accept with `codetape trust {ws}`")
    await client.shutdown_session()


def test_status_params_carry_the_upload_failure_and_skip_what_is_unknown(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    answer = {"workspaces": [{"root": str(root), "paused": False, "steps": 7, "episode": "e1"}],
              "upload_error": "s3://b: access denied"}
    assert status_params(root, "recording", "", answer) == {
        "uri": root.as_uri(), "state": "recording", "steps": 7, "episode": "e1", "detail": "",
        "uploadError": "s3://b: access denied", "held": 0, "scope": None}
    held = status_params(root, "recording", "", answer | {"held": 2})  # issue 68: what the outbox holds
    assert held is not None and held["held"] == 2
    scoped = answer | {"workspaces": [{**answer["workspaces"][0], "scope": "'client A'"}]}  # issue 106
    governed = status_params(root, "recording", "", scoped)
    assert governed is not None and governed["scope"] == "'client A'"
    assert status_params(root, "waiting", "", None) is None  # still connecting: nothing to say yet
    assert status_params(root, "recording", "", None) is None  # the collector did not answer this time
    assert status_params(root, "recording", "", {"workspaces": []}) is None


def test_background_upload_failure_is_kept_until_a_run_succeeds(tmp_path: Path) -> None:
    home = Home(tmp_path / "h")
    home.ensure(home.outbox)
    home.config.write_text('[upload]\nto = "file:///srv/nowhere"\n', encoding="utf-8")
    fail = "import sys; sys.stderr.write('codetape: cannot write to /srv/nowhere\\n'); sys.exit(1)"
    upload = BackgroundUpload(home, command=[sys.executable, "-c", fail])

    async def run_once() -> None:
        upload.poke()
        assert upload.task is not None
        await upload.task

    asyncio.run(run_once())
    assert upload.failure == "cannot write to /srv/nowhere"
    upload.command = [sys.executable, "-c", "pass"]
    (home.outbox / "signed.ctape").write_bytes(b"")  # the outbox changed: the next tick runs again
    asyncio.run(run_once())
    assert upload.failure is None


async def test_a_stop_by_the_user_sticks_for_an_editor_already_open_until_resume(tmp_path: Path,
                                                                                  own_ws: Path) -> None:
    """Issue 51: the bridge of an open editor started the collector again right after `codetape collector
    stop`. Now it says `stopped` and keeps nothing of what the editor does until `codetape resume`; the next
    episode opens with a gap holding the open documents."""
    home = tmp_path / "h"
    client = await start_bridge(home, autostart=True)  # as editors run it: it starts the collector
    seen = listen(client)
    await client.initialize_session(asking(init_params(own_ws, None)))
    await wait_for_async(last(seen, state="recording"), what="recording", detail=lambda: seen)
    doc = uri(own_ws, "a.py")
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(
        text_document=lsp.TextDocumentItem(uri=doc, language_id="python", version=0, text="x = 1\n")))
    await wait_for_async(last(seen, state="recording", steps=1), what="the open", detail=lambda: seen)
    first = seen[-1]["episode"]
    stopped = codetape_process(home, "collector", "stop")
    assert stopped.returncode == 0, stopped.stderr
    await wait_for_async(last(seen, state="stopped"), what="stopped by you", detail=lambda: seen)
    assert "codetape resume" in seen[-1]["detail"]
    assert not Home(home).socket.exists()
    client.text_document_did_change(change(doc, 1, ((0, 5, 0, 5), "0")))  # while stopped: not recorded
    resumed = codetape_process(home, "resume", str(own_ws))
    assert resumed.returncode == 0, resumed.stderr
    try:
        await wait_for_async(last(seen, state="recording"), what="recording again", detail=lambda: seen)
        client.text_document_did_change(change(doc, 2, ((0, 6, 0, 6), "0")))  # recorded, after the gap
        await wait_for_async(last(seen, state="recording", steps=3), what="the gap, the open and the edit",
                             detail=lambda: seen)
        second = seen[-1]["episode"]
        assert second and second != first
        sealed = codetape_process(home, "seal", "--json", str(own_ws))
        steps = episode_steps(Path(json.loads(sealed.stdout)["path"]))
        assert [(s["kind"], s.get("reason"), s.get("lost_steps")) for s in steps] == \
            [("gap", "paused", 1), ("open", None, None), ("edit", None, None)]  # the collector opens it again
        assert (steps[1]["path"], steps[1]["text"]) == ("a.py", "x = 10\n")  # as the editor has it now
        assert "stopped by you" in steps[0]["detail"]
        await client.shutdown_session()
    finally:
        codetape_process(home, "collector", "stop")
