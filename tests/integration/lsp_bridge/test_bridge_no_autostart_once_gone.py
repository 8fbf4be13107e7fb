"""A bridge whose editor is gone starts no collector (issue 87): the recorder's last flush, after the
editor's connection ended, finds the collector stopped and leaves it so (nobody would stop one started
then), saying its steps were not recorded; while the editor is connected, the bridge starts one as ever."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from collector.home import Home
from collector.platform.process import alive
from collector.protocol.client import Client
from collector.protocol.clock import now_ms
from lsp_bridge.main import collector_link
from lsp_bridge.recording.recorder import Recorder
from lsp_bridge.recording.spool import Outgoing
from schemas import step_from_dict
from tests.support.collector_harness import opt_in
from tests.waiting import wait_for


def _note(text: str) -> Outgoing:
    return Outgoing(now_ms(), step_from_dict({"kind": "note", "source": "bridge", "text": text, "t_ms": 0}))


def test_the_last_flush_after_the_editor_left_starts_no_collector(tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    home = Home(tmp_path / "h")
    ws = opt_in(tmp_path / "ws", home=home.root)
    recorder: Recorder | None = None
    recorder = Recorder(collector_link(home, autostart=True, editor_gone=lambda: recorder is not None and
                                       recorder.stopping))
    recorder.start()
    recorder.open(ws)
    recorder.record(ws, _note("while the editor is here"))
    wait_for(lambda: home.socket.exists(), what="the collector the bridge started")
    with Client.connect(home, autostart=False) as client:
        pid = client.request("status")["pid"]
        assert wait_for(lambda: client.request("status")["workspaces"][0]["steps"] >= 1, what="the note")
        client.request("shutdown")  # the collector stops (not the user's stop: no marker)...
    wait_for(lambda: not alive(pid), what="the collector to stop")
    recorder.record(ws, _note("after the collector stopped"))
    with caplog.at_level(logging.ERROR):
        recorder.flush(timeout=5.0)  # ...and the editor leaves: the last flush
    assert recorder.stopping
    assert not home.socket.exists(), "a collector was started after the editor left"
    assert "were not recorded" in caplog.text


def test_the_link_starts_a_collector_only_while_the_editor_is_there(tmp_path: Path) -> None:
    from collector.errors import CollectorError

    home = Home(tmp_path / "h")
    gone = collector_link(home, autostart=True, editor_gone=lambda: True)
    with pytest.raises(CollectorError, match="collector not running"):
        gone()
    assert not home.socket.exists()
    with collector_link(home, autostart=True, editor_gone=lambda: False)() as link:
        assert link.request("status")["started"]["how"] == "autostart"
        link.request("shutdown")
    wait_for(lambda: not home.socket.exists(), what="the started collector to stop")
