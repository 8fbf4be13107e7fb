"""`jsonl`: `<episode id>.jsonl`, the header's JSON on the first line, then every step as `codetape cat`
prints it (the same serialisation, collector/episode/lines.py)."""

from __future__ import annotations

from collector.episode import Episode
from collector.episode.lines import header_line, step_line
from collector.export.allowance import Allowance, Writes
from collector.export.per_episode import Following
from collector.reconstruct.workspace import Workspace
from schemas import Step


class JsonlExporter(Following):

    def follower(self, out: Writes, episode: Episode, allowance: Allowance) -> Lines:
        return Lines(out, episode)

    def write(self, out: Writes, episode: Episode, allowance: Allowance) -> int:
        """Alone, without a replay: the steps as they are read (an episode whose steps do not replay is
        written too)."""
        follower = Lines(out, episode)
        for step in episode.steps():
            follower.add(step)
        return follower.lines


class Lines:
    """The header line at once, then a line per step as the replay reaches it."""

    def __init__(self, out: Writes, episode: Episode) -> None:
        self.out = out
        out.write(header_line(episode.header))
        self.lines = 1

    def before(self, index: int, step: Step, workspace: Workspace) -> None:
        self.add(step)

    def add(self, step: Step) -> None:
        self.out.write(step_line(step))
        self.lines += 1

    def after(self, index: int, step: Step, workspace: Workspace) -> None:
        return None

    def finish(self, workspace: Workspace) -> int:
        return self.lines
