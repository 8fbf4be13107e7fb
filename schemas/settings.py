"""`.codetape.toml`: a workspace's opt-in and what may be recorded in it.

The file's presence opts the workspace in; every field has a safe default, so an empty file is valid.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from schemas.common import Model

Channel = Literal["edits", "diagnostics", "tests", "commands", "git", "files"]
ALL_CHANNELS: tuple[Channel, ...] = ("edits", "diagnostics", "tests", "commands", "git", "files")

# Which channel each step kind belongs to; kinds not listed (note, task, gap, redaction) always record.
CHANNEL_OF_KIND: dict[str, Channel] = {
    "open": "edits", "close": "edits", "edit": "edits", "save": "edits", "cursor": "edits",
    "diagnostics": "diagnostics", "test_run": "tests", "command": "commands", "git": "git",
    "file_change": "files",
}

SETTINGS_FILE = ".codetape.toml"
Glob = Annotated[str, Field(min_length=1, max_length=4096)]


class WorkspaceSettings(Model):
    """The validated content of one `.codetape.toml`."""

    channels: Annotated[list[Channel], Field(max_length=len(ALL_CHANNELS))] = list(ALL_CHANNELS)
    exclude: Annotated[list[Glob], Field(max_length=10_000)] = []
    idle_timeout_s: Annotated[int, Field(ge=1, le=7 * 24 * 3600)] = 1800
    max_file_bytes: Annotated[int, Field(ge=0, le=64 * 1024 * 1024)] = 2 * 1024 * 1024

    @field_validator("exclude")
    @classmethod
    def _no_negation(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            if pattern.startswith("!"):
                raise ValueError(f"exclude pattern {pattern!r}: negation (!) is not supported")
        return patterns

    def records(self, kind: str) -> bool:
        """Whether steps of this kind are recorded under these channels."""
        channel = CHANNEL_OF_KIND.get(kind)
        return channel is None or channel in self.channels
