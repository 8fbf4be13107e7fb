"""A `steps` message is recorded as the same steps sent one at a time would be (the collector writes a
message's steps to the journal together)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collector.journal import JournalScanner
from collector.protocol.client import Client
from collector.protocol.clock import now_ms
from tests.support.collector_harness import Daemon, episode_steps, opt_in, running, settle


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[Daemon]:
    with running(tmp_path / "h") as started:
        yield started


def mixed(at: int) -> list[tuple[int, dict[str, Any]]]:
    """Steps the session keeps, drops, turns into gaps, validates and tracks, in one batch."""
    def edit(version: int, line: int, character: int, text: str) -> dict[str, Any]:
        at_ = {"line": line, "character": character}
        return {"kind": "edit", "source": "bridge", "path": "src/a.py", "version": version,
                "changes": [{"range": {"start": at_, "end": at_}, "text": text}]}

    return [
        (at, {"kind": "open", "source": "bridge", "path": "src/a.py", "text": "", "version": 1}),
        (at, edit(2, 0, 0, "x")), (at + 1, edit(3, 0, 1, "é")), (at + 1, edit(4, 0, 2, "😀")),
        (at + 2, {"kind": "open", "source": "bridge", "path": ".env", "text": "TOKEN=1"}),  # excluded
        (at + 2, {"kind": "edit", "source": "bridge", "path": "src/a.py"}),  # invalid: a gap
        (-1, {"kind": "note", "source": "bridge", "text": "bad time"}),  # a gap
        (at + 3, {"kind": "open", "source": "bridge", "path": "../outside.py", "text": ""}),  # dropped
        (at + 3, {"kind": "save", "source": "bridge", "path": "src/a.py"}),
        (at + 1, {"kind": "note", "source": "bridge", "text": "earlier than the last step"}),
        (at + 4, {"kind": "close", "source": "bridge", "path": "./src/b/../a.py"}),
    ]


def recorded(client: Client, ws: Path) -> list[dict[str, Any]]:
    settle(client)
    result = client.request("seal", workspace=str(ws))
    assert result is not None
    return [{k: v for k, v in step.items() if k != "t_ms"} for step in episode_steps(Path(result["path"]))]


def test_a_batch_records_what_its_steps_one_at_a_time_record(daemon: Daemon, tmp_path: Path) -> None:
    one, many = (opt_in(tmp_path / name, home=tmp_path / "h") for name in ("one", "many"))
    (one / "src").mkdir()
    (many / "src").mkdir()
    with daemon.client() as first, daemon.client() as second:
        first.hello(one, "bridge")
        second.hello(many, "bridge")
        at = now_ms()
        for step_at, step in mixed(at):
            first.send_step(step_at, step)
        second.send_steps(mixed(at))
        alone, together = recorded(first, one), recorded(second, many)
        assert status_steps(second, many) == 0  # sealed: the count went with the episode
    assert together == alone
    assert [s["kind"] for s in together] == ["open", "edit", "edit", "edit", "gap", "gap", "save", "note",
                                             "close"]
    assert together[3]["changes"][0]["text"] == "😀" and together[8]["path"] == "src/a.py"


def status_steps(client: Client, ws: Path) -> int:
    return sum(w["steps"] for w in client.request("status")["workspaces"] if Path(w["root"]) == ws)


def test_status_counts_a_batch_once_it_is_written(daemon: Daemon, tmp_path: Path) -> None:
    ws = opt_in(tmp_path / "ws", home=tmp_path / "h")
    with daemon.client() as client:
        client.hello(ws, "bridge")
        at = now_ms()
        client.send_steps([(at, {"kind": "note", "source": "bridge", "text": str(n)}) for n in range(1500)])
        assert status_steps(client, ws) == 1500  # the collector answers a connection in order
        journal = next(daemon.home.journals.glob("*.journal"))
        assert len(list(JournalScanner(journal).frames())) == 1 + 1500  # the header, then every step
