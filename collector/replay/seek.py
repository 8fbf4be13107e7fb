"""Seeking: any step of a long episode in well under a second, with memory that does not grow.

`Index.open` reads every steps frame's outline (its step count, times and kinds, without decoding the
steps: a tenth of the work) and keeps, per step, only its time (8 bytes), per step chunk (up to 8,192
steps) its compressed frame, and where the episode's keyframes stand. That is all the player needs to
show its first screen. The full pass (`Index.scan`, a little at a time, or all of it in `Index.build`)
then decodes and applies every step: it keeps per chunk an exact checkpoint of the state before it
(texts shared between checkpoints when untouched); per event step (anything but edits, cursor moves and
diagnostics that change nothing) its short description; the step numbers of notes and task
markers, failing test runs, commits and file switches, for jumping; and how each file was first seen
(replay/baselines.py), for diffs.

`Seeker.seek(n)` restores the state before n's chunk (unless the current state is already on the way),
decodes that one chunk and applies its steps up to n. Before the full pass has reached a chunk, that
state is the keyframe before it: the same files; the caret marks, focus and diagnostics it does not
hold start empty there and fill in from the steps applied after it. Without a keyframe, the nearest
earlier state is used and the chunks in between are replayed.
"""

from __future__ import annotations

import time
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Literal, assert_never

from collector.episode import Episode
from collector.episode.container import STEPS, EpisodeFrame, decompress
from collector.episode.outline import outline
from collector.errors import EpisodeError, ReconstructionError
from collector.reconstruct.workspace import Workspace
from collector.replay.baselines import Baselines
from collector.replay.chunks import ChunkSteps, Keyframes, episode_frames
from collector.replay.command_order import insert_command, started
from collector.replay.describe import describe, step_path, test_failed
from collector.replay.state import Checkpoint, DiagnosticsChange, Effect, PlayState
from schemas import STEP_KINDS, EpisodeHeader, Step
from schemas import steps as kinds

Jump = Literal["markers", "failures", "commits", "switches"]
JUMPS: tuple[Jump, ...] = ("markers", "failures", "commits", "switches")
Tone = Literal["", "fail", "pass", "warn", "git", "marker", "gap"]
JUMP_SCAN = 8192  # steps the full pass goes on by while a jump looks ahead of it


@dataclass(slots=True)
class Event:
    """A step for the event pane: anything but edits, cursor moves and diagnostics that change nothing;
    `t_ms` when it is shown (a command at its start), `under` whether it is shown under a command."""

    index: int
    t_ms: int
    kind: str
    path: str
    text: str
    tone: Tone
    under: bool = False


@dataclass(frozen=True, slots=True)
class Chunk:
    frame: EpisodeFrame
    number: int  # among the episode's steps frames (those holding no known step included)
    first: int  # index of its first step
    count: int
    seen_before: int  # steps before it in the file, unknown kinds included
    last_t: int  # time of the step before it


