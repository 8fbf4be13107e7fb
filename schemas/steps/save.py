"""`save`: the document was written to disk; `sha256` is the hash of the UTF-8 bytes saved.

`text` is present when the editor sent it (didSave includeText) and lets a reader resynchronise.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from schemas.compiled import compile_module
from schemas.steps.base import RelPath, Sha256Hex, StepBase, Text


class SaveStep(StepBase, tag="save", frozen=True, kw_only=True):
    kind: ClassVar[Literal["save"]] = "save"
    path: RelPath
    sha256: Sha256Hex | None = None
    text: Text | None = None


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
