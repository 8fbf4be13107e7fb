"""`gap`: something was not recorded, and why. Nothing is ever lost silently.

When `state` is present the gap is also a state jump: after it, each listed file has exactly
that text (None: the file no longer exists), so reconstruction stays exact across the hole.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import msgspec

from schemas.steps.base import Millis, RelPath, ShortText, StepBase, Struct, Text

GapReason = Literal[
    "paused", "collector_unreachable", "recorder_behind", "watcher_overflow", "journal_corrupt",
    "dropped_by_review", "malformed_input", "unreadable_file", "other",
]


class FileState(Struct, frozen=True, kw_only=True):
    path: RelPath
    text: Text | None


class GapStep(StepBase, tag="gap", frozen=True, kw_only=True):
    kind: ClassVar[Literal["gap"]] = "gap"
    reason: GapReason
    detail: ShortText = ""
    until_ms: Millis | None = None
    lost_steps: int | None = None
    state: Annotated[list[FileState], msgspec.Meta(max_length=1_000_000)] | None = None
