"""The episode header: what was recorded, where, with which editor, and under which settings."""

from __future__ import annotations

import uuid
from typing import Annotated, ClassVar, Literal

from msgspec import Meta, field

from schemas.common import Model, PositionEncoding, UtcTime, utc, whole
from schemas.compiled import compile_module

FORMAT_VERSION = 1
MAX_EDITORS = 64
ImportedFrom = Literal["claude-code", "codex"]  # the agents whose transcripts `codetape import` reads


class WorkspaceIdentity(Model, frozen=True, kw_only=True):
    root_name: Annotated[str, Meta(max_length=1024)]
    git_remote: Annotated[str, Meta(max_length=4096)] | None = None
    head_at_start: Annotated[str, Meta(pattern=whole(r"^[0-9a-f]{7,64}"))] | None = None


class ClientInfo(Model, frozen=True, kw_only=True):
    name: Annotated[str, Meta(max_length=256)]
    version: Annotated[str, Meta(max_length=256)] | None = None


class CaptureSettings(Model, frozen=True, kw_only=True):
    channels: Annotated[list[str], Meta(max_length=64)] = []
    exclude: Annotated[list[str], Meta(
        max_length=10_000, description="episodes sealed before the globs left the header: the workspace's "
        "capture exclusions. Writers leave it empty (the globs can name what they hide; the consent "
        "statement binds them as a keyed hash, `scope.excluded_sha256`)")] = []
    idle_timeout_s: int = 1800
    max_file_bytes: int = 2 * 1024 * 1024


class EpisodeHeader(Model, frozen=True, kw_only=True):
    OMITTED_WHEN_NONE: ClassVar[tuple[str, ...]] = ("editors", "imported")

    format_version: int = FORMAT_VERSION
    codetape_version: Annotated[str, Meta(max_length=64)]
    episode_id: uuid.UUID
    started_at: UtcTime
    workspace: WorkspaceIdentity
    position_encoding: PositionEncoding = "utf-16"
    client: ClientInfo | None = None
    editors: Annotated[list[ClientInfo], Meta(
        min_length=2, max_length=MAX_EDITORS, description="when more than one editor sent steps the "
        "episode records: each of them, in the order of their first such step (`client` is the first of "
        "them); absent when one did (`client`) or none (`client`: the first that connected, if one did)")] \
        | None = None
    capture: CaptureSettings = field(default_factory=CaptureSettings)
    imported: Annotated[ImportedFrom, Meta(
        description="the agent whose own transcript of a session this episode was made from (`codetape "
        "import`): nothing of it was recorded live, its steps are that agent's alone, their times the "
        "transcript's; absent in a recorded episode")] | None = None

    def __post_init__(self) -> None:
        utc("started_at", self.started_at)


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
