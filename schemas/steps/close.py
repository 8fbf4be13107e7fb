"""`close`: the editor closed a document. The file's content is unchanged by closing."""

from __future__ import annotations

from typing import ClassVar, Literal

from schemas.steps.base import RelPath, StepBase


class CloseStep(StepBase, tag="close", frozen=True, kw_only=True):
    kind: ClassVar[Literal["close"]] = "close"
    path: RelPath
