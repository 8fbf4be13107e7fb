"""Seeking: any step of a long episode in well under a second, with memory that does not grow.

`Index.build` makes one pass over the episode and keeps, per step, only its time (8 bytes); per step
chunk (up to 8,192 steps), its compressed frame and a checkpoint of the state before it (texts shared
between checkpoints when untouched); per event step (anything but edits, cursor moves and diagnostics
that change nothing), its short description; and the step numbers of notes and task markers, failing
test runs, commits and file switches, for jumping. `Seeker.seek(n)` restores the checkpoint of n's
chunk (unless the current state is already on the way), decodes that one chunk and applies its steps
up to n.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from collector.episode import Episode
from collector.episode.container import Frame
from collector.errors import EpisodeError, ReconstructionError
from collector.replay.chunks import ChunkSteps, step_frames
from collector.replay.describe import describe, step_path, test_failed
from collector.replay.state import Checkpoint, DiagnosticsChange, Effect, PlayState
from schemas import EpisodeHeader, Step
from schemas.steps import (
    CommandStep,
    CursorStep,
    DiagnosticsStep,
    EditStep,
    GapStep,
    GitStep,
    NoteStep,
    RedactionStep,
    TaskStep,
    TestRunStep,
)

Jump = Literal["markers", "failures", "commits", "switches"]
JUMPS: tuple[Jump, ...] = ("markers", "failures", "commits", "switches")
Tone = Literal["", "fail", "pass", "warn", "git", "marker", "gap"]


@dataclass(frozen=True, slots=True)
class Event:
    """A step for the event pane: anything but edits, cursor moves and diagnostics that change nothing."""

    index: int
    t_ms: int
    kind: str
    path: str
    text: str
    tone: Tone


@dataclass(frozen=True, slots=True)
class Chunk:
    frame: Frame
    first: int  # index of its first step
    count: int
    seen_before: int  # steps before it in the file, unknown kinds included
    last_t: int  # time of the step before it


@dataclass
class Index:
    header: EpisodeHeader
    times: array[int] = field(default_factory=lambda: array("q"))
    chunks: list[Chunk] = field(default_factory=list)
    checkpoints: list[Checkpoint] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    event_steps: array[int] = field(default_factory=lambda: array("q"))
    jumps: dict[Jump, array[int]] = field(default_factory=lambda: {name: array("q") for name in JUMPS})
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return len(self.times)

    @classmethod
    def build(cls, episode: Episode, progress: Callable[[int], None] | None = None) -> Index:
        """One pass over every step; EpisodeError or ReconstructionError naming the step that fails."""
        index = cls(episode.header)
        encoding = episode.header.position_encoding
        state = PlayState(encoding)
        checkpoint: Checkpoint | None = None
        seen = last_t = 0
        for frame in step_frames(episode):
            first = index.count
            checkpoint = state.snapshot(first - 1, checkpoint)
            chunk = ChunkSteps(frame, encoding, seen_before=seen, last_t=last_t)
            for step in chunk:
                focus = state.focus
                try:
                    effect = state.apply(step)
                except ReconstructionError as exc:
                    raise ReconstructionError(f"step {index.count}: {exc}") from None
                index._note(step, effect, switched=state.focus is not None and state.focus != focus)
            if index.count > first:
                index.chunks.append(Chunk(frame, first, index.count - first, seen, last_t))
                index.checkpoints.append(checkpoint)
            seen, last_t = seen + chunk.seen, chunk.last_t
            index.skipped.update(chunk.skipped)
            if progress is not None:
                progress(index.count)
        if seen != episode.step_count:
            raise EpisodeError(f"episode holds {seen} steps but its trailer says {episode.step_count}")
        return index

    def _note(self, step: Step, effect: Effect, *, switched: bool) -> None:
        number = len(self.times)
        self.times.append(step.t_ms)
        if switched:
            self.jumps["switches"].append(number)
        match step:
            case NoteStep() | TaskStep():
                self.jumps["markers"].append(number)
            case TestRunStep() if test_failed(step):
                self.jumps["failures"].append(number)
            case GitStep(op="commit"):
                self.jumps["commits"].append(number)
            case _:
                pass
        if isinstance(step, EditStep | CursorStep):
            return
        if isinstance(effect, DiagnosticsChange) and isinstance(step, DiagnosticsStep) and \
                effect.same_as(step):
            return  # nothing appeared or cleared
        self.events.append(Event(number, step.t_ms, step.kind, step_path(step), describe(step, effect),
                                 tone(step)))
        self.event_steps.append(number)

    def jump(self, name: Jump, current: int, direction: int) -> int | None:
        """The next (direction 1) or previous (-1) step of kind `name` from `current`, if any."""
        steps = self.jumps[name]
        if direction > 0:
            at = bisect_right(steps, current)
            return steps[at] if at < len(steps) else None
        at = bisect_left(steps, current) - 1
        return steps[at] if at >= 0 else None

    def events_until(self, step: int, count: int) -> list[Event]:
        """The last `count` events at or before `step`."""
        end = bisect_right(self.event_steps, step)
        return self.events[max(end - count, 0) : end]

    def step_at_time(self, ms: int) -> int:
        """The last step at or before `ms` (0 when every step is later)."""
        return max(bisect_right(self.times, ms) - 1, 0)


def tone(step: Step) -> Tone:
    """How the event pane colours a step."""
    match step:
        case TestRunStep():
            return "fail" if test_failed(step) else "pass"
        case CommandStep(exit_code=int() as code) if code != 0:
            return "fail"
        case DiagnosticsStep():
            if not step.items:
                return "pass"
            return "fail" if any(item.severity in (1, None) for item in step.items) else "warn"
        case GitStep():
            return "git"
        case NoteStep() | TaskStep():
            return "marker"
        case GapStep() | RedactionStep():
            return "gap"
        case _:
            return ""


class Seeker:
    """The state at one step of an indexed episode; moves to any step, forward or back.

    Only the chunk being played is decoding, one step at a time: going on is one step of work, going
    back restores the chunk's checkpoint and decodes the chunk again up to the target.
    """

    def __init__(self, index: Index) -> None:
        self.index = index
        self.encoding = index.header.position_encoding
        self.state = PlayState(self.encoding)
        self.position = -1
        self.step: Step | None = None  # the step at `position`
        self.effect: Effect = None  # what that step changed (see PlayState.apply)
        self._loaded = -1
        self._stream: Iterator[Step] = iter(())
        self._starts = [chunk.first for chunk in index.chunks]

    def seek(self, target: int) -> None:
        """Move to the state after step `target` (clamped to the episode)."""
        target = min(max(target, 0), self.index.count - 1)
        number = bisect_right(self._starts, target) - 1
        chunk = self.index.chunks[number]
        on_the_way = chunk.first - 1 <= self.position <= target
        if not on_the_way or (self.position >= chunk.first and self._loaded != number):
            self.state = PlayState.restore(self.index.checkpoints[number], self.encoding)
            self.position = chunk.first - 1
            self._loaded = -1
        if self._loaded != number:
            self._stream = iter(())  # let the previous chunk's columns go before decoding the next
            self._stream = iter(ChunkSteps(chunk.frame, self.encoding, seen_before=chunk.seen_before,
                                           last_t=chunk.last_t))
            self._loaded = number
        while self.position < target:
            step = next(self._stream)
            self.position += 1
            self.effect = self.state.apply(step)
            self.step = step

    def advance(self) -> bool:
        """One step forward; False at the last step."""
        if self.position + 1 >= self.index.count:
            return False
        self.seek(self.position + 1)
        return True
