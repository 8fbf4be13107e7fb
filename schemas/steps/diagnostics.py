"""`diagnostics`: the full current set of diagnostics for one document from one origin.

An empty `items` list means the origin cleared its diagnostics for that document.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import msgspec

from schemas.compiled import compile_module
from schemas.limits import MAX_DIAGNOSTICS
from schemas.steps.base import Range, RelPath, ShortText, StepBase, Struct


class Diagnostic(Struct, frozen=True, kw_only=True):
    range: Range
    severity: Annotated[int, msgspec.Meta(ge=1, le=4)] | None = None
    message: ShortText
    code: str | int | None = None
    source: Annotated[str, msgspec.Meta(max_length=256)] | None = None


class DiagnosticsStep(StepBase, tag="diagnostics", frozen=True, kw_only=True):
    kind: ClassVar[Literal["diagnostics"]] = "diagnostics"
    path: RelPath
    origin: Annotated[str, msgspec.Meta(max_length=256)] = ""
    version: int | None = None
    items: Annotated[list[Diagnostic], msgspec.Meta(max_length=MAX_DIAGNOSTICS)]


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
