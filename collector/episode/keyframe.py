"""Keyframes: every file as it stands after a steps frame, so a reader can start there instead of at the
first step (schemas/EPISODE_FORMAT.md, "Keyframes").

A keyframe holds the editor buffers, the texts known to be on disk, the files on disk recorded without
content and the links on disk (their targets), exactly what a replay holds at that point
(`collector.reconstruct.Workspace`). It is derived from the steps and adds nothing to them, so it is
compressed against what the reader already has: the previous keyframe and the texts of the steps frames
since (`Chain`). Unchanged files then cost a few
bytes, and the text typed since is found in the steps' own texts: a keyframe costs about a third of a
percent of the file per 8,192 steps instead of a full copy of the workspace.

Readers never take a keyframe on trust where it matters: `codetape verify` (and signing, which runs it)
replays the steps and compares every keyframe with the state it reaches, and a reader that skipped a
step of a kind it does not know uses no keyframe after it (the step may have changed files).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgpack

from collector.episode.budget import MAX_DECODED
from collector.episode.container import KEYFRAME, MAX_DECOMPRESSED, STEPS, EpisodeFrame, compress, decompress
from collector.episode.decoding import unpack
from collector.episode.limits import READER, Limits
from collector.episode.outline import outline
from collector.errors import EpisodeError
from schemas import STEP_KINDS, Step

MAX_DICTIONARY = 8 << 20  # the raw content a keyframe is compressed against: its last bytes only
MAX_KEYFRAME = 16 << 20  # a writer keeps no keyframe larger than this, packed (a reader's cap is the frame's)
SLOW_LEVEL_UP_TO = 2 << 20  # a keyframe and its dictionary up to this size get the writer's level, above it 9
OMITTED_REASONS = ("binary", "too_large")


@dataclass(frozen=True)
class Keyframe:
    """The files after the first `steps` steps of the file (steps of every kind counted)."""

    steps: int
    buffers: dict[str, str]  # documents open in the editor: path -> text
    disk: dict[str, str]  # files on disk whose text is known: path -> text
    omitted: dict[str, str]  # files on disk recorded without content: path -> reason
    links: dict[str, str] = field(default_factory=dict)  # links on disk: path -> target

    def pack(self) -> bytes:
        """The msgpack map stored (a disk text equal to its buffer's is stored as nil; `l` only when there
        are links, so a keyframe without any is the same bytes as before links were recorded)."""
        disk = {path: None if self.buffers.get(path) == text else text for path, text in self.disk.items()}
        data = {"n": self.steps, "b": self.buffers, "d": disk, "o": self.omitted}
        if self.links:
            data["l"] = self.links
        packed: bytes = msgpack.packb(data)
        return packed

    @classmethod
    def unpack(cls, payload: bytes, what: str, budget: int = MAX_DECODED) -> Keyframe:
        """A keyframe from its msgpack map; EpisodeError naming what is wrong with it."""
        data = unpack(payload, what, budget)
        if not isinstance(data, dict):
            raise EpisodeError(f"{what} is not a map")
        steps, buffers, disk, omitted = (data.get(key) for key in ("n", "b", "d", "o"))
        links = data.get("l", {})
        if not isinstance(steps, int) or steps < 1:
            raise EpisodeError(f"{what} does not say how many steps come before it")
        if not _texts(buffers) or not _texts(omitted) or not _texts(disk, nil=True) or not _texts(links):
            raise EpisodeError(f"{what} holds a path or text that is not a string")
        assert isinstance(buffers, dict) and isinstance(disk, dict) and isinstance(omitted, dict)
        assert isinstance(links, dict)
        for path, text in disk.items():
            if text is None:
                if path not in buffers:
                    raise EpisodeError(f"{what} says the disk holds the buffer of a file that is not open")
                disk[path] = buffers[path]
        if any(reason not in OMITTED_REASONS for reason in omitted.values()) or omitted.keys() & disk.keys():
            raise EpisodeError(f"{what} lists an omitted file wrongly")
        if links.keys() & (disk.keys() | omitted.keys()) or not all(links.values()):
            raise EpisodeError(f"{what} lists a link wrongly")
        return cls(steps, buffers, disk, omitted, links)


def _texts(value: Any, *, nil: bool = False) -> bool:
    if not isinstance(value, dict):
        return False
    return all(isinstance(key, str) and (isinstance(text, str) or (nil and text is None))
               for key, text in value.items())


class Chain:
    """The raw content each keyframe is compressed against: the previous keyframe's payload, then the
    texts (`outline.chunk_texts`) of every steps frame after it (from the first one when there is none),
    of which the last MAX_DICTIONARY bytes. Writer and reader feed it the same frames in the same order."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._size = 0

    def add_steps(self, texts: bytes) -> None:
        """A steps frame's texts, as written or read."""
        self._parts.append(texts)
        self._size += len(texts)
        while self._parts and self._size - len(self._parts[0]) >= MAX_DICTIONARY:
            self._size -= len(self._parts.pop(0))

    def dictionary(self) -> bytes:
        return b"".join(self._parts)[-MAX_DICTIONARY:]

    def compress(self, payload: bytes, level: int) -> bytes:
        """A keyframe's frame payload (the chain then goes on from this keyframe)."""
        return self.compressing(payload, level)()

    def compressing(self, payload: bytes, level: int) -> Callable[[], bytes]:
        """What makes a keyframe's frame payload, to run later on any thread; the chain goes on from this
        keyframe at once."""
        dictionary = self.dictionary()
        if len(dictionary) + len(payload) > SLOW_LEVEL_UP_TO:
            level = min(level, 9)  # the strongest levels take seconds on megabytes
        self._restart(payload)
        return functools.partial(compress, payload, level, dictionary)

    def decompress(self, frame: EpisodeFrame, limit: int = MAX_DECOMPRESSED) -> bytes:
        """A keyframe's payload from its frame (the chain then goes on from this keyframe)."""
        payload = decompress(frame, self.dictionary(), limit=limit)
        self._restart(payload)
        return payload

    def _restart(self, payload: bytes) -> None:
        self._parts, self._size = [payload], len(payload)


