"""`edit`: LSP content changes to an open document, applied in order.

A change with a range replaces that range (positions in the header's position encoding);
a change without one replaces the whole document.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from schemas.common import Model, Range, RelPath, StepBase, Text


class ContentChange(Model):
    range: Range | None = None
    text: Text


class EditStep(StepBase):
    kind: Literal["edit"] = "edit"
    path: RelPath
    version: int | None = None
    changes: Annotated[list[ContentChange], Field(min_length=1, max_length=100_000)]
