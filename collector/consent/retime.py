"""Unlinkable mode's default timing (`timing = "retimed"`): the times a receiver sees, with no typing rhythm
left in them (issue 69).

A **burst** is a run of steps no two consecutive of which are more than PAUSE_MS (3 s) apart and no two
consecutive edits of which are either (the steps between them, a caret's or diagnostics', do not join
them), so that an export's edit burst (collector/export/bursts.py) is never split nor joined by it.
Re-timed:

- every step of a burst is at one time, the burst's;
- a burst's duration is drawn, not kept: its steps less one, times an inter-key interval drawn for that
  burst from the population (a mean of 239 ms with a standard deviation of 112 ms between people, clipped
  to 90-700 ms: Dhakal et al., "Observations on Typing from 136 Million Keystrokes", CHI 2018), floored to
  COARSE_MS;
- each pause (from the start to the first step, from a burst's last step, or its last edit when an edit
  ends it, to the next one's first) is rounded up to whole seconds (PAUSE_STEP_MS), so it stays more
  than PAUSE_MS and every export groups the same bursts;
- a time between steps (a command's or a test run's start, a gap's `until_ms`) is moved with them: in a
  burst, the burst's time; in a pause, the time the receiver holds for the pause's start plus the rest
  rounded up to whole seconds. A command's and a test run's `duration_ms` are the re-timed end less the
  re-timed start; each test's own `duration_ms` (the runner's measure, not the person's) is floored to
  COARSE_MS, as in `coarse` timing.

Every time is a multiple of COARSE_MS. What a receiver loses: the order in time of the steps of a burst
(their order in the episode stays), the time from one keystroke to the next, a burst's true length, and
pauses finer than a second. Sizes of things in time that read inside a burst therefore read 0 or a drawn
value: an export's burst `start_ms` equals its `end_ms`, a dataset's `reverted_within_ms` is 0 for a
revert in the same burst, and a command's duration is its re-timed span.

    Retiming.of_steps(steps, rng)  the bursts of an episode's steps and their new times
    retimed(step, retiming)        `step` with every time it holds as `retiming` moves it
    timing_words(timing)           a statement's `timing` as `sign` and `verify` say it
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterable
from dataclasses import dataclass

import msgspec

from schemas import Step
from schemas import steps as kinds
from schemas.consent import COARSE_MS

PAUSE_MS = 3000  # more than this between two steps ends a burst (export/bursts.py's PAUSE_MS)
PAUSE_STEP_MS = 1000  # a pause is rounded up to this
POPULATION_MEAN_MS = 239.0  # inter-key interval, mean between people (Dhakal et al. 2018)
POPULATION_SD_MS = 112.0  # ... its standard deviation between people
POPULATION_RANGE_MS = (90.0, 700.0)  # ... clipped to


def floored(ms: int) -> int:
    """`ms` floored to COARSE_MS."""
    return ms - ms % COARSE_MS


def rounded_up(ms: int) -> int:
    """`ms` (at least 0) rounded up to PAUSE_STEP_MS."""
    return -(-max(0, ms) // PAUSE_STEP_MS) * PAUSE_STEP_MS


def drawn_interval(rng: random.Random) -> float:
    """An inter-key interval of someone drawn from the population, in ms."""
    low, high = POPULATION_RANGE_MS
    return min(max(rng.gauss(POPULATION_MEAN_MS, POPULATION_SD_MS), low), high)


@dataclass(frozen=True)
class Retiming:
    """An episode's bursts (their first and last step's time as recorded) and the times a receiver holds for
    them: `times[i]` for every step of burst i, `drawn[i]` its drawn duration."""

    starts: list[int]
    ends: list[int]
    times: list[int]
    drawn: list[int]

    @classmethod
    def of(cls, marks: Iterable[tuple[int, bool]], rng: random.Random | None = None) -> Retiming:
        """The bursts of `marks` (each step's time and whether it is an edit, in the episode's order)
        re-timed, drawing from `rng` (default: the system's, nothing of it kept)."""
        draw = rng if rng is not None else random.SystemRandom()
        starts: list[int] = []
        ends: list[int] = []
        counts: list[int] = []
        pauses: list[int] = []
        last_edit: int | None = None
        for t, edit in marks:
            pause = t - ends[-1] if ends else t
            if edit and last_edit is not None and t - last_edit > PAUSE_MS:
                pause = max(pause, t - last_edit)  # an export's edit burst ends here, whatever came between
            if ends and pause <= PAUSE_MS:
                ends[-1], counts[-1] = max(ends[-1], t), counts[-1] + 1
            else:
                starts.append(t)
                ends.append(t)
                counts.append(1)
                pauses.append(pause)
                last_edit = None
            last_edit = t if edit else last_edit
        new: list[int] = []
        drawn: list[int] = []
        for pause, count in zip(pauses, counts, strict=True):
            new.append((new[-1] + drawn[-1] if new else 0) + rounded_up(pause))
            drawn.append(floored(round((count - 1) * drawn_interval(draw))))
        return cls(starts, ends, new, drawn)

    @classmethod
    def of_steps(cls, steps: Iterable[Step], rng: random.Random | None = None) -> Retiming:
        """The bursts of an episode's `steps` re-timed (see `of`)."""
        return cls.of(((step.t_ms, isinstance(step, kinds.EditStep)) for step in steps), rng)

    def at(self, t: int) -> int:
        """The time a receiver holds for `t`, a time on the recorded clock (monotone in `t`)."""
        index = bisect.bisect_right(self.starts, t) - 1
        if index < 0:
            return min(rounded_up(t), self.times[0]) if self.times else rounded_up(t)
        if t <= self.ends[index]:
            return self.times[index]
        return self.times[index] + self.drawn[index] + rounded_up(t - self.ends[index])


def retimed(step: Step, retiming: Retiming) -> Step:
    """`step` with its time, its durations and a gap's `until_ms` as `retiming` moves them."""
    t_ms = retiming.at(step.t_ms)
    changes: dict[str, object] = {"t_ms": t_ms}
    if isinstance(step, kinds.CommandStep):
        changes["duration_ms"] = t_ms - retiming.at(max(0, step.t_ms - step.duration_ms))
    elif isinstance(step, kinds.TestRunStep):
        changes["duration_ms"] = t_ms - retiming.at(max(0, step.t_ms - step.duration_ms))
        changes["tests"] = [msgspec.structs.replace(test, duration_ms=floored(test.duration_ms))
                            for test in step.tests]
    elif isinstance(step, kinds.GapStep) and step.until_ms is not None:
        changes["until_ms"] = retiming.at(step.until_ms)
    return msgspec.structs.replace(step, **changes)


def timing_words(timing: str | None) -> str:
    """A statement's `timing` in a few words (an unlinkable statement's: absent ones read as before)."""
    if timing == "exact":
        return "times to the ms"
    if timing == "retimed":
        return "times re-timed (a burst at one time, its length drawn: no typing rhythm)"
    return "times in 100 ms steps"
