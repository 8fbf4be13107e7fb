"""`diagnostics`: the full current set of diagnostics for one document from one origin.

An empty `items` list means the origin cleared its diagnostics for that document.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from schemas.common import Model, Range, RelPath, ShortText, StepBase


class Diagnostic(Model):
    range: Range
    severity: Annotated[int, Field(ge=1, le=4)] | None = None
    message: ShortText
    code: str | int | None = None
    source: str | None = Field(default=None, max_length=256)


class DiagnosticsStep(StepBase):
    kind: Literal["diagnostics"] = "diagnostics"
    path: RelPath
    origin: str = Field(default="", max_length=256)
    version: int | None = None
    items: Annotated[list[Diagnostic], Field(max_length=10_000)]
