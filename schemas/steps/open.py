"""`open`: the editor opened a document (LSP didOpen) with its full text."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.common import RelPath, StepBase, Text


class OpenStep(StepBase):
    kind: Literal["open"] = "open"
    path: RelPath
    language_id: str = Field(default="", max_length=128)
    version: int | None = None
    text: Text
