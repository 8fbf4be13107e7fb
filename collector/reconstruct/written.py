"""Whose work an episode is, with the writes to disk counted against the text they replaced.

A write to disk outside the editor (an agent's, a program's: a `file_change` with text) counts the
characters it inserted over the file's text on disk just before it (collector/episode/disk_writes.py),
which only a replay knows: `on_disk` reads it from the workspace before the step is applied.
`summarize_replayed` is `summarize` with that replay, for what shows whose work (the review's summary); a
step that does not replay ends the replay, and every later write counts whole.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from collector.episode import Episode
from collector.episode.summary import Summary, summarize
from collector.errors import ReconstructionError
from collector.reconstruct.workspace import Workspace
from schemas import Step
from schemas.steps import FileChangeStep


def on_disk(step: Step, workspace: Workspace | None) -> str | None:
    """A file_change's file as it is on disk in `workspace` (before the step is applied); None for any
    other step, a file not on disk, or no workspace."""
    if workspace is None or type(step) is not FileChangeStep:
        return None
    return workspace.disk.get(step.path)


def summarize_replayed(episode: Episode, steps: Iterable[Step] | None = None) -> Summary:
    """`summarize(episode, steps)`, each write to disk counted against the text it replaced."""
    summary = summarize(episode, ())
    workspace: Workspace | None = Workspace(episode.header.position_encoding)
    for step in episode.steps() if steps is None else steps:
        summary.add(step, on_disk(step, workspace))
        if workspace is not None:
            try:
                workspace.apply(step)
            except ReconstructionError:
                workspace = None  # (the writes after it count whole)
    summary.skipped = Counter(episode.skipped)
    return summary
