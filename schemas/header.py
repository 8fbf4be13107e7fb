"""The episode header: what was recorded, where, with which editor, and under which settings."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import Field, field_validator

from schemas.common import Model, PositionEncoding

FORMAT_VERSION = 1


class WorkspaceIdentity(Model):
    root_name: str = Field(max_length=1024)
    git_remote: str | None = Field(default=None, max_length=4096)
    head_at_start: str | None = Field(default=None, pattern=r"^[0-9a-f]{7,64}$")


class ClientInfo(Model):
    name: str = Field(max_length=256)
    version: str | None = Field(default=None, max_length=256)


class CaptureSettings(Model):
    channels: Annotated[list[str], Field(max_length=64)] = []
    exclude: Annotated[list[str], Field(max_length=10_000)] = Field(
        default=[], description="episodes sealed before the globs left the header: the workspace's capture "
        "exclusions. Writers leave it empty (the globs can name what they hide; the consent statement binds "
        "them as a keyed hash, `scope.excluded_sha256`)")
    idle_timeout_s: int = 1800
    max_file_bytes: int = 2 * 1024 * 1024


class EpisodeHeader(Model):
    format_version: int = FORMAT_VERSION
    codetape_version: str = Field(max_length=64)
    episode_id: uuid.UUID
    started_at: datetime
    workspace: WorkspaceIdentity
    position_encoding: PositionEncoding = "utf-16"
    client: ClientInfo | None = None
    capture: CaptureSettings = CaptureSettings()

    @field_validator("started_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.utcoffset() != timedelta(0):
            raise ValueError("started_at must be a timezone-aware UTC time")
        return value
