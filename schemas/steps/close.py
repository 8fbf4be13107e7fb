"""`close`: the editor closed a document. The file's content is unchanged by closing."""

from __future__ import annotations

from typing import Literal

from schemas.common import RelPath, StepBase


class CloseStep(StepBase):
    kind: Literal["close"] = "close"
    path: RelPath
