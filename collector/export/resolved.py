"""Whether a task (or an episode without one) was resolved, and by which signal: what `swe-messages` writes
as `resolved` and `resolved_signal`.

This is the one place that says it. Until the dataset has its outcome per task and episode (issue 40 item
2: an outcome with its signal and confidence), it is decided from what an episode holds:

1. `tests`: the last test run of the span, when no edit or write to a file came after it: resolved when it
   passed (its exit status 0, or, without one, no test failed or errored), not resolved when it failed;
2. `self-reported`: else the `task done --outcome`: `pass` resolved; `fail` and `abandoned` not;
3. else unknown: `resolved` null, `resolved_signal` null.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.steps import TestRunStep

FAILED = frozenset({"failed", "error"})


@dataclass
class ResolvedSignals:
    """What the span showed so far, step by step."""

    last_run: TestRunStep | None = None
    edited_after_run: bool = False
    outcome: str | None = None  # the task's `done --outcome`

    def run(self, step: TestRunStep) -> None:
        self.last_run, self.edited_after_run = step, False

    def changed(self) -> None:
        self.edited_after_run = True

    def verdict(self) -> tuple[bool | None, str | None]:
        """(resolved, signal): see the module docstring."""
        run = self.last_run
        if run is not None and not self.edited_after_run:
            if run.exit_status is not None:
                return run.exit_status == 0, "tests"
            if run.tests:
                return not any(test.outcome in FAILED for test in run.tests), "tests"
        if self.outcome is not None:
            return self.outcome == "pass", "self-reported"
        return None, None
