"""The workspace at a step from the latest keyframe before it, instead of from the first step.

    keyframe_states(encoding)        the Workspace an episode writer keeps its keyframes with
    latest_keyframe(episode, steps)  the last keyframe that follows at most `steps` steps
    workspace_after(episode, stop)   the files after step `stop`: that keyframe's, then the steps after it

Checkout and the player read keyframes as the file gives them (they are inside the trailer's hash and
any signature); `codetape verify` is what checks each of them against a full replay.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from collector.episode import Episode
from collector.episode.keyframe import Placed, read_keyframes
from collector.reconstruct.workspace import Workspace, workspace_at
from schemas import Step
from schemas.common import PositionEncoding

KEYFRAME_STATES_LIMIT = 64 << 20  # files larger than this in memory get no more keyframes (steps go on)
Track = Callable[[Iterator[Step], int], Iterable[Step]]  # wraps the steps replayed, given how many


def keyframe_states(encoding: PositionEncoding) -> Workspace:
    """A fresh workspace for `EpisodeWriter(states=...)`, with a lower memory cap than a reader's."""
    return Workspace(encoding, limit=KEYFRAME_STATES_LIMIT)


def latest_keyframe(episode: Episode, steps: int) -> Placed | None:
    """The last keyframe of `episode` that follows at most `steps` steps, or None."""
    found = None
    if episode.keyframe_count:
        for placed in read_keyframes(episode.frames()):
            if placed.keyframe.steps > steps:
                break
            found = placed
    return found


def workspace_after(episode: Episode, stop: int | None = None, track: Track | None = None) -> Workspace:
    """The files after step `stop` (0-based over the steps `codetape cat` prints; default: the last),
    restored from the latest keyframe at or before it and replayed from there."""
    encoding = episode.header.position_encoding
    placed = latest_keyframe(episode, episode.step_count if stop is None else stop + 1)
    if placed is None:
        start, chunk, first = Workspace(encoding), 0, 0
    else:
        start = Workspace.from_keyframe(placed.keyframe, encoding)
        chunk, first = placed.chunk, placed.keyframe.steps
    if stop is not None and stop < first:
        return start  # the keyframe stands right after `stop`
    steps: Iterable[Step] = episode.steps(chunk)
    if track is not None:
        steps = track(iter(steps), (episode.step_count if stop is None else stop + 1) - first)
    return workspace_at(encoding, steps, stop, start=start, first=first)
