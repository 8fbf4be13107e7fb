"""A pause outlives the collector (issue 9, item 3): after SIGTERM or kill -9, the next collector started
for the same home does not record a paused workspace until it is resumed, and `status` says so."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from collector.episode import open_episode
from collector.protocol.clock import now_ms
from tests.support.collector_harness import codetape, opt_in, running, settle


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "kill-9"])
def test_a_pause_survives_a_collector_restart(signum: int, tmp_path: Path) -> None:
    ws = opt_in(tmp_path / "ws", home=tmp_path / "home")
    home = tmp_path / "home"
    with running(home) as daemon, daemon.client() as client:
        client.hello(ws, "cli")
        assert client.request("pause", workspace=str(ws)) == {"paused": True}
        daemon.stop(signum)
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(ws, "cli")["paused"] is True
        client.send_step(now_ms(), {"kind": "note", "source": "cli", "text": "while paused"})
        settle(client)
        assert client.request("seal", workspace=str(ws)) is None  # nothing was recorded
        status = codetape(home, "status")
        assert status.returncode == 0 and "paused" in status.stdout, status.stdout
        assert client.request("resume", workspace=str(ws)) == {"paused": False}
        client.send_step(now_ms(), {"kind": "note", "source": "cli", "text": "after resume"})
        settle(client)
        sealed = client.request("seal", workspace=str(ws))
    notes = [step.text for step in open_episode(Path(sealed["path"])).steps() if step.kind == "note"]
    assert notes == ["after resume"]
    with running(home) as daemon, daemon.client() as client:  # resumed stays resumed
        assert client.hello(ws, "cli")["paused"] is False
