"""`cursor`: where the caret and selections were in a document."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from schemas.common import Model, Position, RelPath, StepBase


class Selection(Model):
    anchor: Position
    active: Position


class CursorStep(StepBase):
    kind: Literal["cursor"] = "cursor"
    path: RelPath
    selections: Annotated[list[Selection], Field(min_length=1, max_length=1000)]
