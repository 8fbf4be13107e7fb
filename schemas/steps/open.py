"""`open`: the editor opened a document (LSP didOpen) with its full text.

`head_text`, on the first step of the episode to give the file's text: whether that text is the file's
in the commit the header's `head_at_start` names (schemas/steps/base.py, `HeadText`).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import msgspec

from schemas.compiled import compile_module
from schemas.steps.base import HeadText, RelPath, StepBase, Text


class OpenStep(StepBase, tag="open", frozen=True, kw_only=True):
    kind: ClassVar[Literal["open"]] = "open"
    path: RelPath
    language_id: Annotated[str, msgspec.Meta(max_length=128)] = ""
    version: int | None = None
    text: Text
    head_text: HeadText | None = None


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
