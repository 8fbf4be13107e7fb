"""`note`: a marker the developer put into the recording, with free text."""

from __future__ import annotations

from typing import Literal

from schemas.common import ShortText, StepBase


class NoteStep(StepBase):
    kind: Literal["note"] = "note"
    text: ShortText