class FileStates(Protocol):
    """What the writer keeps keyframes with: collector.reconstruct's Workspace, which replays every step
    (ReconstructionError when one does not apply: the writer then writes no more keyframes)."""

    def apply(self, step: Step) -> None: ...

    def keyframe(self, steps: int) -> Keyframe: ...


@dataclass(frozen=True)
class Placed:
    """A keyframe read from a file and where it stands: after the first `chunk` steps frames."""

    chunk: int
    offset: int
    keyframe: Keyframe


def read_keyframes(frames: Iterable[EpisodeFrame], known: frozenset[str] | set[str] = STEP_KINDS,
                   limits: Limits = READER) -> Iterator[Placed]:
    """The keyframes among an episode's steps frames and keyframes (in file order), decoded within
    `limits` and placed.

    Stops before the first keyframe that follows a step whose kind is not in `known`: what that step did
    to the files is unknown to this reader. EpisodeError when a keyframe is malformed, placed before any
    steps, or counts the steps before it differently from the steps frames.
    """
    chain = Chain()
    chunks = steps = 0
    for frame in frames:
        if frame.type == STEPS:
            what = f"steps frame at byte {frame.offset}"
            shape = outline(decompress(frame, limit=limits.decompressed), what)
            chain.add_steps(shape.texts)
            chunks, steps = chunks + 1, steps + shape.count
            if shape.unknown(known):
                return
        elif frame.type == KEYFRAME:
            what = f"keyframe at byte {frame.offset}"
            keyframe = Keyframe.unpack(chain.decompress(frame, limits.decompressed), what, limits.decoded)
            if keyframe.steps != steps:
                raise EpisodeError(f"{what} says it follows {keyframe.steps} steps, but {steps} come "
                                   "before it")
            yield Placed(chunks, frame.offset, keyframe)
