"""A `Trace` (survival.py) fed by a replay it does not drive, for an export that labels what it writes by
whether its text stayed (collector/export/preferences/stepwise.py). It is told of each step before the replay
applies it and after, and traces them as the dataset's build does its own (collector/dataset/rows/rows.py,
typed_rows.py): an edit's changes one by one before they are applied, save for an edit that reads a write to
disk into a stale buffer (reloads.py: the editor's, traced as a reread once applied); every other step that
moves ids (survival.TRACED) before and after. The build also knows an editor's revert over unsaved edits (its
`transitions`' own bookkeeping); here such an edit is traced as an edit.

The trace runs only between `start` and `stop`: what the files hold when it starts is text found (id 0,
as at an episode's start), so a reader that asks only about what was inserted from some step on pays the
trace's memory (up to 8 bytes per character of the files edited) only while it asks. The stale buffers are
followed all along.
"""

from __future__ import annotations

from collector.reconstruct.reloads import Reloads
from collector.reconstruct.survival import TRACED, Trace
from collector.reconstruct.workspace import Workspace
from schemas.steps import EditStep, Step


class Traced:
    """One replay's trace (`trace`, None when stopped), step by step."""

    def __init__(self) -> None:
        self.trace: Trace | None = None
        self.reloads = Reloads()
        self._reading = False  # the edit being applied reads a write to disk in

    def start(self) -> None:
        """Trace from the next step on (every character the files hold now counted as found)."""
        self.trace = Trace()

    def stop(self) -> None:
        self.trace = None

    @property
    def made(self) -> int:
        """The id the next change traced gets (a change's ids run from it on)."""
        return len(self.trace.inserted) if self.trace is not None else 0

    def before(self, index: int, step: Step, workspace: Workspace) -> None:
        self.reloads.before(step, workspace)
        trace = self.trace
        if type(step) is EditStep:
            self._reading = self.reloads.stale(step.path) and self.reloads.reads(step, workspace)
            doc = workspace.buffers.get(step.path)
            if trace is None or doc is None or self._reading:
                return
            changes = step.changes
            work = doc if len(changes) == 1 else doc.copy()
            for change in changes:
                start, end, deleted = work.extract(change.range)
                trace.change(index, step.t_ms, step.path, work.size, start, end, deleted, change.text)
                if work is not doc:
                    work.apply(change.range, change.text)
        elif trace is not None and type(step) in TRACED:
            trace.before(step, workspace)

    def after(self, index: int, step: Step, workspace: Workspace) -> None:
        self.reloads.after(step, workspace)
        trace = self.trace
        if type(step) is EditStep:
            if self._reading and trace is not None:
                trace.reread(index, step.t_ms, step.path)
            self._reading = False
        elif trace is not None and type(step) in TRACED:
            trace.after(index, step, workspace)

    def reverted(self, made: range | list[int]) -> bool:
        """Whether the characters the changes `made` inserted (ids in the trace running) are none of them
        left in the files' texts now, as the dataset's `reverted_at_step` says it (survival.Trace.labels):
        some inserted and all removed. Changes that inserted nothing are never reverted."""
        trace = self.trace
        if trace is None:
            return False
        ids = list(made)
        return trace.labels(ids, [trace.inserted[one] for one in ids]).reverted_at_step is not None
