"""`save`: the document was written to disk; `sha256` is the hash of the UTF-8 bytes saved.

`text` is present when the editor sent it (didSave includeText) and lets a reader resynchronise.
"""

from __future__ import annotations

from typing import Literal

from schemas.common import RelPath, Sha256Hex, StepBase, Text


class SaveStep(StepBase):
    kind: Literal["save"] = "save"
    path: RelPath
    sha256: Sha256Hex | None = None
    text: Text | None = None
