"""The review's timeline: one row per step worth a line, runs of edits and cursor moves folded into one.

A developer types thousands of keystrokes; the reviewer wants to see "42 edits to calc.py" between the
save before and the test run after, and where each one happened, to drop a stretch or look at a file.
Rows keep the step numbers they cover (counting from 0 as `codetape cat` does) and their times. A command
is shown at its start, the test runs in its span under it (collector/replay/command_order.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from collector.replay.command_order import insert_command, started
from collector.replay.describe import describe, plural, step_path
from schemas import Step
from schemas.steps import CommandStep, CursorStep, EditStep


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
    under: bool = False  # a test run shown under the command that ran it

    def what(self) -> str:
        if self.text:
            return self.text
        parts = [plural(self.edits, "edit") if self.edits else "", plural(self.cursors, "cursor move")
                 if self.cursors else ""]
        return ", ".join(part for part in parts if part)


class Timeline:
    """Rows built one step at a time (`add`), in step order but for a command, shown at its start."""

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
        row = Row(index, index, started(step), step.t_ms, step.kind, step_path(step), describe(step))
        if not isinstance(step, CommandStep):
            self.rows.append(row)
            return
        insert_command(self.rows, row)
