"""An editor reading in what an AI agent's tool wrote, held until the write itself is recorded (issue 86).

An editor whose clean buffer's file changes on disk reads it again (Neovim's `checktime` closes and opens
the document, VS Code and Kate send its new text as one change), often before the agent's hook has said
what its tool did, and sometimes before the file watcher has seen the write. Written at once, the reload
would carry the agent's write into the episode as the editor's own step, and the watcher's view of the
write, equal to the buffer then, would say nothing new. So a *reload* (an `open`, or an edit that replaces
the document's whole text, whose new text is not the file's text as the episode knows it) of a path an
agent's call may be writing (a file tool's on that path or a shell command's, open, or its result less
than HOLD_MS ago) waits here, and every later step the editors send about that document (their edits,
saves, closes) queues behind it, as do the watcher's views of the file of another text. The queue goes
on to the episode:

- as soon as the episode knows the file's text on disk to be the reload's (the watcher's view of the
  agent's write was recorded, the agent's origin on it when its text holds the tool's hunks);
- else once no call may be writing the path any more and no watcher's view of the reload's text is held
  (the call's result came HOLD_MS ago, or the call ended), and at the latest BOUND_MS after the reload
  came: as it would have been written without the hold (an editor that sends its whole text at every
  pause in typing, as Kate does, is held so while an agent's shell command runs, and loses nothing).

Held steps are kept on disk until they are written (collector/journal/pending.py), so a step that reached
the collector survives its being killed, as a journal's step does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from collector.daemon.agent_claims import OPEN_MS
from collector.daemon.held_changes import HOLD_MS
from collector.journal.pending import PendingLog
from collector.text.digest import sha256_text
from schemas import steps as kinds

BOUND_MS = OPEN_MS + HOLD_MS  # the longest a reload waits


@dataclass
class Held:
    at_ms: object
    step: kinds.Step
    owner: object
    number: int  # its hold in the pending log


@dataclass
class Queue:
    text: str  # the reload's text
    came: int  # when the reload came (the daemon's clock)
    steps: list[Held] = field(default_factory=list)


class HeldReloads:
    """The editors' steps held behind a reload, by path, in the order they came."""

    def __init__(self) -> None:
        self._queues: dict[str, Queue] = {}
        self._log: PendingLog | None = None

    def __bool__(self) -> bool:
        return bool(self._queues)

    def count(self) -> int:
        return sum(len(queue.steps) for queue in self._queues.values())

    def paths(self) -> list[str]:
        return list(self._queues)

    def holds(self, path: str) -> bool:
        return path in self._queues

    def text(self, path: str) -> str | None:
        """The text of the reload held at `path`."""
        queue = self._queues.get(path)
        return None if queue is None else queue.text

    def saved(self, path: str) -> bool:
        """Whether an editor's save of the held reload's text is held behind it: the editor's own text (an
        editor that sends its whole text at each pause in typing), not a reload; it goes on at once."""
        queue = self._queues.get(path)
        if queue is None:
            return False
        digest = sha256_text(queue.text)
        return any(type(held.step) is kinds.SaveStep and digest in (held.step.sha256, held.step.text and
                                                                    sha256_text(held.step.text))
                   for held in queue.steps)

    def came(self, path: str) -> int:
        return self._queues[path].came

    def hold(self, log: PendingLog, journal_seq: int, at_ms: object, step: kinds.Step, owner: object,
             now: int, *, text: str | None = None) -> None:
        """Hold `step` (on disk first): a reload of `text` opens its path's queue, any other step joins it."""
        self._log = log
        path = getattr(step, "path", "")
        plain: dict[str, Any] = kinds.step_to_dict(step)
        number = log.hold(at_ms if isinstance(at_ms, int) else now, plain, journal_seq)
        queue = self._queues.get(path)
        if queue is None:
            assert text is not None
            queue = self._queues[path] = Queue(text, now)
        queue.steps.append(Held(at_ms, step, owner, number))

    def readmit(self, admit: Callable[[kinds.Step], kinds.Step | None]) -> None:
        """Pass every held step through `admit` again (stricter settings apply to them too): a step it drops
        is no longer held, nor kept on disk."""
        for path, queue in list(self._queues.items()):
            kept = []
            for held in queue.steps:
                again = admit(held.step)
                if again is None:
                    self.written(held)
                else:
                    kept.append(Held(held.at_ms, again, held.owner, held.number))
            queue.steps = kept
            if not kept:
                del self._queues[path]

    def take(self, path: str) -> list[Held]:
        """The steps held at `path`, in order, no longer held (each to be written, then `written`)."""
        queue = self._queues.pop(path, None)
        return [] if queue is None else queue.steps

    def written(self, held: Held) -> None:
        """`held` is in the journal now."""
        if self._log is not None:
            self._log.release(held.number)

    def ended(self) -> None:
        """The episode ended (everything held was written first): its pending file goes."""
        if self._log is not None:
            self._log.close()
            self._log = None
