"""The episode file: container, step chunks, keyframes, writer, and one reader per format version.

The names below load on first use (PEP 562), like `schemas`' own: the reader and the writer load the
header and step models, which `codetape episodes` (`listing.py`, over `layout.py` and `outline.py`)
does without.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collector.episode.limits import Limits
    from collector.episode.reader_v1 import Episode
    from collector.episode.writer import EpisodeWriter, write_episode_file

_HOME = {"Episode": "collector.episode.reader_v1", "EpisodeWriter": "collector.episode.writer",
         "write_episode_file": "collector.episode.writer"}


def open_episode(path: Path, limits: Limits | None = None) -> Episode:
    """Open with the newest reader, within `limits` (collector/episode/limits.py; a reader's own when
    None); the container's read_version check refuses what none can read."""
    # the reader and its step structs load on the first episode opened: not for `--help` or `status`
    from collector.episode import reader_v1
    from collector.episode.limits import READER

    readers = {reader_v1.VERSION: reader_v1.open_episode}
    return readers[max(readers)](path, READER if limits is None else limits)


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'collector.episode' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = ["Episode", "EpisodeWriter", "open_episode", "write_episode_file"]
