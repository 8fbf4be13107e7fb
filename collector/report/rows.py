"""The report's step list: one row per step, with runs of edits (or caret moves) to one file as one row.

A long episode would make a huge page, so the list holds at most `MAX_ROWS` rows of every kind; after
that it keeps only the milestones (`EVENT_KINDS`: saves, tests, commands, git, notes, tasks, gaps, file
changes) up to `MAX_EVENT_ROWS` more, and remembers where it started leaving rows out so the page can
say so. A command is shown at its start, the test runs in its span under it
(collector/replay/command_order.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from collector.replay.command_order import insert_command, started
from collector.replay.describe import describe, plural, step_path, test_failed
from collector.replay.state import EditSize
from collector.text.oneline import one_line
from schemas import steps as kinds

MAX_ROWS = 10_000
MAX_EVENT_ROWS = 10_000
GROUPED = frozenset({"edit", "cursor"})
EVENT_KINDS = frozenset({"save", "test_run", "command", "git", "note", "task", "gap", "file_change",
                         "redaction"})
PATH_LIMIT = 300


@dataclass
class Row:
    first: int  # step index
    last: int  # the last step of a group (== first for one step)
    t_ms: int
    kind: str
    path: str
    text: str
    flag: str  # "ok", "fail", "warn" or ""
    under: bool = False  # a test run shown under the command that ran it

    @property
    def steps(self) -> int:
        return self.last - self.first + 1


@dataclass
class _Group:
    row: Row
    inserted: int = 0
    deleted: int = 0
    whole: int = 0


class Rows:
    def __init__(self, max_rows: int = MAX_ROWS, max_event_rows: int = MAX_EVENT_ROWS) -> None:
        self.rows: list[Row] = []
        self.total = 0  # rows the whole episode makes
        self.cut_at: Row | None = None  # the first row left out
        self._max_rows, self._max_event_rows = max_rows, max_event_rows
        self._group: _Group | None = None

    @property
    def left_out(self) -> int:
        return self.total - len(self.rows)

    def add(self, index: int, step: kinds.Step, size: EditSize | None = None) -> None:
        path = one_line(step_path(step), PATH_LIMIT)
        group = self._group
        if group is not None and group.row.kind == step.kind and group.row.path == path:
            group.row.last = index
            self._grow(group, size)
            return
        self.close()
        row = Row(index, index, started(step), step.kind, path, describe(step, size), flag(step))
        if step.kind in GROUPED:
            self._group = _Group(row)
            self._grow(self._group, size)
        else:
            self._keep(row)

    def close(self) -> None:
        """Finish the group in progress (call once after the last step)."""
        group, self._group = self._group, None
        if group is None:
            return
        row = group.row
        if row.steps > 1:
            row.text = _group_text(row, group)
        self._keep(row)

    def _grow(self, group: _Group, size: EditSize | None) -> None:
        if size is not None:
            group.inserted += size.inserted
            group.deleted += size.deleted
            group.whole += size.whole

    def _keep(self, row: Row) -> None:
        self.total += 1
        if len(self.rows) < self._max_rows and self.cut_at is None:
            self._append(row)
            return
        if self.cut_at is None:
            self.cut_at = row
        if row.kind in EVENT_KINDS and len(self.rows) < self._max_rows + self._max_event_rows:
            self._append(row)

    def _append(self, row: Row) -> None:
        """Add a row; a command's at its start, over the rows shown after it, the test runs among them
        marked as under it."""
        if row.kind != "command":
            self.rows.append(row)
            return
        insert_command(self.rows, row)


def _group_text(row: Row, group: _Group) -> str:
    if row.kind != "edit":
        return plural(row.steps, "caret move")
    parts = [f"+{group.inserted:,}" if group.inserted else "", f"-{group.deleted:,}" if group.deleted else ""]
    chars = " ".join(part for part in parts if part)
    text = f"{plural(row.steps, 'edit')}: {chars} char{'s' * (group.inserted + group.deleted != 1)}" \
        if chars else f"{plural(row.steps, 'edit')}, no change"
    if group.whole:
        text += f" ({plural(group.whole, 'whole-text replacement')})"
    return text


def flag(step: kinds.Step) -> str:
    """How a row is marked: a failure, a success, a warning, or nothing."""
    match step:
        case kinds.TestRunStep():
            return "fail" if test_failed(step) else "ok"
        case kinds.CommandStep(exit_code=int() as code):
            return "ok" if code == 0 else "fail"
        case kinds.DiagnosticsStep():
            worst = min((item.severity or 5 for item in step.items), default=None)
            return "fail" if worst == 1 else "warn" if worst == 2 else ""
        case kinds.GapStep():
            return "warn"
        case kinds.TaskStep(outcome=str() as outcome):
            return "ok" if outcome == "pass" else "fail" if outcome == "fail" else ""
        case (kinds.OpenStep() | kinds.CloseStep() | kinds.EditStep() | kinds.SaveStep() | kinds.GitStep()
              | kinds.FileChangeStep() | kinds.CursorStep() | kinds.NoteStep() | kinds.RedactionStep()
              | kinds.AgentStep() | kinds.OfferStep()):  # nothing to mark
            return ""
        case kinds.CommandStep() | kinds.TaskStep():  # no exit code, no outcome
            return ""
        case _:
            assert_never(step)