@dataclass
class Index:
    header: EpisodeHeader
    times: array[int] = field(default_factory=lambda: array("q"))
    chunks: list[Chunk] = field(default_factory=list)
    checkpoints: list[Checkpoint] = field(default_factory=list)  # before each chunk the full pass began
    events: list[Event] = field(default_factory=list)
    event_steps: array[int] = field(default_factory=lambda: array("q"))
    jumps: dict[Jump, array[int]] = field(default_factory=lambda: {name: array("q") for name in JUMPS})
    skipped: Counter[str] = field(default_factory=Counter)
    keyframes: Keyframes = field(default_factory=lambda: Keyframes([]))
    usable: set[int] = field(default_factory=set)  # chunks (by list position) with a keyframe before them
    baselines: Baselines = field(default_factory=Baselines)  # how the full pass first saw each file
    scanned: int = 0  # steps the full pass has applied
    _pass: Iterator[None] | None = None

    @property
    def count(self) -> int:
        return len(self.times)

    @property
    def complete(self) -> bool:
        return self.scanned >= self.count

    @classmethod
    def open(cls, episode: Episode) -> Index:
        """Every step's time and every chunk's place, from the chunks' outlines; the full pass not begun.
        EpisodeError when the outlines disagree with the trailer or with time."""
        index = cls(episode.header)
        frames = episode_frames(episode)
        index.keyframes = Keyframes(frames)
        seen = last_t = number = 0
        unknown_from: int | None = None  # the first steps frame holding a step of an unknown kind
        for frame in frames:
            if frame.type != STEPS:
                continue
            shape = outline(decompress(frame), f"steps frame at byte {frame.offset}")
            if shape.t0 < last_t:
                raise EpisodeError(f"step times go backwards in the steps frame at byte {frame.offset}")
            times = shape.times(STEP_KINDS)
            if times:
                if number in index.keyframes.before and (unknown_from is None or number <= unknown_from):
                    index.usable.add(len(index.chunks))
                index.chunks.append(Chunk(frame, number, index.count, len(times), seen, last_t))
                index.times.extend(times)
            unknown = shape.unknown(STEP_KINDS)
            if unknown and unknown_from is None:
                unknown_from = number
            index.skipped.update(unknown)
            seen, last_t, number = seen + shape.count, shape.t0 + sum(shape.deltas), number + 1
        if seen != episode.step_count:
            raise EpisodeError(f"episode holds {seen} steps but its trailer says {episode.step_count}")
        return index

    @classmethod
    def build(cls, episode: Episode, progress: Callable[[int], None] | None = None) -> Index:
        """`open`, then the full pass over every step; EpisodeError or ReconstructionError naming the step
        that fails. `progress` is called with the steps done after each chunk."""
        index = cls.open(episode)
        for number, chunk in enumerate(index.chunks):
            index.scan(chunk.first + chunk.count - 1)
            if progress is not None:
                progress(index.scanned if number + 1 < len(index.chunks) else index.count)
        return index

    def scan(self, until: int | None = None, budget_s: float | None = None) -> bool:
        """Go on with the full pass until step `until` is applied (default: the last), or `budget_s`
        seconds have passed; True once every step is. Raises what the pass meets (see `build`)."""
        if self._pass is None:
            self._pass = self._passing()
        last = self.count - 1 if until is None else min(until, self.count - 1)
        deadline = None if budget_s is None else time.monotonic() + budget_s
        while self.scanned <= last:
            if next(self._pass, _END) is _END:
                raise EpisodeError(f"the steps frames decode to {self.scanned} steps, not the {self.count} "
                                   "their outlines say")
            if deadline is not None and self.scanned % 256 == 0 and time.monotonic() >= deadline:
                break
        return self.complete

    def _passing(self) -> Iterator[None]:
        """The full pass, one step per item: decode, validate, apply, checkpoint, note."""
        encoding = self.header.position_encoding
        state = PlayState(encoding)
        checkpoint: Checkpoint | None = None
        for chunk in self.chunks:
            checkpoint = state.snapshot(chunk.first - 1, checkpoint)
            self.checkpoints.append(checkpoint)
            for step in ChunkSteps(chunk.frame, encoding, seen_before=chunk.seen_before, last_t=chunk.last_t):
                focus = state.focus
                try:
                    effect = state.apply(step)
                except ReconstructionError as exc:
                    raise ReconstructionError(f"step {self.scanned}: {exc}") from None
                self.baselines.after(self.scanned, step, state.workspace)
                self._note(step, effect, switched=state.focus is not None and state.focus != focus)
                self.scanned += 1
                yield

    def _note(self, step: Step, effect: Effect, *, switched: bool) -> None:
        number = self.scanned
        if switched:
            self.jumps["switches"].append(number)
        match step:
            case kinds.NoteStep() | kinds.TaskStep() | kinds.AgentStep(event="prompt"):
                self.jumps["markers"].append(number)
            case kinds.TestRunStep() if test_failed(step):
                self.jumps["failures"].append(number)
            case kinds.GitStep(op="commit"):
                self.jumps["commits"].append(number)
            case _:  # on purpose: the other kinds are no jump's target
                pass
        if isinstance(step, kinds.EditStep | kinds.CursorStep):
            return
        if isinstance(effect, DiagnosticsChange) and isinstance(step, kinds.DiagnosticsStep) and \
                effect.same_as(step):
            return  # nothing appeared or cleared
        self.events.append(Event(number, started(step), step.kind, step_path(step), describe(step, effect),
                                 tone(step)))
        self.event_steps.append(number)

    def jump(self, name: Jump, current: int, direction: int) -> int | None:
        """The next (direction 1) or previous (-1) step of kind `name` from `current`, if any; the full
        pass goes on as far as it takes to know."""
        steps = self.jumps[name]
        if direction > 0:
            at = bisect_right(steps, current)
            while at >= len(steps) and not self.complete:
                self.scan(self.scanned + JUMP_SCAN)
            return steps[at] if at < len(steps) else None
        self.scan(current)
        at = bisect_left(steps, current) - 1
        return steps[at] if at >= 0 else None

    def events_until(self, step: int, count: int) -> list[Event]:
        """The last `count` events at or before `step` (of those the full pass has reached), in the order
        shown: a command at its start, the test runs in its span under it (replay/command_order.py)."""
        end = bisect_right(self.event_steps, step)
        shown: list[Event] = []
        for event in self.events[max(end - count, 0) : end]:
            row = replace(event, under=False)
            if row.kind == "command":
                insert_command(shown, row)
            else:
                shown.append(row)
        return shown

    def step_at_time(self, ms: int) -> int:
        """The last step at or before `ms` (0 when every step is later)."""
        return max(bisect_right(self.times, ms) - 1, 0)

    def start(self, number: int) -> int:
        """The latest chunk, at or before chunk `number` (by list position), whose starting state is known."""
        while number > 0 and number >= len(self.checkpoints) and number not in self.usable:
            number -= 1
        return number

    def state_before(self, number: int) -> PlayState:
        """The state before chunk `number` (by list position): its checkpoint, else its keyframe's files."""
        encoding = self.header.position_encoding
        if number < len(self.checkpoints):
            return PlayState.restore(self.checkpoints[number], encoding)
        if number == 0:
            return PlayState(encoding)
        placed = self.keyframes.at(self.chunks[number].number)
        if placed is None:
            raise EpisodeError(f"the keyframe before step {self.chunks[number].first} cannot be read")
        return PlayState.of(Workspace.from_keyframe(placed.keyframe, encoding))


