"""Exports that follow a replay: each told of every step before the replay applies it and after, so that one
replay of an episode feeds every format at once (the dataset build's, collector/dataset/engines/transform.py,
which builds its rows in the same pass) or one format alone (`follow`, what `codetape export` runs).

    Follower   before(index, step, workspace), after(index, step, workspace), finish(workspace) -> records
    Items      a Follower that sees the steps as edit bursts and singles (edits/base/bursts.py's Grouper),
               its own: each format groups with its own diff allowance, so what it writes does not depend
               on the other formats that share the replay
    follow     one episode replayed once for the followers given
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Protocol

from collector.episode import Episode
from collector.errors import ReconstructionError
from collector.export.edits.base.bursts import Grouper, Item
from collector.reconstruct.workspace import Workspace
from collector.text.linediff import DiffWork
from schemas import Step
from schemas.common import PositionEncoding


class Follower(Protocol):
    def before(self, index: int, step: Step, workspace: Workspace) -> None:
        """See a step before the replay applies it."""

    def after(self, index: int, step: Step, workspace: Workspace) -> None:
        """See a step once the replay applied it."""

    def finish(self, workspace: Workspace) -> int:
        """The steps have ended (`workspace` as the last left it): write what is held; the records written."""


class Items(ABC):
    """A follower seeing the episode as edit bursts and singles, in the episode's order
    (edits/base/bursts.py)."""

    def __init__(self, encoding: PositionEncoding, work: DiffWork | None) -> None:
        self.grouper = Grouper(encoding, work=work)

    def before(self, index: int, step: Step, workspace: Workspace) -> None:
        for item in self.grouper.before(index, step, workspace):
            self.item(item, workspace)

    def after(self, index: int, step: Step, workspace: Workspace) -> None:
        for item in self.grouper.after(index, step, workspace):
            self.item(item, workspace)

    def finish(self, workspace: Workspace) -> int:
        for item in self.grouper.finish(workspace):
            self.item(item, workspace)
        return self.end(workspace)

    @abstractmethod
    def item(self, item: Item, workspace: Workspace) -> None:
        """One burst or single, `workspace` as it is right after it."""

    @abstractmethod
    def end(self, workspace: Workspace) -> int:
        """The items have ended: write what is held; the records written."""


def follow(episode: Episode, followers: Sequence[Follower]) -> list[int]:
    """Replay `episode` once, every follower seeing each step before and after it is applied; the records
    each wrote. ReconstructionError names the step that does not replay."""
    workspace = Workspace(episode.header.position_encoding, limit=episode.limits.files)
    for index, step in enumerate(episode.steps()):
        for follower in followers:
            follower.before(index, step, workspace)
        try:
            workspace.apply(step)
        except ReconstructionError as exc:
            raise type(exc)(f"step {index}: {exc}") from None
        for follower in followers:
            follower.after(index, step, workspace)
    return [follower.finish(workspace) for follower in followers]
