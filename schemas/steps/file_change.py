"""`file_change`: a file created, modified, deleted or renamed outside the editor.

`text` is the full new content, enough to keep reconstruction exact. Binary files and files
above the size cap carry `omitted` instead of content, so readers know the file exists but
not what it holds.
"""

from __future__ import annotations

from typing import Literal

from schemas.common import RelPath, Sha256Hex, StepBase, Text


class FileChangeStep(StepBase):
    kind: Literal["file_change"] = "file_change"
    path: RelPath
    change: Literal["created", "modified", "deleted", "renamed"]
    new_path: RelPath | None = None
    text: Text | None = None
    sha256: Sha256Hex | None = None
    size: int | None = None
    omitted: Literal["binary", "too_large"] | None = None
