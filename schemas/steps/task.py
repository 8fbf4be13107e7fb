"""`task`: the start of a task (with its statement) or its end (with the outcome)."""

from __future__ import annotations

from typing import ClassVar, Literal

from schemas.compiled import compile_module
from schemas.steps.base import ShortText, StepBase


class TaskStep(StepBase, tag="task", frozen=True, kw_only=True):
    kind: ClassVar[Literal["task"]] = "task"
    action: Literal["start", "done"]
    statement: ShortText | None = None
    outcome: Literal["pass", "fail", "abandoned"] | None = None


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
