"""Recording stopped by the user (issue 51, item 2): nothing starts the collector on its own until the
user starts it again. No process is started here: the refusal comes before any would be."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.errors import CollectorError, StoppedByYou
from collector.home import Home
from collector.protocol.client import Client
from collector.protocol.starter import autostarted, handover
from collector.protocol.stopped import STOPPED, clear_stopped, mark_stopped, stopped_by_you


def test_a_client_that_would_start_the_collector_is_refused_once_the_user_stopped_it(tmp_path: Path) -> None:
    home = Home(tmp_path)
    mark_stopped(home)
    assert stopped_by_you(home)
    with pytest.raises(StoppedByYou, match="you ran `codetape collector stop`") as refused:
        Client.connect(home, autostart=True, timeout=0.2)
    assert str(refused.value) == STOPPED
    with pytest.raises(CollectorError, match="collector not running") as plain:  # not asked to start it
        Client.connect(home, autostart=False, timeout=0.2)
    assert not isinstance(plain.value, StoppedByYou)
    assert (home.run / "stopped").stat().st_mode & 0o077 == 0
    assert clear_stopped(home) and not stopped_by_you(home)
    assert not clear_stopped(home)


def test_only_a_client_s_autostart_is_told_apart() -> None:
    assert autostarted({"CODETAPE_STARTED_BY": handover("autostart", by="codetape bridge", pid=7)})
    assert not autostarted({"CODETAPE_STARTED_BY": handover("detach")})
    assert not autostarted({})
    assert not autostarted({"CODETAPE_STARTED_BY": "{not json"})
