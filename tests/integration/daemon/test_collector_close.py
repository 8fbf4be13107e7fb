"""Closing a connection loses nothing: what a client sent after a request still in flight is recorded.

A client that closed both sides at once made the collector's answer to that request fail (the peer was
gone), and asyncio then stopped reading the connection: the steps sent after the request, already in the
socket, were never recorded. The collector is stopped (SIGSTOP) while the client sends and closes, so
that it answers only after the client has closed, every time.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any

from collector.protocol.clock import now_ms
from tests.support.collector_harness import opt_in, running, send, summary, wait_recorded
from tests.waiting import wait_for


def test_steps_sent_after_a_request_in_flight_are_recorded_when_the_client_closes(tmp_path: Path) -> None:
    ws = opt_in(tmp_path / "ws", home=tmp_path / "h")
    with running(tmp_path / "h") as daemon:
        client = daemon.client()
        assert client.hello(ws, "bridge")["recording"]
        answers: list[Any] = []
        daemon.proc.send_signal(signal.SIGSTOP)
        try:
            asking = threading.Thread(target=lambda: answers.append(client.request("note", text="asked")))
            asking.start()
            wait_for(lambda: client._pending, what="the note request to be on its way")
            notes = [{"kind": "note", "source": "bridge", "text": f"after {i}"} for i in range(3)]
            send(client, notes, now_ms())
            closing = threading.Thread(target=client.close)
            closing.start()
            wait_for(lambda: not client._writer.is_alive(), what="the client to send everything")
        finally:
            daemon.proc.send_signal(signal.SIGCONT)
        closing.join(10)
        asking.join(10)
        texts = ["after 0", "after 1", "after 2", "asked"]
        steps = wait_recorded(daemon.home, ws, lambda steps: sorted(s.get("text") for s in steps) == texts,
                              what="the note and the three steps sent after it")
        assert summary(steps) == ["note"] * 4
        assert answers == [{}], "the note's answer was read before the connection closed"
