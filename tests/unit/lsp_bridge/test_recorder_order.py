"""A request to the collector (a note, a task) never overtakes the steps the editor sent before it (seen
under load: a closing note recorded before the `close` the editor had sent first)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from lsp_bridge.recording.recorder import Recorder
from lsp_bridge.recording.spool import Outgoing
from lsp_bridge.steps.translate import note_step
from schemas.steps import NoteStep, Step
from tests.waiting import wait_for

SLOW_COLLECTOR_S = 1.0  # the first send waits this long, unless a request got ahead of it sooner


class SlowLink:
    """A collector connection whose first `send_steps` is slow: what reaches it, in order."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self._cond = threading.Condition()
        self.sending = threading.Event()

    @property
    def closed(self) -> bool:
        return False

    def hello(self, workspace: Path, source: str, *, client: dict[str, Any] | None = None,
              position_encoding: str | None = None) -> dict[str, Any]:
        return {"recording": True, "episode": "e1", "position_encoding": position_encoding}

    def send_steps(self, items: list[tuple[int, Step | dict[str, Any]]]) -> None:
        with self._cond:
            first = not self.sending.is_set()
            self.sending.set()
            if first:
                self._cond.wait_for(lambda: "note" in self.calls, SLOW_COLLECTOR_S)
            for _, step in items:
                assert isinstance(step, NoteStep)  # a struct, as the bridge sends it
                self.calls.append(step.text)

    def request(self, op: str, **args: Any) -> Any:
        with self._cond:
            self.calls.append(op)
            self._cond.notify_all()
        return {"ok": True}

    def next_event(self, timeout: float | None = None) -> dict[str, Any] | None:
        return None

    def close(self) -> None:
        pass


def step(text: str) -> Outgoing:
    return Outgoing(0, note_step(text))


def test_a_request_waits_for_the_steps_sent_before_it() -> None:
    link = SlowLink()
    recorder = Recorder(lambda: link)
    root = Path("/ws")
    recorder.start()
    try:
        recorder.open(root)
        wait_for(lambda: recorder.states() == [(root, "recording", "")], 10, "the session to record")
        recorder.record(root, step("a"))
        assert link.sending.wait(10)
        recorder.record(root, step("b"))
        recorder.record(root, step("c"))
        assert recorder.request("note", root, text="the end").result(10) == {"ok": True}
    finally:
        recorder.flush()
    assert link.calls == ["a", "b", "c", "note"]


def test_a_request_asked_just_before_the_bridge_exits_still_reaches_the_collector() -> None:
    """The editor sends its closing note and exits at once: the bridge's flush lets the note go before it
    closes the connection (seen under load: "note failed: collector unreachable: not connected yet")."""
    link = SlowLink()
    recorder = Recorder(lambda: link)
    root = Path("/ws")
    recorder.start()
    recorder.open(root)
    wait_for(lambda: recorder.states() == [(root, "recording", "")], 10, "the session to record")
    recorder.record(root, step("a"))
    assert link.sending.wait(10)  # the collector is slow to take it: the note waits for its turn
    note = recorder.request("note", root, text="the end")
    recorder.flush()
    assert note.result(0) == {"ok": True}
    assert link.calls == ["a", "note"]
