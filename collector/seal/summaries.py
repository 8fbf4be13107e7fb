"""The redaction summary kept beside each sealed episode as `<episode id>.redactions.json` (0600): the
masked previews the review shows, which the episode itself must not carry."""

from __future__ import annotations

import json
from pathlib import Path

from collector.atomic import atomic_write
from collector.redact.placeholders import RedactionSummary

SUFFIX = ".redactions.json"


def summary_path(episode: Path) -> Path:
    """Where the redaction summary of an episode file is kept."""
    return episode.with_name(episode.name.removesuffix(".ctape") + SUFFIX)


def write_summary(path: Path, summary: RedactionSummary) -> None:
    """Keep `summary` (0600) at `path`, replaced atomically."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write(path, json.dumps(summary.to_dict(), ensure_ascii=False, indent=1))


def read_summary(episode: Path) -> RedactionSummary | None:
    """The redaction summary written when `episode` was sealed; None when there is none."""
    try:
        data = json.loads(summary_path(episode).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return RedactionSummary.from_dict(data) if isinstance(data, dict) else None
