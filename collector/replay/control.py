"""The player's controls, without a screen: play and pause, speed, stepping, seeking and jumping.

`Playback` owns a `Seeker` and a timeline pipeline; `tick()` shows every step that is due by the clock
it was given, so tests drive it with a fake clock and the Textual app calls it from a timer. Everything
stays inside the `--from` / `--to` window. Every move by hand (a step, a seek, a jump) pauses: the viewer
looks at where they went, and space plays on from there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from collector.replay.seek import Index, Jump, Seeker
from collector.replay.timeline import ReplayFrame, faster, playback, slower

MAX_STEPS_PER_TICK = 5000  # beyond this a tick gives up catching up and moves the clock instead
JUMP_NAMES: dict[Jump, str] = {"markers": "note or task marker", "failures": "test failure",
                               "commits": "commit", "switches": "file switch"}


class Playback:
    def __init__(self, index: Index, first: int, last: int, *, speed: float = 1.0,
                 idle_limit: float | None = None, clock: Callable[[], float] = time.monotonic,
                 steps_per_tick: int = MAX_STEPS_PER_TICK) -> None:
        self.index = index
        self.first, self.last = first, last
        self.speed = speed
        self.idle_limit = idle_limit
        self.clock = clock
        self.steps_per_tick = steps_per_tick
        self.seeker = Seeker(index)
        self.seeker.seek(first)
        self.playing = False
        self.message = ""  # a short note for the status line: what the last key did or could not do
        self._frames: Iterator[ReplayFrame] = iter(())
        self._next: ReplayFrame | None = None
        self._shown_at = 0.0
        self._due = 0.0

    @property
    def position(self) -> int:
        return self.seeker.position

    @property
    def at_end(self) -> bool:
        return self.position >= self.last

    def play(self) -> None:
        if self.at_end:
            self.seeker.seek(self.first)
        self.playing = True
        self.message = ""
        self._restart(self.clock())

    def pause(self) -> None:
        self.playing = False
        self._next = None

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def _restart(self, shown_at: float) -> None:
        """A new timeline from the current step (after a seek, a change of speed, or on play)."""
        self._frames = playback(self.index.times, self.position, self.last, idle_limit=self.idle_limit,
                                speed=self.speed)
        self._shown_at = shown_at
        self._schedule()

    def _schedule(self) -> None:
        self._next = next(self._frames, None)
        if self._next is not None:
            self._due = self._shown_at + self._next.delay

    def tick(self) -> bool:
        """Show every step due by now; True when the step shown changed."""
        if not self.playing:
            return False
        now = self.clock()
        moved = 0
        while self._next is not None and self._due <= now and moved < self.steps_per_tick:
            self.seeker.seek(self._next.index)
            self._shown_at = self._due
            moved += 1
            self._schedule()
        if self._next is None:
            self.playing = False
            self.message = "end: space plays again from the start"
        elif moved == self.steps_per_tick:
            self._restart(now)  # too far behind to catch up: go on from here at the set speed
        return moved > 0

    def set_speed(self, speed: float) -> None:
        self.speed = speed
        self.message = f"speed {speed:g}x"
        if self.playing:
            self._restart(self._shown_at)

    def faster(self) -> None:
        self.set_speed(faster(self.speed))

    def slower(self) -> None:
        self.set_speed(slower(self.speed))

    def seek(self, target: int) -> None:
        """Pause and show step `target`, kept within the window (play goes on from there)."""
        self.pause()
        self.seeker.seek(min(max(target, self.first), self.last))

    def step(self, count: int) -> None:
        """Pause and move `count` steps (negative: back)."""
        self.message = ""
        self.seek(self.position + count)

    def seek_time(self, delta_ms: int) -> None:
        """Move by episode time: to the last step at or before now + delta."""
        now = self.index.times[self.position]
        target = self.index.step_at_time(now + delta_ms)
        if delta_ms > 0 and target <= self.position:
            target = self.position + 1  # a step later than now, even when steps are far apart
        elif delta_ms < 0 and target >= self.position:
            target = self.position - 1
        self.message = ""
        self.seek(target)

    def seek_fraction(self, fraction: float) -> None:
        """Move by a share of the window's duration (0.1: a tenth forward)."""
        span = self.index.times[self.last] - self.index.times[self.first]
        self.seek_time(round(span * fraction) or (1 if fraction > 0 else -1))

    def jump(self, name: Jump, direction: int) -> bool:
        """To the next (1) or previous (-1) step of a kind; False, with a message, when there is none."""
        target = self.index.jump(name, self.position, direction)
        if target is None or not self.first <= target <= self.last:
            self.message = f"no {'later' if direction > 0 else 'earlier'} {JUMP_NAMES[name]}"
            return False
        self.message = f"{'next' if direction > 0 else 'previous'} {JUMP_NAMES[name]}"
        self.seek(target)
        return True
