"""The header fields `codetape episodes` shows (id, workspace, start, the agent it was imported from), read
without the header model when plainly well formed.

A listing need not import msgspec and build `EpisodeHeader` for each row. A header whose shown fields are
each of the form the collector writes (a lowercase UUID, a UTC time in ISO form, a workspace name as the
model bounds it) is read here; anything else goes through `EpisodeHeader`, which reads the forms it
accepts and says what is wrong. A journal's header and an episode file's header are read alike
(tests/unit/episode/test_listing.py keeps the two ways in step).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from schemas import EpisodeHeader

PLAIN_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")  # as str(UUID)
# what `imported` may say: absent, or schemas.header's ImportedFrom (not imported here: it builds the
# header's models; tests/unit/episode/test_listing.py keeps the two in step)
IMPORTED: tuple[str | None, ...] = (None, "claude-code", "codex")
_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|\+00:00)$")


@dataclass(frozen=True)
class Shown:
    """The header fields a row shows."""

    episode_id: str
    root_name: str
    started_at: datetime
    imported: str | None = None  # the agent whose transcript it was made from (`codetape import`)

    @classmethod
    def of(cls, header: EpisodeHeader) -> Shown:
        return cls(str(header.episode_id), header.workspace.root_name, header.started_at, header.imported)


def shown_plainly(header: object) -> Shown | None:
    """The shown fields when each is plainly well formed (as the collector writes them); None sends the
    header through `EpisodeHeader`, which says what is wrong."""
    if not isinstance(header, dict):
        return None
    episode_id, started_at = header.get("episode_id"), header.get("started_at")
    workspace = header.get("workspace")
    root_name = workspace.get("root_name") if isinstance(workspace, dict) else None
    started = plain_utc(started_at)
    imported = header.get("imported")
    if not (isinstance(episode_id, str) and PLAIN_UUID.match(episode_id) and started is not None
            and isinstance(root_name, str) and len(root_name) <= 1024 and imported in IMPORTED):
        return None
    return Shown(episode_id, root_name, started, imported)  # the id: str(UUID(id))


def plain_utc(value: object) -> datetime | None:
    """A UTC time in the ISO form codetape writes (`Z` or `+00:00`, up to microseconds); None otherwise."""
    if not (isinstance(value, str) and _UTC.match(value)):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:  # a day or an hour out of range
        return None


def shown(header: dict[str, Any]) -> Shown:
    """The shown fields, plainly when they are well formed, else through `EpisodeHeader` (which raises
    msgspec.ValidationError saying what is wrong, or reads a form the plain check does not)."""
    if (plain := shown_plainly(header)) is not None:
        return plain
    # the header's struct only for a header the plain check does not take
    from schemas import EpisodeHeader
    from schemas.common import validated

    return Shown.of(validated(header, EpisodeHeader))
