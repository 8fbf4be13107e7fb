"""Which opted-in workspace a path belongs to: the nearest folder holding `.codetape.toml`."""

from __future__ import annotations

from pathlib import Path

from schemas.settings import SETTINGS_FILE


def find_workspace(path: Path) -> Path | None:
    """The nearest ancestor of `path` (or `path` itself) holding `.codetape.toml`, resolved."""
    current = path.expanduser().resolve()
    for candidate in (current, *current.parents):
        if (candidate / SETTINGS_FILE).is_file():
            return candidate
    return None
