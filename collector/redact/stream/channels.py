"""The free-text channels of every step kind: commands (and their working directory), test output,
commits, diagnostics, notes, tasks.

Each is redacted as a whole text. Argument vectors are also scanned joined, so `--password hunter2`
split over two arguments is still seen as one flag and its value.
"""

from __future__ import annotations

from typing import TypeVar

from msgspec.structs import replace

from collector.redact.stream.text import TextRedactor
from schemas import steps as kinds

M = TypeVar("M", kinds.AgentStep, kinds.CommandStep, kinds.TestRunStep, kinds.TestOutcome, kinds.GitStep,
            kinds.Diagnostic, kinds.NoteStep, kinds.TaskStep, kinds.GapStep, kinds.OfferedItem)


def _opt(text: str | None, redactor: TextRedactor) -> str | None:
    return None if text is None else redactor.redact(text)


def argv(args: list[str], redactor: TextRedactor) -> list[str]:
    """Arguments with secrets replaced, finding values that only make sense across arguments."""
    redactor.find(" ".join(args))  # registers values seen across arguments (a flag, then its value)
    return [redactor.redact(arg) for arg in args]


def command(step: kinds.CommandStep, redactor: TextRedactor) -> kinds.CommandStep:
    update: dict[str, object] = {}
    if step.argv is not None:
        update["argv"] = argv(step.argv, redactor)
    if step.command_line is not None:
        update["command_line"] = redactor.redact(step.command_line)
    if step.output_tail is not None:
        update["output_tail"] = redactor.redact(step.output_tail)
    update["cwd"] = redactor.redact(step.cwd)
    return _changed(step, update)


def test_run(step: kinds.TestRunStep, redactor: TextRedactor) -> kinds.TestRunStep:
    tests = [_outcome(t, redactor) for t in step.tests]
    update: dict[str, object] = {"args": argv(step.args, redactor) if step.args else step.args}
    if any(new is not old for new, old in zip(tests, step.tests, strict=True)):
        update["tests"] = tests
    return _changed(step, update)


def _outcome(outcome: kinds.TestOutcome, redactor: TextRedactor) -> kinds.TestOutcome:
    return _changed(outcome, {"nodeid": redactor.redact(outcome.nodeid),
                              "summary": _opt(outcome.summary, redactor)})


def git(step: kinds.GitStep, redactor: TextRedactor) -> kinds.GitStep:
    return _changed(step, {"message": _opt(step.message, redactor), "detail": _opt(step.detail, redactor),
                           "ref": _opt(step.ref, redactor)})


def diagnostics(step: kinds.DiagnosticsStep, redactor: TextRedactor,
                items: list[kinds.Diagnostic] | None = None) -> kinds.DiagnosticsStep:
    source = step.items if items is None else items
    new = [_changed(d, {"message": redactor.redact(d.message)}) for d in source]
    if items is None and all(a is b for a, b in zip(new, step.items, strict=True)):
        return step
    return replace(step, items=new)


def note(step: kinds.NoteStep, redactor: TextRedactor) -> kinds.NoteStep:
    return _changed(step, {"text": redactor.redact(step.text)})


def agent(step: kinds.AgentStep, redactor: TextRedactor) -> kinds.AgentStep:
    """An agent's prompt (the developer's words), its command line and details, secrets replaced."""
    return _changed(step, {"prompt": _opt(step.prompt, redactor),
                           "command_line": _opt(step.command_line, redactor),
                           "detail": _opt(step.detail, redactor), "tool": _opt(step.tool, redactor)})


def offer(step: kinds.OfferStep, redactor: TextRedactor) -> kinds.OfferStep:
    """What an editor offered: each item's text, secrets replaced."""
    items = [_changed(item, {"text": redactor.redact(item.text)}) for item in step.items]
    if all(new is old for new, old in zip(items, step.items, strict=True)):
        return step
    return replace(step, items=items)


def task(step: kinds.TaskStep, redactor: TextRedactor) -> kinds.TaskStep:
    return _changed(step, {"statement": _opt(step.statement, redactor)})


def gap_detail(step: kinds.GapStep, redactor: TextRedactor) -> kinds.GapStep:
    return _changed(step, {"detail": redactor.redact(step.detail)})


def _changed(model: M, update: dict[str, object]) -> M:
    """The model with `update` applied, or the model itself when nothing differs (no copy)."""
    diff = {key: value for key, value in update.items() if getattr(model, key) != value}
    return replace(model, **diff) if diff else model
