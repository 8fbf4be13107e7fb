"""Writing episodes: header, step chunks, trailer. Used by sealing, signing and the test fixtures."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

import msgpack

from collector.atomic import atomic_file
from collector.episode.chunk import encode_chunk
from collector.episode.container import (
    HEADER,
    MAGIC,
    READ_VERSION,
    STEPS,
    TRAILER,
    TRAILER_PAYLOAD,
    WRITE_VERSION,
    compress,
    encode_frame,
)
from collector.errors import EpisodeError
from schemas import EpisodeHeader, Step, step_to_dict

CHUNK_STEPS = 8192
CHUNK_TEXT = 4 * 1024 * 1024
DEFAULT_LEVEL = 19


class EpisodeWriter:
    """Streams an episode to a binary file: `add` steps in time order, then `close` to seal it."""

    def __init__(self, out: BinaryIO, header: EpisodeHeader, *, level: int = DEFAULT_LEVEL) -> None:
        self._out = out
        self._header = header
        self._level = level
        self._hash = hashlib.sha256()
        self._pending: list[dict[str, Any]] = []
        self._pending_text = 0
        self._last_t = 0
        self.step_count = 0
        self._emit(MAGIC + struct.pack(">HH", READ_VERSION, WRITE_VERSION))
        self._frame(HEADER, compress(msgpack.packb(header.model_dump(mode="json")), level))

    def _emit(self, data: bytes) -> None:
        self._hash.update(data)
        self._out.write(data)

    def _frame(self, frame_type: int, payload: bytes, flags: int = 0) -> None:
        self._emit(encode_frame(frame_type, payload, flags))

    def add(self, step: Step) -> None:
        self.add_dict(step_to_dict(step))

    def add_dict(self, data: dict[str, Any]) -> None:
        """Add a step already in its plain, validated form."""
        if data["t_ms"] < self._last_t:
            raise EpisodeError(f"step at {data['t_ms']} ms comes after one at {self._last_t} ms")
        self._last_t = data["t_ms"]
        self._pending.append(data)
        self.step_count += 1
        self._pending_text += _text_size(data)
        if len(self._pending) >= CHUNK_STEPS or self._pending_text >= CHUNK_TEXT:
            self._flush()

    def extend(self, steps: Iterable[Step]) -> None:
        for step in steps:
            self.add(step)

    def _flush(self) -> None:
        if not self._pending:
            return
        chunk = encode_chunk(self._pending, self._header.position_encoding)
        self._frame(STEPS, compress(msgpack.packb(chunk, use_bin_type=True), self._level))
        self._pending = []
        self._pending_text = 0

    def add_frame(self, frame_type: int, payload: bytes, flags: int) -> None:
        """An extra frame (such as consent) after the steps written so far."""
        self._flush()
        self._frame(frame_type, payload, flags)

    def close(self) -> bytes:
        """Write the trailer; returns the SHA-256 it holds."""
        self._flush()
        digest = self._hash.digest()
        self._out.write(encode_frame(TRAILER, TRAILER_PAYLOAD.pack(self.step_count, digest)))
        return digest


def _text_size(data: dict[str, Any]) -> int:
    if data["kind"] == "edit":
        return sum(len(change["text"]) for change in data["changes"])
    return len(data.get("text") or "")


def write_episode_file(path: Path, header: EpisodeHeader, steps: Iterable[Step], *,
                       level: int = DEFAULT_LEVEL) -> int:
    """Write an episode atomically (collector.atomic); returns the step count."""
    with atomic_file(path) as staged:
        writer = EpisodeWriter(staged.file, header, level=level)
        writer.extend(steps)
        writer.close()
    return writer.step_count
