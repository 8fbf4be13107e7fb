"""Messages lost before any workspace has a session (the proxy's tap dropped the server's `initialize`
answer, which opens the sessions, or the first didOpen) are no loss without a trace: their gap waits for
the first session to start and goes first in it; once sessions exist, a gap goes to each of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsp_bridge.recording.recorder import Recorder
from lsp_bridge.recording.spool import Outgoing
from lsp_bridge.steps.translate import gap_step, note_step
from schemas.steps import GapStep, NoteStep, Step


class Collecting:
    """A collector connection that keeps what it is sent."""

    def __init__(self) -> None:
        self.root: Path | None = None  # the workspace it said hello for
        self.sent: list[Step | dict[str, Any]] = []

    @property
    def closed(self) -> bool:
        return False

    def hello(self, workspace: Path, source: str, *, client: dict[str, Any] | None = None,
              position_encoding: str | None = None) -> dict[str, Any]:
        self.root = workspace
        return {"recording": True, "episode": "e1", "position_encoding": position_encoding}

    def send_steps(self, items: list[tuple[int, Step | dict[str, Any]]]) -> None:
        self.sent.extend(step for _, step in items)

    def request(self, op: str, **args: Any) -> Any:
        return {"ok": True}

    def next_event(self, timeout: float | None = None) -> dict[str, Any] | None:
        return None

    def close(self) -> None:
        pass


def sent_to(links: list[Collecting], root: Path) -> list[str]:
    return [f"gap {step.lost_steps}" if isinstance(step, GapStep) else
            f"note {step.text}" if isinstance(step, NoteStep) else type(step).__name__
            for link in links if link.root == root for step in link.sent]


def recorded(actions: list[tuple[str, Path | None]]) -> list[Collecting]:
    """Run `actions` ("lost" with no root, "note" for a root) on a recorder, flushed: its connections."""
    links: list[Collecting] = []

    def connect() -> Collecting:
        links.append(Collecting())
        return links[-1]

    recorder = Recorder(connect)  # type: ignore[arg-type]  # (a Link in all but name)
    recorder.start()
    lost = 0
    for action, root in actions:
        if action == "lost":
            lost += 1
            recorder.record_everywhere(lost, gap_step("recorder_behind", f"lost {lost}", lost=lost))
        else:
            assert root is not None
            recorder.record(root, Outgoing(0, note_step(str(root.name))))
    recorder.flush(5)
    return links


def test_a_loss_before_any_session_goes_first_into_the_first_session() -> None:
    a = Path("/w/a")
    links = recorded([("lost", None), ("lost", None), ("note", a)])
    assert sent_to(links, a) == ["gap 1", "gap 2", "note a"]


def test_a_loss_goes_once_and_later_losses_go_to_every_session() -> None:
    a, b = Path("/w/a"), Path("/w/b")
    links = recorded([("lost", None), ("note", a), ("note", b), ("lost", None)])
    assert sent_to(links, a) == ["gap 1", "note a", "gap 2"]
    assert sent_to(links, b) == ["note b", "gap 2"]
