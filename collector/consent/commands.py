"""The commands an episode's steps hold, as typed and as unlinkable signing shapes them (command_shape.py):
a `command`'s argv and command line, a `test_run`'s args (its framework the program), an agent step's
command line. The review shows both forms and may keep a command whole; signing keeps whole the steps
whose command, as typed (`typed`), the review named."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import msgspec

from collector.consent.command_shape import shape_argv, shape_line, spelt
from schemas import Step
from schemas import steps as kinds


def typed(step: Step) -> str | None:
    """`step`'s command as typed, in one line (its command line, else its argv, a test run's framework
    and args), or None when it holds none."""
    if type(step) is kinds.CommandStep:
        return step.command_line if step.command_line is not None else \
            None if step.argv is None else spelt(step.argv)
    if type(step) is kinds.TestRunStep:
        return spelt([step.framework, *step.args])
    if type(step) is kinds.AgentStep:
        return step.command_line
    return None


def shaped(step: Step) -> Step:
    """`step` with every command it holds shaped (command_shape.py)."""
    changes: dict[str, object] = {}
    if type(step) is kinds.CommandStep:
        changes = {"argv": None if step.argv is None else shape_argv(step.argv),
                   "command_line": None if step.command_line is None else shape_line(step.command_line)}
    elif type(step) is kinds.TestRunStep:
        changes = {"args": shape_argv([step.framework, *step.args])[1:]}
    elif type(step) is kinds.AgentStep and step.command_line is not None:
        changes = {"command_line": shape_line(step.command_line)}
    changed = {key: value for key, value in changes.items() if getattr(step, key) != value}
    return msgspec.structs.replace(step, **changed) if changed else step


def shaped_unless(step: Step, whole: frozenset[str]) -> Step:
    """`step` shaped, unless its command as typed is one of `whole` (the review kept it whole)."""
    return step if typed(step) in whole else shaped(step)


def both_forms(steps: Iterable[Step]) -> Iterator[tuple[str, str]]:
    """(as typed, as signed) for each distinct command of `steps` that shaping changes, in order."""
    seen: set[str] = set()
    for step in steps:
        text = typed(step)
        if text is None or text in seen:
            continue
        seen.add(text)
        shape = typed(shaped(step))
        if shape is not None and shape != text:
            yield text, shape
