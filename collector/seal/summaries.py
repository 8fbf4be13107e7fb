"""What is kept beside each sealed episode as `<episode id>.redactions.json` (0600), because the episode
itself must not carry it: the redaction summary (the masked previews the review shows) and the
workspace's capture exclusions.

The exclusion globs (`exclude` in `.codetape.toml`) can name what they hide (`acme-merger/`): the
journal's header holds them, the sealed episode's header never does (`published_header`), and signing
binds them from here into the consent statement as a keyed hash (collector/consent/exclusions.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from msgspec.structs import replace

from collector.atomic import atomic_write
from collector.redact.placeholders import RedactionSummary
from schemas import EpisodeHeader

SUFFIX = ".redactions.json"
CAPTURE_EXCLUDE = "capture_exclude"


def summary_path(episode: Path) -> Path:
    """Where the redaction summary of an episode file is kept."""
    return episode.with_name(episode.name.removesuffix(".ctape") + SUFFIX)


def published_header(header: EpisodeHeader) -> EpisodeHeader:
    """The header an episode is written with: without the workspace's capture exclusions."""
    if not header.capture.exclude:
        return header
    return replace(header, capture=replace(header.capture, exclude=[]))


def write_summary(path: Path, summary: RedactionSummary, capture_exclude: Iterable[str] = ()) -> None:
    """Keep `summary` and the episode's `capture_exclude` globs (0600) at `path`, replaced atomically."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = {**summary.to_dict(), CAPTURE_EXCLUDE: list(capture_exclude)}
    atomic_write(path, json.dumps(data, ensure_ascii=False, indent=1))


def read_summary(episode: Path) -> RedactionSummary | None:
    """The redaction summary written when `episode` was sealed; None when there is none."""
    data = _read(episode)
    return None if data is None else RedactionSummary.from_dict(data)


def read_capture_exclude(episode: Path) -> list[str]:
    """The workspace's capture exclusions kept when `episode` was sealed (none when nothing was kept)."""
    globs = (_read(episode) or {}).get(CAPTURE_EXCLUDE)
    return [glob for glob in globs if isinstance(glob, str)] if isinstance(globs, list) else []


def _read(episode: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(summary_path(episode).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
