"""`file_change`: a file created, modified, deleted or renamed outside the editor.

`text` is the full new content, enough to keep reconstruction exact. Binary files and files
above the size cap carry `omitted` instead of content, so readers know the file exists but
not what it holds. A symbolic link carries `link`, its target string exactly as the link holds it
(relative or absolute, inside the workspace or not): the link is recorded, never followed, so nothing
it points to is ever read.

`origin` says whose write it was: `external` (a program outside the editor; what no `origin` means too),
`agent` when an AI agent claimed the write, or `format` when a formatter the editor ran on save wrote it
(the editor's save of the file just before, its reload of this text after: collector/daemon/formats.py);
`origin_detail` names the evidence (as an edit's does).

`changed_lines` and `changed_chars`, on an agent's write, are what the agent's tool reported it
changed, checked against `text` when it was recorded (Claude Code's `structuredPatch`, Codex's
`apply_patch`: collector/sources/agents/patches.py); on a format's, the lines it changed (the line diff of
the saved text and `text`): each run of lines it replaced as `[old first, old
count, new first, new count]` (1-based; a run's first line is where its lines are, or would be when it
has none; lines as the tool counts them: each ends at LF), in order, and the characters it inserted.
Lines outside the runs were in the file before the write, whether or not the episode knew that text.

`head_text`, on the first step of the episode to give the file's text: whether that text is the file's in
the commit the header's `head_at_start` names (schemas/steps/base.py, `HeadText`).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import msgspec

from schemas.compiled import compile_module
from schemas.steps.base import HeadText, RelPath, Sha256Hex, StepBase, Text
from schemas.steps.edit import OriginDetail

LINK_TARGET_MAX = 4096  # PATH_MAX: no link holds a longer target
MAX_RUNS = 10_000
LineRun = Annotated[list[Annotated[int, msgspec.Meta(ge=0)]], msgspec.Meta(min_length=4, max_length=4)]


class FileChangeStep(StepBase, tag="file_change", frozen=True, kw_only=True):
    kind: ClassVar[Literal["file_change"]] = "file_change"
    path: RelPath
    change: Literal["created", "modified", "deleted", "renamed"]
    new_path: RelPath | None = None
    text: Text | None = None
    head_text: HeadText | None = None
    sha256: Sha256Hex | None = None
    size: int | None = None
    omitted: Literal["binary", "too_large"] | None = None
    link: Annotated[str, msgspec.Meta(min_length=1, max_length=LINK_TARGET_MAX)] | None = None
    origin: Literal["external", "agent", "format"] | None = None
    origin_detail: OriginDetail | None = None
    changed_lines: Annotated[list[LineRun], msgspec.Meta(max_length=MAX_RUNS)] | None = None
    changed_chars: Annotated[int, msgspec.Meta(ge=0)] | None = None


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
