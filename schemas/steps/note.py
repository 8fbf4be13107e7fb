"""`note`: a marker the developer put into the recording, with free text."""

from __future__ import annotations

from typing import ClassVar, Literal

from schemas.compiled import compile_module
from schemas.steps.base import ShortText, StepBase


class NoteStep(StepBase, tag="note", frozen=True, kw_only=True):
    kind: ClassVar[Literal["note"]] = "note"
    text: ShortText


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
