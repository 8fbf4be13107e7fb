"""`gap`: something was not recorded, and why. Nothing is ever lost silently.

When `state` is present the gap is also a state jump: after it, each listed file has exactly
that text (None: the file no longer exists), so reconstruction stays exact across the hole.

A `resync` is the bridge's own correction: its copy of a document disagreed with the editor's (a save's
text, the file on disk after a save, versions that arrived out of order or not at all, positions counted
in another encoding than the one negotiated), so the edits before it do not make the text the editor
has. Its `state` holds the true text, its `detail` why it was needed; replay, verify, checkout, the
dataset and every export take it as the new state of the file, and `codetape verify` lists each one.

A `snapshot` is the repository at the episode's start (opt-in: `snapshot = "tracked"` in `.codetape.toml`):
the first step, at `t_ms` 0, its `state` the text of every git-tracked text file the workspace's rules let
through, its `detail` what was left out and why (binary, above the size cap, a link, past the snapshot's
own cap; excluded files are never named), each file's `at_head` whether that text was HEAD's. Its state is
what is on disk, not what an editor has open
(`on_disk_only`): reconstruction sets the disk layer only, so a file changed on disk later reads as changed.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import msgspec

from schemas.compiled import compile_module
from schemas.steps.base import Millis, RelPath, ShortText, StepBase, Struct, Text

GapReason = Literal[
    "paused", "collector_unreachable", "recorder_behind", "watcher_overflow", "journal_corrupt",
    "dropped_by_review", "malformed_input", "unreadable_file", "resync", "snapshot", "other",
]


class FileState(Struct, frozen=True, kw_only=True):
    path: RelPath
    text: Text | None
    # A snapshot's only: whether the text on disk was HEAD's (its git blob id the one HEAD's tree holds for
    # the path) when the snapshot was taken; absent: not known (every other gap, an older snapshot).
    at_head: bool | None = None


class GapStep(StepBase, tag="gap", frozen=True, kw_only=True):
    kind: ClassVar[Literal["gap"]] = "gap"
    reason: GapReason
    detail: ShortText = ""
    until_ms: Millis | None = None
    lost_steps: int | None = None
    state: Annotated[list[FileState], msgspec.Meta(max_length=1_000_000)] | None = None

    @property
    def on_disk_only(self) -> bool:
        """Whether the state is files on disk that no editor has open (a snapshot), rather than the
        documents an editor holds after a hole or a resync (on disk too)."""
        return self.reason == "snapshot"


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
