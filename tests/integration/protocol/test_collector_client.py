"""The client over a real socket: it never blocks its caller, and what it had to drop becomes a gap step."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest

from collector.errors import CollectorError
from collector.protocol.client import Client
from collector.protocol.framing import encode, recv_message
from tests.waiting import TIMEOUT_S, wait_for


def test_a_full_send_queue_drops_steps_into_a_gap_without_blocking() -> None:
    ours, theirs = socket.socketpair()
    client = Client(ours, send_queue=4)
    big = "x" * 200_000
    started = time.monotonic()
    for i in range(100):
        client.send_step(1000 + i, {"kind": "note", "source": "bridge", "text": big})
    assert time.monotonic() - started < 5  # the peer reads nothing, yet the caller never waited on it
    lost = client.lost_steps
    assert lost > 0
    received: list[dict[str, Any]] = []
    reader = threading.Thread(target=lambda: received.extend(iter(lambda: recv_message(theirs), None)))
    reader.start()

    def notes() -> int:
        return sum(message["step"]["kind"] == "note" for message in list(received))

    # every step that was queued reaches the peer: the queue has room again
    wait_for(lambda: notes() == 100 - lost, what=f"the {100 - lost} queued steps to reach the peer",
             detail=lambda: f"{notes()} arrived")
    client.send_step(5000, {"kind": "note", "source": "bridge", "text": "after"})
    client.close()
    reader.join(TIMEOUT_S)
    steps = [message["step"] for message in received]
    assert notes() == 100 - lost + 1
    gaps = [step for step in steps if step["kind"] == "gap"]  # a queue that had room for a moment: several
    assert gaps and sum(gap["lost_steps"] for gap in gaps) == lost
    assert all(gap["reason"] == "recorder_behind" and gap["source"] == "client" for gap in gaps)
    assert steps[-1]["text"] == "after"
    with pytest.raises(CollectorError, match="closed"):
        client.send_step(6000, {"kind": "note", "source": "bridge", "text": "too late"})


def test_replies_errors_and_events_are_routed() -> None:
    ours, theirs = socket.socketpair()

    def serve() -> None:
        while (message := recv_message(theirs)) is not None:
            if message["op"] == "boom":
                theirs.sendall(encode({"id": message["id"], "ok": False, "error": "it broke"}))
                continue
            theirs.sendall(encode({"event": "sealed", "steps": 3}))
            theirs.sendall(encode({"id": message["id"], "ok": True, "result": {"echo": message.get("x")}}))
        theirs.close()

    server = threading.Thread(target=serve)
    server.start()
    with Client(ours) as client:
        assert client.request("echo", x=[1, "é"]) == {"echo": [1, "é"]}
        with pytest.raises(CollectorError, match=r"^it broke$"):
            client.request("boom")
        assert client.next_event(5) == {"event": "sealed", "steps": 3}
        assert client.next_event(0.05) is None
    server.join(5)
    assert client.closed and client.next_event(0.1) is None and list(client.events()) == []


def test_a_request_fails_cleanly_when_the_collector_goes_away() -> None:
    ours, theirs = socket.socketpair()
    client = Client(ours)
    theirs.close()
    with pytest.raises(CollectorError, match="clos"):
        client.request("status")
    client.close()


class _ClosingFirst:
    """A lock that lets the connection close (the reader's `_shutdown`) just before it is taken: the moment
    between a request's look at the connection and its wait for the answer."""

    def __init__(self, client: Client) -> None:
        self.client, self.lock, self.armed = client, threading.Lock(), True

    def __enter__(self) -> None:
        if self.armed:
            self.armed = False
            self.client._shutdown()
        self.lock.acquire()

    def __exit__(self, *_: object) -> None:
        self.lock.release()


def test_a_request_made_as_the_connection_closes_fails_at_once() -> None:
    """CI's rehearsal once waited 300 s here: the reader closed the connection after the request found it
    open and before the request was among those the close wakes."""
    ours, theirs = socket.socketpair()
    client = Client(ours, request_timeout=10.0)
    client._pending_lock = _ClosingFirst(client)  # type: ignore[assignment]
    started = time.monotonic()
    with pytest.raises(CollectorError, match="clos"):
        client.request("status")
    assert time.monotonic() - started < 5.0
    theirs.close()
    client.close()
