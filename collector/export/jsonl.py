"""`jsonl`: `<episode id>.jsonl`, the header's JSON on the first line, then every step as `codetape cat`
prints it (the same serialisation, collector/episode/lines.py)."""

from __future__ import annotations

from pathlib import Path

from collector.atomic import atomic_file
from collector.episode import Episode
from collector.episode.lines import header_line, step_line
from collector.export.result import ExportResult


class JsonlExporter:
    suffix = ".jsonl"

    def __init__(self, out_dir: Path, result: ExportResult) -> None:
        self.out_dir = out_dir
        self.result = result

    def add(self, episode: Episode) -> None:
        lines = 1
        with atomic_file(self.out_dir / f"{episode.header.episode_id}{self.suffix}") as staged:
            staged.file.write(header_line(episode.header))
            for step in episode.steps():
                staged.file.write(step_line(step))
                lines += 1
        self.result.files += 1
        self.result.records += lines
