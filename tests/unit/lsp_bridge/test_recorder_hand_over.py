"""`Recorder.hand_over`: every step spooled so far, an edit held for its origin included, is with the
collector's connection when it returns True (proxy mode answers an editor's shutdown only then: Helix kills
its servers once answered), and the recorder goes on; a session that is not connected is not waited for."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from collector.errors import CollectorError
from lsp_bridge.recording.recorder import Recorder
from lsp_bridge.recording.spool import Outgoing
from lsp_bridge.steps.translate import note_step
from schemas.steps import NoteStep, Step
from tests.waiting import wait_for

ROOT = Path("/ws")


class Link:
    """A collector connection that keeps what it was sent."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.lock = threading.Lock()

    @property
    def closed(self) -> bool:
        return False

    def hello(self, workspace: Path, source: str, *, client: dict[str, Any] | None = None,
              position_encoding: str | None = None) -> dict[str, Any]:
        return {"recording": True, "episode": "e1", "position_encoding": position_encoding}

    def send_steps(self, items: list[tuple[int, Step | dict[str, Any]]]) -> None:
        with self.lock:
            self.sent += [step.text for _, step in items if isinstance(step, NoteStep)]

    def request(self, op: str, **args: Any) -> Any:
        return {"ok": True}

    def next_event(self, timeout: float | None = None) -> dict[str, Any] | None:
        return None

    def close(self) -> None:
        pass


def test_hand_over_sends_the_held_steps_and_the_recorder_goes_on() -> None:
    link = Link()
    recorder = Recorder(lambda: link)
    recorder.start()
    try:
        recorder.open(ROOT)
        wait_for(lambda: recorder.states() == [(ROOT, "recording", "")], 10, "the session to record")
        held = Outgoing(0, note_step("held for its origin"))
        held.hold_until = time.monotonic() + 3600
        recorder.record(ROOT, held)
        recorder.record(ROOT, Outgoing(0, note_step("behind it")))
        assert recorder.hand_over(10)
        assert link.sent == ["held for its origin", "behind it"]
        recorder.record(ROOT, Outgoing(0, note_step("after")))
        wait_for(lambda: "after" in link.sent, 10, "a step after the hand-over")
    finally:
        recorder.flush()


def test_hand_over_does_not_wait_for_a_session_that_is_not_connected() -> None:
    def unreachable() -> Link:
        raise CollectorError("no collector")

    recorder = Recorder(unreachable)
    recorder.start()
    try:
        recorder.record(ROOT, Outgoing(0, note_step("spooled")))
        began = time.monotonic()
        assert recorder.hand_over(30)
        assert time.monotonic() - began < 10
    finally:
        recorder.flush(0.5)
