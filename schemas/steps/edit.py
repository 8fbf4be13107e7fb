"""`edit`: LSP content changes to an open document, applied in order.

A change with a range replaces that range (positions in the header's position encoding);
a change without one replaces the whole document.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import msgspec

from schemas.steps.base import Range, RelPath, StepBase, Struct, Text


class ContentChange(Struct, frozen=True, kw_only=True):
    range: Range | None = None
    text: Text


class EditStep(StepBase, tag="edit", frozen=True, kw_only=True):
    kind: ClassVar[Literal["edit"]] = "edit"
    path: RelPath
    version: int | None = None
    changes: Annotated[list[ContentChange], msgspec.Meta(min_length=1, max_length=100_000)]
