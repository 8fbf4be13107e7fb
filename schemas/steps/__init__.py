"""The step vocabulary: one module per kind, joined in one tagged union on `kind` (msgspec structs,
schemas/steps/base.py)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeAlias

import msgspec

from schemas.steps.agent import AgentStep
from schemas.steps.close import CloseStep
from schemas.steps.command import CommandStep
from schemas.steps.cursor import CursorStep, Selection
from schemas.steps.diagnostics import Diagnostic, DiagnosticsStep
from schemas.steps.edit import ContentChange, EditOrigin, EditStep
from schemas.steps.file_change import FileChangeStep
from schemas.steps.gap import FileState, GapReason, GapStep
from schemas.steps.git import GitFileStat, GitOp, GitStep
from schemas.steps.note import NoteStep
from schemas.steps.offer import OfferedItem, OfferStep
from schemas.steps.open import OpenStep
from schemas.steps.redaction import RedactionStep
from schemas.steps.save import SaveStep
from schemas.steps.task import TaskStep
from schemas.steps.test_run import TestOutcome, TestRunStep

Step: TypeAlias = (
    OpenStep | CloseStep | EditStep | SaveStep | DiagnosticsStep | TestRunStep | CommandStep
    | GitStep | FileChangeStep | CursorStep | NoteStep | TaskStep | GapStep | RedactionStep | AgentStep
    | OfferStep
)

STEP_TYPES: tuple[type[Step], ...] = (
    OpenStep, CloseStep, EditStep, SaveStep, DiagnosticsStep, TestRunStep, CommandStep,
    GitStep, FileChangeStep, CursorStep, NoteStep, TaskStep, GapStep, RedactionStep, AgentStep, OfferStep,
)
STEP_KINDS: frozenset[str] = frozenset(t.kind for t in STEP_TYPES)
_BY_KIND: dict[object, type[Step]] = {t.kind: t for t in STEP_TYPES}
# what a refused step raises (its message one line ending with where, e.g. "Expected `int`, got `str` - at
# `$.t_ms`"; collector/text/validation.py says it as a person reads it)
StepError = msgspec.ValidationError


def step_fields(step: Step, leave_out: Collection[str] = ()) -> dict[str, Any]:
    """The plain form of a step's fields but those in `leave_out` (`kind` among them), defaults left out."""
    plain: dict[str, Any] = msgspec.to_builtins(step)
    for name in leave_out:
        plain.pop(name, None)
    return plain


def step_from_dict(data: Any) -> Step:
    """One plain step dict (as stored, as a client sends it) as its step; raises StepError naming the
    first value the schema refuses (an unknown kind is refused as an invalid `kind`). Converted to its
    kind's type, whose checks msgspec keeps compiled (into the union it would compile them again on
    every call: 17 µs instead of 2); what names no known kind goes to the union, which says why."""
    kind = _BY_KIND.get(data.get("kind")) if type(data) is dict else None
    step: Step = msgspec.convert(data, Step if kind is None else kind)
    return step


def steps_from_dicts(data: list[Any]) -> list[Step]:
    """Plain step dicts as steps, in one call; raises StepError at the first refused."""
    return msgspec.convert(data, list[Step])


def step_to_dict(step: Step) -> dict[str, Any]:
    """The plain form of a step, `kind` first, defaulted fields left out, as stored and as `codetape cat`
    prints."""
    plain: dict[str, Any] = msgspec.to_builtins(step)
    return plain


def step_json_schema() -> dict[str, Any]:
    """The JSON Schema of the step union (draft 2020-12), its definitions under `$defs`."""
    return msgspec.json.schema(Step)


__all__ = [
    "STEP_KINDS",
    "STEP_TYPES",
    "AgentStep",
    "CloseStep",
    "CommandStep",
    "ContentChange",
    "CursorStep",
    "Diagnostic",
    "DiagnosticsStep",
    "EditOrigin",
    "EditStep",
    "FileChangeStep",
    "FileState",
    "GapReason",
    "GapStep",
    "GitFileStat",
    "GitOp",
    "GitStep",
    "NoteStep",
    "OfferStep",
    "OfferedItem",
    "OpenStep",
    "RedactionStep",
    "SaveStep",
    "Selection",
    "Step",
    "StepError",
    "TaskStep",
    "TestOutcome",
    "TestRunStep",
    "step_fields",
    "step_from_dict",
    "step_json_schema",
    "step_to_dict",
    "steps_from_dicts",
]
