"""An autostarted collector nobody uses exits after its idle time, and says so (issue 87): no client
connected, no episode open, nothing in the outbox. One started otherwise runs until it is stopped; an open
episode keeps an autostarted one until it is sealed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collector.daemon.idle_exit import IDLE_EXIT_ENV
from collector.home import Home
from collector.platform.process import alive
from collector.protocol.client import Client
from collector.protocol.clock import now_ms
from tests.support.collector_harness import codetape, opt_in
from tests.waiting import wait_for

IDLE_S = 2


@pytest.fixture(autouse=True)
def short_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(IDLE_EXIT_ENV, str(IDLE_S))


def test_an_autostarted_collector_says_it_will_exit_and_exits_once_idle(tmp_path: Path) -> None:
    home = Home(tmp_path / "h")
    with Client.connect(home, autostart=True) as client:
        status = client.request("status")
        pid = status["pid"]
        assert status["started"]["how"] == "autostart" and status["idle_exit_s"] == IDLE_S
        said = codetape(home.root, "status")
        assert f"it exits after {IDLE_S} s with no client connected, no episode open and nothing in the " \
               "outbox" in said.stdout, said.stdout
    wait_for(lambda: not alive(pid), what="the idle collector to exit")
    log = home.log.read_text()
    assert "no client, no open episode and nothing in the outbox for 2 s: exiting" in log
    assert not home.socket.exists()
    assert not (home.run / "stopped").exists()  # not the user's stop: the next client starts one again


def test_an_open_episode_keeps_it_until_sealed(tmp_path: Path) -> None:
    home = Home(tmp_path / "h")
    ws = opt_in(tmp_path / "ws", "idle_timeout_s = 3\n", home=home.root)
    with Client.connect(home, autostart=True) as client:
        pid = client.request("status")["pid"]
        assert client.hello(ws, "bridge")["recording"]
        client.send_step(now_ms(), {"kind": "note", "source": "bridge", "text": "kept"})
        client.request("status")
    wait_for(lambda: not alive(pid), what="the collector to exit once the episode was sealed")
    log = home.log.read_text()
    assert log.index("sealed") < log.index(": exiting"), log


def test_a_detached_collector_does_not_exit_when_idle(tmp_path: Path) -> None:
    home = tmp_path / "h"
    assert codetape(home, "collector", "--detach").returncode == 0
    try:
        status = json.loads(codetape(home, "status", "--json").stdout)
        assert status["started"]["how"] == "detach" and status["idle_exit_s"] is None
        assert "it exits after" not in codetape(home, "status").stdout
    finally:
        assert codetape(home, "collector", "stop").returncode == 0


