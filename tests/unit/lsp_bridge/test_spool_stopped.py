"""A bridge's spool while the user has recording stopped (issue 51, item 2): nothing the editor does is
kept, only counted; the gap that opens what is recorded next names the stop and holds the open documents."""

from __future__ import annotations

import math
from pathlib import Path

from lsp_bridge.recording.spool import Limits, Outgoing, Spool
from lsp_bridge.recording.status import status_params
from lsp_bridge.steps.translate import edit_step
from schemas.steps import ContentChange, FileState, GapStep

ROOT = Path("/w")


class FakeLink:
    closed = False

    def close(self) -> None:
        self.closed = True


def documents(root: Path, paths: set[str] | None) -> list[FileState]:
    return [FileState(path="/w/a.py", text="x = 10\n")]


def edit(at: int) -> Outgoing:
    return Outgoing(at, edit_step("/w/a.py", None, [ContentChange(text="")]), paths=("/w/a.py",), size=10)


def test_what_the_editor_does_while_stopped_is_counted_never_kept() -> None:
    spool = Spool(ROOT, Limits())
    spool.connected(FakeLink(), "e1", "utf-16")
    spool.offer(edit(1))
    settled = spool.stopped("recording is stopped", once=False)
    assert (spool.state, list(spool.items), spool.lost, settled) == ("stopped", [], 1, 1)
    assert spool.next_attempt != math.inf  # it looks again, so that `codetape resume` is seen
    spool.admit_gap(2, documents)  # the bridge admits before each change: not while stopped
    spool.offer(edit(3))
    assert (list(spool.items), spool.lost) == ([], 2)
    spool.connected(FakeLink(), "e2", "utf-16")
    spool.admit_gap(4, documents)
    [gap] = spool.items
    assert isinstance(gap.step, GapStep)
    assert gap.step.reason == "paused" and gap.step.lost_steps == 2
    assert "stopped by you" in gap.step.detail and gap.step.state == documents(ROOT, None)
    spool.stopped("again", once=True)
    assert spool.next_attempt == math.inf and not spool.items  # the bridge exits: no more attempts


def test_the_status_says_stopped_by_you_and_why() -> None:
    params = status_params(ROOT, "stopped", "recording is stopped: run codetape resume", None)
    assert params == {"uri": "file:///w", "state": "stopped", "steps": 0, "episode": None,
                      "detail": "recording is stopped: run codetape resume", "uploadError": None, "held": 0,
                      "scope": None}
