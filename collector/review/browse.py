"""Browsing an episode in the review: the files at any step and the diff between two steps.

Built on the replay's seek index (one pass, a checkpoint per step chunk, so any step is reached
quickly) and its workspace diff, so the review shows files exactly as `codetape replay` and
`codetape diff` do. Step numbers count from 0; -1 is the state before the first step. The files at a
step include those the episode first recorded later, as first recorded (replay/baselines.py), so a diff
from the start shows what changed in a file opened later, not the whole file.
"""

from __future__ import annotations

from collector.episode import Episode
from collector.errors import UsageError
from collector.replay.moment import Moment, parse_moment
from collector.replay.seek import Index, Seeker
from collector.replay.workdiff import EMPTY, Files, unified_diff


class Browser:
    def __init__(self, episode: Episode) -> None:
        self.index = Index.build(episode)
        self._seeker = Seeker(self.index) if self.index.count else None

    @property
    def count(self) -> int:
        return self.index.count

    def time_of(self, step: int) -> int:
        return self.index.times[step] if 0 <= step < self.count else 0

    def files_at(self, step: int) -> Files:
        """The files after step `step` (clamped to the last step; -1: before the first), with those first
        recorded later as first recorded."""
        if step < 0 or self._seeker is None:
            return EMPTY.with_unseen(self.index.baselines, -1)
        self._seeker.seek(step)
        return Files.of(self._seeker.state.workspace).with_unseen(self.index.baselines,
                                                                  min(step, self.count - 1))

    def text_at(self, step: int, path: str) -> str | None:
        """One file's text after step `step` (None: it does not exist then, or its content is unknown)."""
        if step < 0 or self._seeker is None:
            return None
        self._seeker.seek(step)
        return self._seeker.state.workspace.text(path)

    def step_of(self, text: str, what: str) -> int:
        """The step a moment names (`12`, `90s`, `1:30`, `start`, `end`), as the state after it."""
        moment: Moment = parse_moment(text, what)
        if moment.edge == "start":
            return -1
        if moment.edge == "end":
            return self.count - 1
        if moment.step is not None:
            if moment.step >= self.count:
                raise UsageError(f"{what}: step {moment.step} does not exist; the episode has {self.count} "
                                 "steps")
            return moment.step
        ms = moment.ms or 0
        if not self.count or ms < self.index.times[0]:
            return -1
        return self.index.step_at_time(ms)

    def diff(self, start: int, end: int) -> list[str]:
        """Unified diff lines (each with its line break) from the state after `start` to after `end`."""
        return list(unified_diff(self.files_at(start), self.files_at(end)))
