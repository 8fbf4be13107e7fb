"""The step vocabulary: one module per kind, joined in one discriminated union on `kind`."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field, TypeAdapter

from schemas.steps.close import CloseStep
from schemas.steps.command import CommandStep
from schemas.steps.cursor import CursorStep, Selection
from schemas.steps.diagnostics import Diagnostic, DiagnosticsStep
from schemas.steps.edit import ContentChange, EditStep
from schemas.steps.file_change import FileChangeStep
from schemas.steps.gap import FileState, GapReason, GapStep
from schemas.steps.git import GitFileStat, GitOp, GitStep
from schemas.steps.note import NoteStep
from schemas.steps.open import OpenStep
from schemas.steps.redaction import RedactionStep
from schemas.steps.save import SaveStep
from schemas.steps.task import TaskStep
from schemas.steps.test_run import TestOutcome, TestRunStep

Step = Annotated[
    OpenStep | CloseStep | EditStep | SaveStep | DiagnosticsStep | TestRunStep | CommandStep
    | GitStep | FileChangeStep | CursorStep | NoteStep | TaskStep | GapStep | RedactionStep,
    Field(discriminator="kind"),
]

STEP_TYPES: tuple[type[Any], ...] = (
    OpenStep, CloseStep, EditStep, SaveStep, DiagnosticsStep, TestRunStep, CommandStep,
    GitStep, FileChangeStep, CursorStep, NoteStep, TaskStep, GapStep, RedactionStep,
)
STEP_KINDS: frozenset[str] = frozenset(t.model_fields["kind"].default for t in STEP_TYPES)

step_adapter: TypeAdapter[Step] = TypeAdapter(Step, config=ConfigDict(defer_build=True))
steps_adapter: TypeAdapter[list[Step]] = TypeAdapter(list[Step], config=ConfigDict(defer_build=True))


def step_from_dict(data: dict[str, Any]) -> Step:
    """Validate one plain step dict (as stored) into its model; raises pydantic.ValidationError."""
    return step_adapter.validate_python(data)


def steps_from_dicts(data: list[dict[str, Any]]) -> list[Step]:
    """Validate plain step dicts in one call (what step_from_dict does to each, with one call's overhead
    for all of them); raises pydantic.ValidationError."""
    return steps_adapter.validate_python(data)


def step_to_dict(step: Step) -> dict[str, Any]:
    """The plain form of a step, without defaulted fields, as stored and as `codetape cat` prints."""
    return {"kind": step.kind, **step.model_dump(mode="json", exclude_defaults=True)}


__all__ = [
    "STEP_KINDS", "STEP_TYPES", "CloseStep", "CommandStep", "ContentChange", "CursorStep",
    "Diagnostic", "DiagnosticsStep", "EditStep", "FileChangeStep", "FileState", "GapReason",
    "GapStep", "GitFileStat", "GitOp", "GitStep", "NoteStep", "OpenStep", "RedactionStep",
    "SaveStep", "Selection", "Step", "TaskStep", "TestOutcome", "TestRunStep", "step_adapter",
    "step_from_dict", "step_to_dict", "steps_adapter", "steps_from_dicts",
]
