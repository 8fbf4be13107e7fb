"""The review's timeline: one row per step worth a line, runs of edits and cursor moves folded into one.

A developer types thousands of keystrokes; the reviewer wants to see "42 edits to calc.py" between the
save before and the test run after, and where each one happened, to drop a stretch or look at a file.
Rows keep the step numbers they cover (counting from 0 as `codetape cat` does) and their times.
"""

from __future__ import annotations

from dataclasses import dataclass

from collector.replay.describe import describe, plural, step_path
from schemas import Step
from schemas.steps import CursorStep, EditStep


@dataclass
class Row:
    first: int
    last: int
    t_ms: int
    end_ms: int
    kind: str
    path: str
    text: str = ""
    edits: int = 0
    cursors: int = 0

    def what(self) -> str:
        if self.text:
            return self.text
        parts = [plural(self.edits, "edit") if self.edits else "", plural(self.cursors, "cursor move")
                 if self.cursors else ""]
        return ", ".join(part for part in parts if part)


class Timeline:
    """Rows built one step at a time (`add`), in step order."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.count = 0

    def add(self, step: Step) -> None:
        index = self.count
        self.count += 1
        if isinstance(step, EditStep | CursorStep):
            last = self.rows[-1] if self.rows else None
            if last is None or last.text or last.path != step.path or last.last != index - 1:
                last = Row(index, index, step.t_ms, step.t_ms, "edit", step.path)
                self.rows.append(last)
            last.last, last.end_ms = index, step.t_ms
            if isinstance(step, EditStep):
                last.edits += 1
            else:
                last.cursors += 1
            last.kind = "edit" if last.edits else "cursor"
            return
        self.rows.append(Row(index, index, step.t_ms, step.t_ms, step.kind, step_path(step), describe(step)))

    def row_at(self, step: int) -> int:
        """The number of the row that holds step `step` (the last row past the end)."""
        low, high = 0, len(self.rows) - 1
        while low < high:
            middle = (low + high) // 2
            if self.rows[middle].last < step:
                low = middle + 1
            else:
                high = middle
        return max(low, 0)
