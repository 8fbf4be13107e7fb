"""`file_change`: a file created, modified, deleted or renamed outside the editor.

`text` is the full new content, enough to keep reconstruction exact. Binary files and files
above the size cap carry `omitted` instead of content, so readers know the file exists but
not what it holds. A symbolic link carries `link`, its target string exactly as the link holds it
(relative or absolute, inside the workspace or not): the link is recorded, never followed, so nothing
it points to is ever read.

`origin` says whose write it was: `external` (a program outside the editor; what no `origin` means too),
or `agent` when an AI agent claimed the write; `origin_detail` names the evidence (as an edit's does).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import msgspec

from schemas.steps.base import RelPath, Sha256Hex, StepBase, Text
from schemas.steps.edit import OriginDetail

LINK_TARGET_MAX = 4096  # PATH_MAX: no link holds a longer target


class FileChangeStep(StepBase, tag="file_change", frozen=True, kw_only=True):
    kind: ClassVar[Literal["file_change"]] = "file_change"
    path: RelPath
    change: Literal["created", "modified", "deleted", "renamed"]
    new_path: RelPath | None = None
    text: Text | None = None
    sha256: Sha256Hex | None = None
    size: int | None = None
    omitted: Literal["binary", "too_large"] | None = None
    link: Annotated[str, msgspec.Meta(min_length=1, max_length=LINK_TARGET_MAX)] | None = None
    origin: Literal["external", "agent"] | None = None
    origin_detail: OriginDetail | None = None
