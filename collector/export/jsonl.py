"""`jsonl`: `<episode id>.jsonl`, the header's JSON on the first line, then every step as `codetape cat`
prints it (the same serialisation, collector/episode/lines.py)."""

from __future__ import annotations

from collector.episode import Episode
from collector.episode.lines import header_line, step_line
from collector.export.allowance import Allowance, Writes
from collector.export.per_episode import PerEpisode


class JsonlExporter(PerEpisode):

    def write(self, out: Writes, episode: Episode, allowance: Allowance) -> int:
        out.write(header_line(episode.header))
        lines = 1
        for step in episode.steps():
            out.write(step_line(step))
            lines += 1
        return lines
