"""`cursor`: where the caret and selections were in a document."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import msgspec

from schemas.compiled import compile_module
from schemas.steps.base import Position, RelPath, StepBase, Struct


class Selection(Struct, frozen=True, kw_only=True):
    anchor: Position
    active: Position


class CursorStep(StepBase, tag="cursor", frozen=True, kw_only=True):
    kind: ClassVar[Literal["cursor"]] = "cursor"
    path: RelPath
    selections: Annotated[list[Selection], msgspec.Meta(min_length=1, max_length=1000)]


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
