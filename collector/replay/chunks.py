"""The step chunks and keyframes of an opened episode, for seeking (format version 1).

`Episode.steps()` reads every chunk from the first; seeking wants one chunk in the middle. Chunks are
independent (each starts its own carets and versions), so `episode_frames` keeps every steps frame's
and keyframe's compressed payload in memory (about the size of the file), `ChunkSteps` decodes any one
chunk, validating exactly as `Episode.steps()` does, and `Keyframes` gives the files a keyframe holds
before any chunk that has one.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator

from collector.episode import Episode
from collector.episode.chunk import edit_dict, iter_chunk
from collector.episode.container import (
    KEYFRAME,
    MAGIC,
    STEPS,
    EpisodeFrame,
    decompress,
    iter_frames,
    read_preamble,
)
from collector.episode.decoding import unpack
from collector.episode.keyframe import Placed, read_keyframes
from collector.errors import EpisodeError
from collector.text.validation import first_error
from schemas import STEP_KINDS, Step, StepError, step_from_dict
from schemas.common import PositionEncoding

PREAMBLE = len(MAGIC) + 4


def episode_frames(episode: Episode) -> list[EpisodeFrame]:
    """Every steps frame and keyframe of `episode`, in file order, read again and checked against the hash
    it was opened with."""
    hasher = hashlib.sha256()
    try:
        with open(episode.path, "rb") as stream:
            read_preamble(stream)
            stream.seek(0)
            hasher.update(stream.read(PREAMBLE))
            frames = [frame for frame in iter_frames(stream, hasher) if frame.type in (STEPS, KEYFRAME)]
    except OSError as exc:
        raise EpisodeError(f"cannot read {episode.path}: {exc.strerror}") from None
    if hasher.digest() != episode.sha256:
        raise EpisodeError(f"{episode.path} changed since it was opened; run the command again")
    return frames


class ChunkSteps:
    """The known steps of one chunk, validated, one at a time: only the chunk's columns and one step
    are in memory. Once iterated, `seen` (unknown kinds included), `last_t` and `skipped` say what it read;
    `seen_before` and `last_t` continue the checks across chunks."""

    def __init__(self, frame: EpisodeFrame, encoding: PositionEncoding, *, seen_before: int = 0,
                 last_t: int = 0) -> None:
        self.frame = frame
        self.encoding: PositionEncoding = encoding
        self.seen_before = seen_before
        self.seen = 0
        self.last_t = last_t
        self.skipped: Counter[str] = Counter()

    def __iter__(self) -> Iterator[Step]:
        frame = self.frame
        chunk = unpack(decompress(frame), f"steps frame at byte {frame.offset}")
        for data in iter_chunk(chunk, self.encoding, edit_dict):
            number = self.seen_before + self.seen
            self.seen += 1
            if data["t_ms"] < self.last_t:
                raise EpisodeError(f"step times go backwards in the steps frame at byte {frame.offset}")
            self.last_t = data["t_ms"]
            kind = data.get("kind")
            if kind not in STEP_KINDS:
                self.skipped[str(kind)] += 1
                continue
            try:
                step = step_from_dict(data)
            except StepError as exc:
                raise EpisodeError(f"step {number} ({kind}) is invalid: {first_error(exc)}") from None
            yield step  # outside the try: a generator closed at exit is not a validation error


class Keyframes:
    """The keyframes among an episode's frames, found by the steps frame they stand before (its number
    among the steps frames). Reading one means walking the compression chain from the first frame; the
    walk goes on from the last keyframe read when a later one is asked for, and starts again otherwise."""

    def __init__(self, frames: list[EpisodeFrame]) -> None:
        self._frames = frames
        self._walk: Iterator[Placed] = iter(())
        self._last: Placed | None = None
        self.before: set[int] = set()  # the steps frames that have a keyframe right before them
        steps = 0
        for frame in frames:
            if frame.type == STEPS:
                steps += 1
            else:
                self.before.add(steps)

    def at(self, chunk: int) -> Placed | None:
        """The keyframe right before steps frame number `chunk`, or None (none there, or not usable)."""
        if chunk not in self.before:
            return None
        if self._last is not None and self._last.chunk == chunk:
            return self._last
        if self._last is None or self._last.chunk > chunk:
            self._walk = read_keyframes(self._frames)
        for placed in self._walk:
            self._last = placed
            if placed.chunk >= chunk:
                return placed if placed.chunk == chunk else None
        self._last = None
        return None
