"""The free-text channels of every step kind: commands (and their working directory), test output,
commits, diagnostics, notes, tasks, agent text, offered items, a gap's detail: the fields the one table
names (schemas/text_fields.py FREE_TEXT).

Each is redacted as a whole text. Argument vectors are also scanned joined, so `--password hunter2`
split over two arguments is still seen as one flag and its value.
"""

from __future__ import annotations

from typing import TypeVar

from msgspec.structs import replace

from collector.redact.stream.text import TextRedactor
from schemas import steps as kinds
from schemas.text_fields import free_fields, map_free_text

S = TypeVar("S", bound=kinds.Step)


def free_text(step: S, redactor: TextRedactor) -> S:
    """Every free text of `step` (schemas/text_fields.py, the one table) with secrets replaced; a list of
    arguments (`argv`, a test run's `args`) is also scanned joined first."""
    for field in free_fields(step):
        if field.endswith("[]") and "." not in field and (values := getattr(step, field[:-2])):
            redactor.find(" ".join(values))  # registers values seen across arguments (a flag, then its value)
    return map_free_text(step, redactor.redact)


def command(step: kinds.CommandStep, redactor: TextRedactor) -> kinds.CommandStep:
    return free_text(step, redactor)


def test_run(step: kinds.TestRunStep, redactor: TextRedactor) -> kinds.TestRunStep:
    return free_text(step, redactor)


def git(step: kinds.GitStep, redactor: TextRedactor) -> kinds.GitStep:
    return free_text(step, redactor)


def diagnostics(step: kinds.DiagnosticsStep, redactor: TextRedactor,
                items: list[kinds.Diagnostic] | None = None) -> kinds.DiagnosticsStep:
    """The diagnostics' messages redacted; `items` (their ranges mapped to the redacted buffer) in place of
    the step's own when given."""
    return free_text(step if items is None else replace(step, items=items), redactor)


def note(step: kinds.NoteStep, redactor: TextRedactor) -> kinds.NoteStep:
    return free_text(step, redactor)


def agent(step: kinds.AgentStep, redactor: TextRedactor) -> kinds.AgentStep:
    """An agent's prompt (the developer's words), its command line, details and tool, secrets replaced."""
    return free_text(step, redactor)


def offer(step: kinds.OfferStep, redactor: TextRedactor) -> kinds.OfferStep:
    """What an editor offered: each item's text, secrets replaced."""
    return free_text(step, redactor)


def task(step: kinds.TaskStep, redactor: TextRedactor) -> kinds.TaskStep:
    return free_text(step, redactor)


def gap_detail(step: kinds.GapStep, redactor: TextRedactor) -> kinds.GapStep:
    return free_text(step, redactor)
