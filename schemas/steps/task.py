"""`task`: the start of a task (with its statement) or its end (with the outcome)."""

from __future__ import annotations

from typing import Literal

from schemas.common import ShortText, StepBase


class TaskStep(StepBase):
    kind: Literal["task"] = "task"
    action: Literal["start", "done"]
    statement: ShortText | None = None
    outcome: Literal["pass", "fail", "abandoned"] | None = None
