"""The episode file: container, step chunks, keyframes, writer, and one reader per format version."""

from __future__ import annotations

from pathlib import Path

from collector.episode import reader_v1
from collector.episode.reader_v1 import Episode
from collector.episode.writer import EpisodeWriter, write_episode_file

READERS = {reader_v1.VERSION: reader_v1.open_episode}


def open_episode(path: Path) -> Episode:
    """Open with the newest reader; the container's read_version check refuses what none can read."""
    return READERS[max(READERS)](path)


__all__ = ["Episode", "EpisodeWriter", "open_episode", "write_episode_file"]
