"""Formats that write one file per episode, `<episode id><suffix>` in the export's directory, atomically:
a file is whole or absent, and replaces an older one of the same name only once it is complete. What an
episode may make its file take, and its diffs cost, is its Allowance (allowance.py).

Most formats are `Following`: what they write follows a replay of the episode (follow.py), so a dataset
build feeds them its own replay, the one that builds its rows, and `codetape export` one of their own;
the same follower writes the same bytes either way."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path

from collector.atomic import atomic_file
from collector.episode import Episode
from collector.export.allowance import Allowance, Capped, Writes
from collector.export.follow import Follower, follow
from collector.export.result import ExportResult


class PerEpisode(ABC):
    def __init__(self, out_dir: Path, result: ExportResult, suffix: str) -> None:
        self.out_dir = out_dir
        self.result = result
        self.suffix = suffix  # from the format's entry in FORMATS

    def add(self, episode: Episode) -> None:
        allowance = Allowance.of(episode)
        with atomic_file(self.out_dir / f"{episode.header.episode_id}{self.suffix}") as staged:
            self.result.records += self.write(Capped(staged.file, allowance), episode, allowance)
        self.result.files += 1
        self.result.coarse_diffs += allowance.diffs.coarse

    @abstractmethod
    def write(self, out: Writes, episode: Episode, allowance: Allowance) -> int:
        """Write `episode` to `out` (its bursts' diffs spending `allowance.diffs`); returns how many records
        (lines, steps, examples) it wrote."""


class Following(PerEpisode):
    """A format whose file is written by a follower of the episode's replay (follow.py)."""

    def write(self, out: Writes, episode: Episode, allowance: Allowance) -> int:
        return follow(episode, [self.follower(out, episode, allowance)])[0]

    @abstractmethod
    def follower(self, out: Writes, episode: Episode, allowance: Allowance) -> Follower:
        """What writes `episode` to `out` as its replay goes (its diffs spending `allowance.diffs`)."""
