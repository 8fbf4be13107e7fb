"""Writing episodes: header, step chunks, keyframes, trailer. Used by sealing, trimming, signing and the
test fixtures."""

from __future__ import annotations

import functools
import hashlib
import struct
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

import msgpack

from collector.atomic import atomic_file
from collector.episode.chunk import encode_chunk
from collector.episode.container import (
    HEADER,
    KEYFRAME,
    MAGIC,
    OPTIONAL,
    READ_VERSION,
    STEPS,
    TRAILER,
    TRAILER_PAYLOAD,
    WRITE_VERSION,
    compress,
    encode_frame,
)
from collector.episode.keyframe import MAX_KEYFRAME, Chain, FileStates
from collector.episode.ordered import OrderedFrames
from collector.episode.outline import chunk_texts
from collector.errors import EpisodeError, ReconstructionError
from schemas import STEP_KINDS, EpisodeHeader, Step, step_from_dict
from schemas.common import checked
from schemas.steps import EditStep, StepError

CHUNK_STEPS = 8192
CHUNK_TEXT = 4 * 1024 * 1024
DEFAULT_LEVEL = 19


class EpisodeWriter:
    """Streams an episode to a binary file: `add` steps in time order, then `close` to seal it.

    Given `states` (a fresh `collector.reconstruct.keyframe_states`), it replays the steps as they come
    and writes a keyframe after every steps frame it cuts because the frame is full (`chunk_steps` steps
    or CHUNK_TEXT characters of text), so a reader never replays more than one frame's worth of steps.
    A step that does not replay, a step of a kind this codetape does not know, or files too large for
    the states' memory cap end the keyframes for the rest of the file; the steps are written all the same.

    Frames are compressed on a background thread (`ordered.OrderedFrames`) while the next steps come;
    the bytes are the same as compressing in line. `close` (or `abandon`, giving the file up) ends it.
    """

    def __init__(self, out: BinaryIO, header: EpisodeHeader, *, level: int = DEFAULT_LEVEL,
                 states: FileStates | None = None, chunk_steps: int = CHUNK_STEPS) -> None:
        self._out = out
        self._header = header
        self._level = level
        self._hash = hashlib.sha256()
        self._pending: list[Step | dict[str, Any]] = []  # a dict: of a kind this codetape does not know
        self._pending_text = 0
        self._last_t = 0
        self._chunk_steps = chunk_steps
        self._states = states
        self._chain = Chain() if states is not None else None
        self.step_count = 0
        self.keyframe_count = 0
        self._frames = OrderedFrames(self._write)
        self._emit(MAGIC + struct.pack(">HH", READ_VERSION, WRITE_VERSION))
        self._frame(HEADER, compress(msgpack.packb(checked(header)), level))

    def _emit(self, data: bytes) -> None:
        self._frames.put(data)

    def _write(self, data: bytes) -> None:
        self._hash.update(data)
        self._out.write(data)

    def _compressed(self, frame_type: int, compressing: Callable[[], bytes], flags: int = 0) -> None:
        """A frame whose payload `compressing` makes, on the background thread."""
        self._frames.compress(functools.partial(_framed, frame_type, compressing, flags))

    def _frame(self, frame_type: int, payload: bytes, flags: int = 0) -> None:
        self._emit(encode_frame(frame_type, payload, flags))

    def add(self, step: Step) -> None:
        self._append(step.t_ms, step, step)

    def add_dict(self, data: dict[str, Any]) -> None:
        """Add a step in its plain form: one of a known kind as its struct, any other (one this codetape does
        not know, or cannot read) written as it is."""
        step = None
        if data.get("kind") in STEP_KINDS:
            try:
                step = step_from_dict(data)
            except StepError:
                step = None
        self._append(data["t_ms"], data if step is None else step, step)

    def _append(self, t_ms: int, written: Step | dict[str, Any], step: Step | None) -> None:
        if t_ms < self._last_t:
            raise EpisodeError(f"step at {t_ms} ms comes after one at {self._last_t} ms")
        if self._states is not None:
            try:
                if step is None:  # what it does to the files is unknown here
                    raise ReconstructionError("a step of a kind this codetape does not know")
                self._states.apply(step)
            except ReconstructionError:
                self._states = self._chain = None
        self._last_t = t_ms
        self._pending.append(written)
        self.step_count += 1
        self._pending_text += _text_size(written)
        if len(self._pending) >= self._chunk_steps or self._pending_text >= CHUNK_TEXT:
            self._flush()
            self._keyframe()

    def extend(self, steps: Iterable[Step]) -> None:
        for step in steps:
            self.add(step)

    def _flush(self) -> None:
        if not self._pending:
            return
        chunk = encode_chunk(self._pending, self._header.position_encoding)
        packed = msgpack.packb(chunk, use_bin_type=True)
        self._compressed(STEPS, functools.partial(compress, packed, self._level))
        if self._chain is not None:
            self._chain.add_steps(chunk_texts(chunk))
        self._pending = []
        self._pending_text = 0

    def _keyframe(self) -> None:
        """A keyframe of the files after every step written so far (none when it would be too large)."""
        if self._states is None or self._chain is None:
            return
        payload = self._states.keyframe(self.step_count).pack()
        if len(payload) <= MAX_KEYFRAME:
            self._compressed(KEYFRAME, self._chain.compressing(payload, self._level), OPTIONAL)
            self.keyframe_count += 1

    def add_frame(self, frame_type: int, payload: bytes, flags: int) -> None:
        """An extra frame (such as consent) after the steps written so far."""
        self._flush()
        self._frame(frame_type, payload, flags)

    def close(self) -> bytes:
        """Write the trailer; returns the SHA-256 it holds."""
        self._flush()
        self._frames.close()
        digest = self._hash.digest()
        self._out.write(encode_frame(TRAILER, TRAILER_PAYLOAD.pack(self.step_count, digest)))
        return digest

    def abandon(self) -> None:
        """Give the file up: end the background compression without writing what waits."""
        self._frames.abandon()


def _framed(frame_type: int, compressing: Callable[[], bytes], flags: int) -> bytes:
    return encode_frame(frame_type, compressing(), flags)


def _text_size(step: Step | dict[str, Any]) -> int:
    if type(step) is EditStep:
        return sum(len(change.text) for change in step.changes)
    text = step.get("text") if type(step) is dict else getattr(step, "text", None)
    return len(text) if isinstance(text, str) else 0


def write_episode_file(path: Path, header: EpisodeHeader, steps: Iterable[Step], *,
                       level: int = DEFAULT_LEVEL, states: FileStates | None = None,
                       chunk_steps: int = CHUNK_STEPS) -> int:
    """Write an episode atomically (collector.atomic); returns the step count. With `states`, keyframes
    are written from them (see EpisodeWriter)."""
    with atomic_file(path) as staged:
        writer = EpisodeWriter(staged.file, header, level=level, states=states, chunk_steps=chunk_steps)
        try:
            writer.extend(steps)
            writer.close()
        finally:
            writer.abandon()
    return writer.step_count
