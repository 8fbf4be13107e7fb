"""Unlinkable mode's timings `drawn` (the default, issue 93) and `retimed` (issue 69): the times a receiver
sees, with no typing rhythm left in them, and (`drawn`) no pause or placing of a save finer than a bucket.

A **burst** is a run of steps no two consecutive of which are more than PAUSE_MS (3 s) apart and no two
consecutive edits of which are either (the steps between them, a caret's or diagnostics', do not join
them), so that an export's edit burst (collector/export/edits/base/bursts.py) is never split nor joined by it.
Both timings:

- every step of a burst is at one time, the burst's (a step is its burst's by its place in the episode,
  `Retiming.held`, so one at the very millisecond the next burst starts stays in its own);
- a burst's duration is drawn, not kept: its steps less one, times an inter-key interval drawn for that
  burst from the population (a mean of 239 ms with a standard deviation of 112 ms between people, clipped
  to 90-700 ms: Dhakal et al., "Observations on Typing from 136 Million Keystrokes", CHI 2018), floored to
  COARSE_MS;
- a command's and a test run's `duration_ms` are the re-timed end less the re-timed start; each test's own
  `duration_ms` (the runner's measure, not the person's) is floored to COARSE_MS, as in `coarse` timing.

`retimed` (the default until issue 93): each pause (from the start to the first step, from a burst's last
step, or its last edit when an edit ends it, to the next one's first) is rounded up to whole seconds
(PAUSE_STEP_MS), so it stays more than PAUSE_MS and every export groups the same bursts; a time between
steps (a command's or a test run's start, a gap's `until_ms`) moves with them: in a burst, the burst's
time; in a pause, the time the receiver holds for the pause's start plus the rest rounded up to whole
seconds.

`drawn` (BUCKET_MS): how long someone pauses, and where her saves fall, are habits of hers and link her
episodes (bench/habits.py), so

- each pause between bursts is drawn anew, uniformly in whole seconds, within its bucket: the
  BUCKET_MS-wide interval ((k-1) BUCKET_MS, k BUCKET_MS] that holds it, and more than PAUSE_MS, so a pause
  stays a pause, and a pause of 5 s and one of 50 s read alike; the first burst is FIRST_MS (4 s) after
  the episode's start in every episode that did not start with it (at the start in one that did);
- a step of the kinds PLACED (a save, a test run, a command, a caret's report, diagnostics) that would
  start a burst, standing alone in a pause, starts none: it is at the time of the burst before it (the
  episode's start before the first burst), as one within PAUSE_MS of that burst is, so a save 20 s after
  typing reads as one 1 s after it; the pause after it runs from that burst's last step. So is every
  other time in a pause (a command's start, a gap's `until_ms`): at the time of the burst before it.

The edits' bursts are those of `retimed`, and so are an export's (edits stay more than PAUSE_MS apart or at
one time as they were); the steps after a save placed so can be more than PAUSE_MS after it though they
were not, since the pause runs from the burst before it.

Every time is a multiple of COARSE_MS. What a receiver loses: the order in time of the steps of a burst
(their order in the episode stays), the time from one keystroke to the next, a burst's true length, pauses
finer than a second (`retimed`) or than their bucket (`drawn`), and (`drawn`) how long after a burst a save,
a test run or a command came. Sizes of things in time that read inside a burst therefore read 0 or a drawn
value: an export's burst `start_ms` equals its `end_ms`, a dataset's `reverted_within_ms` is 0 for a revert
in the same burst, and a command's duration is its re-timed span (`drawn`: 0 for one in a pause).

    Retiming.of_steps(steps, rng, bucket_ms)  the bursts of an episode's steps and their new times
    retimed(step, retiming, index)            step `index` with every time it holds as `retiming` moves it
    timing_words(timing)                      a statement's `timing` as `sign`, `verify` and `inspect` say it
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

PAUSE_MS = 3000  # more than this between two steps ends a burst (export/edits/base/bursts.py's)
PAUSE_STEP_MS = 1000  # a pause is rounded up to this (`retimed`), drawn in these steps (`drawn`)
BUCKET_MS = 60_000  # `drawn`: a pause is drawn within the bucket this wide that holds it (bench/habits.py)
FIRST_MS = PAUSE_MS + PAUSE_STEP_MS  # `drawn`: the first burst, when the episode did not start with it
POPULATION_MEAN_MS = 239.0  # inter-key interval, mean between people (Dhakal et al. 2018)
POPULATION_SD_MS = 112.0  # ... its standard deviation between people
POPULATION_RANGE_MS = (90.0, 700.0)  # ... clipped to
# `drawn`: a step of these kinds standing alone in a pause is at the time of the burst before it
PLACED = (kinds.SaveStep, kinds.TestRunStep, kinds.CommandStep, kinds.CursorStep, kinds.DiagnosticsStep)
# each step's time, whether it is an edit and (`drawn`) whether it is of the kinds PLACED (absent: not)
Mark = tuple[int, bool] | tuple[int, bool, bool]


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


def drawn_pause(pause: int, bucket_ms: int, rng: random.Random) -> int:
    """A pause of `pause` ms (more than PAUSE_MS) drawn anew, uniformly in whole seconds, within its bucket
    ((k-1) bucket_ms, k bucket_ms] but above PAUSE_MS, so that it stays a pause. `bucket_ms` is a multiple
    of PAUSE_STEP_MS above PAUSE_MS."""
    bucket = -(-pause // bucket_ms)
    low, high = max((bucket - 1) * bucket_ms, PAUSE_MS), bucket * bucket_ms
    return rng.randrange(low // PAUSE_STEP_MS + 1, high // PAUSE_STEP_MS + 1) * PAUSE_STEP_MS


def first_pause(pause: int) -> int:
    """`drawn`: the time before the first burst, the same for every episode whose first step is not at its
    start (FIRST_MS), so that no drawn value stands where nothing needs one."""
    return FIRST_MS if pause > 0 else 0


@dataclass(frozen=True)
class Retiming:
    """An episode's bursts (their first and last step's time as recorded, and the index of their first
    step) and the times a receiver holds for them: `times[i]` for every step of burst i, `drawn[i]` its drawn
    duration; `bucket_ms` None when `retimed`, the buckets' width when `drawn`."""

    starts: list[int]
    ends: list[int]
    firsts: list[int]
    times: list[int]
    drawn: list[int]
    bucket_ms: int | None = None

    @classmethod
    def of(cls, marks: Iterable[Mark], rng: random.Random | None = None, bucket_ms: int | None = None
           ) -> Retiming:
        """The bursts of `marks` (each step's time, whether it is an edit and whether it is of the kinds
        PLACED, in the episode's order) re-timed, drawing from `rng` (default: the system's, nothing of it
        kept): `retimed`, or `drawn` within buckets `bucket_ms` wide (the module's docstring)."""
        draw = rng if rng is not None else random.SystemRandom()
        starts: list[int] = []
        ends: list[int] = []
        counts: list[int] = []
        pauses: list[int] = []
        firsts: list[int] = []
        last_edit: int | None = None
        for index, (t, edit, *placed) in enumerate(marks):
            pause = t - ends[-1] if ends else t
            if edit and last_edit is not None and t - last_edit > PAUSE_MS:
                pause = max(pause, t - last_edit)  # an export's edit burst ends here, whatever came between
            if ends and pause <= PAUSE_MS:
                ends[-1], counts[-1] = max(ends[-1], t), counts[-1] + 1
            elif bucket_ms is not None and placed and placed[0]:
                continue  # at the time of the burst before it (`at`): no burst, no pause of its own
            else:
                firsts.append(index)
                starts.append(t)
                ends.append(t)
                counts.append(1)
                pauses.append(pause)
                last_edit = None
            last_edit = t if edit else last_edit
        new: list[int] = []
        drawn: list[int] = []
        for pause, count in zip(pauses, counts, strict=True):
            if bucket_ms is None:
                gap = rounded_up(pause)
            else:
                gap = drawn_pause(pause, bucket_ms, draw) if new else first_pause(pause)
            new.append((new[-1] + drawn[-1] if new else 0) + gap)
            drawn.append(floored(round((count - 1) * drawn_interval(draw))))
        return cls(starts, ends, firsts, new, drawn, bucket_ms)

    @classmethod
    def of_steps(cls, steps: Iterable[Step], rng: random.Random | None = None, bucket_ms: int | None = None
                 ) -> Retiming:
        """The bursts of an episode's `steps` re-timed (see `of`)."""
        return cls.of(((step.t_ms, isinstance(step, kinds.EditStep), isinstance(step, PLACED))
                       for step in steps), rng, bucket_ms)

    def held(self, index: int) -> int:
        """The time a receiver holds for the episode's step `index` (of the marks or steps this was made of):
        its burst's, or (`drawn`) the burst's before it (the episode's start before the first). By index,
        not by time: a step at the very millisecond the next burst starts is still its own burst's."""
        burst = bisect.bisect_right(self.firsts, index) - 1
        return self.times[burst] if burst >= 0 else 0

    def at(self, t: int) -> int:
        """The time a receiver holds for `t`, a time on the recorded clock (monotone in `t`): a time that is
        not a step's (a command's start, a gap's end); a step's is `held`."""
        index = bisect.bisect_right(self.starts, t) - 1
        if index < 0:
            if self.bucket_ms is not None:
                return 0  # before the first burst: the episode's start
            return min(rounded_up(t), self.times[0]) if self.times else rounded_up(t)
        if t <= self.ends[index] or self.bucket_ms is not None:
            return self.times[index]  # in its burst, or (`drawn`) in the pause after it: the burst's time
        return self.times[index] + self.drawn[index] + rounded_up(t - self.ends[index])


def retimed(step: Step, retiming: Retiming, index: int) -> Step:
    """`step`, the episode's step `index`, with its time, its durations and a gap's `until_ms` as
    `retiming` moves them."""
    t_ms = retiming.held(index)
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
    if timing == "drawn":
        return (f"times drawn (a burst at one time, its length drawn, pauses drawn within "
                f"{BUCKET_MS // 1000} s, a save or test run at its burst's time: no typing rhythm, no "
                "pausing habit)")
    if timing == "retimed":
        return "times re-timed (a burst at one time, its length drawn: no typing rhythm)"
    return "times in 100 ms steps"
