"""How an episode, and each task in it, ended: an outcome, the signal it rests on, how far to trust it, and
what every signal said, so that signals that disagree are seen, not hidden.

A window of steps (the whole episode, or a task: from its `task start` to its `task done`, the next
`task start` or the episode's end) is judged by four signals, each giving a verdict or none:

- `tests`: the last test run in the window, when no edit or write to a file came after it in the window:
  `pass` when it is green (no test failed or errored, the runner's exit status 0 or not given, and at least
  one test passed or the status is 0), `fail` when it is not;
- `self-reported`: the outcome the developer gave to `codetape task done --outcome` in the window;
- `commit`: `pass` when the window's last commit has no edit or write after it in the window;
- `abandoned`: `abandoned` when none of the three above says anything (the window ended with no settled
  test run, no outcome given and nothing committed since the last change).

The outcome is the verdict of the first signal in that order that gives one (the tests, being checked
by a program, first). Its confidence: tests green after a run in the window that was not
(red to green) 0.9, green with no red run before 0.7, red 0.8; self-reported 0.8; commit 0.6; abandoned
0.3; halved when another signal's verdict differs from it (`outcome_signals` lists every verdict given,
with the step that gave it).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from schemas.steps import TestRunStep

ORDER = ("tests", "self-reported", "commit", "abandoned")
FAILED = frozenset({"failed", "error"})


def green(step: TestRunStep) -> bool:
    """Whether a test run passed: nothing failed or errored, the runner did not fail, something passed."""
    if step.exit_status not in (None, 0) or any(test.outcome in FAILED for test in step.tests):
        return False
    return step.exit_status == 0 or any(test.outcome == "passed" for test in step.tests)


@dataclass
class Window:
    """What one window's signals need, gathered as its steps go by."""

    first: int
    statement: str | None = None
    run: tuple[int, bool] | None = None  # the last test run: its step, green
    red: bool = False  # a run that was not green came before the last one
    commit: int | None = None  # the last commit's step
    said: tuple[int, str] | None = None  # the `task done` outcome: its step, the outcome
    done: int | None = None  # the `task done` step
    last: int = 0

    def tested(self, index: int, passed: bool) -> None:
        if self.run is not None and not self.run[1]:
            self.red = True
        self.run = (index, passed)

    def verdicts(self, written: int) -> list[dict[str, Any]]:
        """Every signal's verdict (`written`: the last step that edited or wrote a file), in ORDER."""
        given: list[dict[str, Any]] = []
        if self.run is not None and written < self.run[0]:
            step, passed = self.run
            given.append({"signal": "tests", "verdict": "pass" if passed else "fail", "step": step,
                          "confidence": (0.9 if self.red else 0.7) if passed else 0.8})
        if self.said is not None:
            given.append({"signal": "self-reported", "verdict": self.said[1], "step": self.said[0],
                          "confidence": 0.8})
        if self.commit is not None and written < self.commit:
            given.append({"signal": "commit", "verdict": "pass", "step": self.commit, "confidence": 0.6})
        if not given:
            given.append({"signal": "abandoned", "verdict": "abandoned", "step": None, "confidence": 0.3})
        return given


def judged(window: Window, written: int) -> dict[str, Any]:
    """The outcome columns of a window: outcome, outcome_signal, outcome_confidence, outcome_signals."""
    given = window.verdicts(written if written >= window.first else -1)
    chosen = given[0]
    agree = all(other["verdict"] == chosen["verdict"] for other in given)
    return {"outcome": chosen["verdict"], "outcome_signal": chosen["signal"],
            "outcome_confidence": chosen["confidence"] if agree else chosen["confidence"] / 2,
            "outcome_signals": [{"signal": one["signal"], "verdict": one["verdict"], "step": one["step"]}
                                for one in given]}


@dataclass
class Outcomes:
    """The episode's window and its tasks', fed step by step (rows.py); `written` is kept by the caller
    (the last step that edited or wrote a file: most steps are edits, counted without a call)."""

    episode: Window = field(default_factory=lambda: Window(0))
    task: Window | None = None
    tasks: list[tuple[Window, dict[str, Any]]] = field(default_factory=list)

    def windows(self) -> list[Window]:
        return [self.episode] if self.task is None else [self.episode, self.task]

    def tested(self, index: int, step: TestRunStep) -> None:
        passed = green(step)
        for window in self.windows():
            window.tested(index, passed)

    def committed(self, index: int) -> None:
        for window in self.windows():
            window.commit = index

    def start(self, index: int, statement: str | None, written: int) -> None:
        if self.task is not None:
            self.task.last = index - 1
        self._close(written)
        self.task = Window(index, statement)

    def done(self, index: int, outcome: str | None, written: int) -> None:
        for window in self.windows():
            if outcome is not None:
                window.said = (index, outcome)
            window.done = index
        if self.task is None:  # done without a start in this episode: the task is the episode so far
            self.task = replace(self.episode)
        self.task.last = index
        self._close(written)

    def _close(self, written: int) -> None:
        if self.task is not None:
            self.tasks.append((self.task, judged(self.task, written)))
            self.task = None

    def finish(self, last: int, written: int) -> dict[str, Any]:
        """The episode's outcome columns; every task still open ends with the episode."""
        if self.task is not None:
            self.task.last = last
        self._close(written)
        return judged(self.episode, written)
