"""`open`: the editor opened a document (LSP didOpen) with its full text."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import msgspec

from schemas.compiled import compile_module
from schemas.steps.base import RelPath, StepBase, Text


class OpenStep(StepBase, tag="open", frozen=True, kw_only=True):
    kind: ClassVar[Literal["open"]] = "open"
    path: RelPath
    language_id: Annotated[str, msgspec.Meta(max_length=128)] = ""
    version: int | None = None
    text: Text


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