_END = object()


def tone(step: Step) -> Tone:
    """How the event pane colours a step."""
    match step:
        case kinds.TestRunStep():
            return "fail" if test_failed(step) else "pass"
        case kinds.CommandStep(exit_code=int() as code) if code != 0:
            return "fail"
        case kinds.DiagnosticsStep():
            if not step.items:
                return "pass"
            return "fail" if any(item.severity in (1, None) for item in step.items) else "warn"
        case kinds.GitStep():
            return "git"
        case kinds.NoteStep() | kinds.TaskStep() | kinds.AgentStep(event="prompt"):
            return "marker"
        case kinds.GapStep() | kinds.RedactionStep():
            return "gap"
        case (kinds.OpenStep() | kinds.CloseStep() | kinds.EditStep() | kinds.SaveStep()
              | kinds.FileChangeStep() | kinds.CursorStep() | kinds.OfferStep()):  # no colour of its own
            return ""
        # no colour of its own (the condition above did not hold)
        case kinds.CommandStep() | kinds.AgentStep():
            return ""
        case _:
            assert_never(step)


class Seeker:
    """The state at one step of an indexed episode; moves to any step, forward or back.

    Only the chunk being played is decoding, one step at a time: going on is one step of work, going
    back restores the state before the chunk (or the nearest earlier one known) and decodes from there.
    """

    def __init__(self, index: Index) -> None:
        self.index = index
        self.encoding = index.header.position_encoding
        self.state = PlayState(self.encoding)
        self.position = -1
        self.step: Step | None = None  # the step at `position`
        self.effect: Effect = None  # what that step changed (see PlayState.apply)
        self._stream: Iterator[Step] = self._steps_from(0)
        self._starts = [chunk.first for chunk in index.chunks]

    def _steps_from(self, number: int) -> Iterator[Step]:
        """The steps of the chunks from list position `number` on, one chunk decoding at a time."""
        for chunk in self.index.chunks[number:]:
            yield from ChunkSteps(chunk.frame, self.encoding, seen_before=chunk.seen_before,
                                  last_t=chunk.last_t)

    def seek(self, target: int) -> None:
        """Move to the state after step `target` (clamped to the episode)."""
        target = min(max(target, 0), self.index.count - 1)
        number = self.index.start(bisect_right(self._starts, target) - 1)
        first = self.index.chunks[number].first
        if not first - 1 <= self.position <= target:  # not on the way from there: start there
            self._stream = iter(())  # let the previous chunk's columns go before decoding the next
            self.state = self.index.state_before(number)
            self.position = first - 1
            self._stream = self._steps_from(number)
        while self.position < target:
            step = next(self._stream, None)
            if step is None:
                raise EpisodeError(f"the steps frames end before step {self.position + 1}")
            self.position += 1
            try:
                self.effect = self.state.apply(step)
            except ReconstructionError as exc:
                failed, self.position = self.position, -2  # the state is unusable: the next seek starts over
                raise ReconstructionError(f"step {failed}: {exc}") from None
            self.step = step

    def advance(self) -> bool:
        """One step forward; False at the last step."""
        if self.position + 1 >= self.index.count:
            return False
        self.seek(self.position + 1)
        return True
