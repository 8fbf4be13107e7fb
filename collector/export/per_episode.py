"""Formats that write one file per episode, `<episode id><suffix>` in the export's directory, atomically:
a file is whole or absent, and replaces an older one of the same name only once it is complete."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import BinaryIO

from collector.atomic import atomic_file
from collector.episode import Episode
from collector.export.result import ExportResult


class PerEpisode(ABC):
    def __init__(self, out_dir: Path, result: ExportResult, suffix: str) -> None:
        self.out_dir = out_dir
        self.result = result
        self.suffix = suffix  # from the format's entry in FORMATS

    def add(self, episode: Episode) -> None:
        with atomic_file(self.out_dir / f"{episode.header.episode_id}{self.suffix}") as staged:
            self.result.records += self.write(staged.file, episode)
        self.result.files += 1

    @abstractmethod
    def write(self, out: BinaryIO, episode: Episode) -> int:
        """Write `episode` to `out`; returns how many records (lines, steps, examples) it wrote."""
