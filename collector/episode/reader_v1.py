"""Reader for episode format version 1. Every byte is untrusted: all sizes are capped."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from collector.episode.chunk import MakeEdit, edit_dict, iter_chunk
from collector.episode.container import EpisodeFrame, decompress
from collector.episode.decoding import unpack
from collector.episode.edit_structs import EditMaker
from collector.episode.layout import frame_at, read_layout
from collector.episode.limits import READER, Limits
from collector.errors import EpisodeError
from collector.text.validation import first_error
from schemas import STEP_KINDS, EpisodeHeader, Step, StepError, step_from_dict
from schemas.common import validated

VERSION = 1
T = TypeVar("T")


@dataclass
class Episode:
    """An episode whose container is intact (frames, checksums, trailer hash); steps decode lazily."""

    path: Path
    header: EpisodeHeader
    read_version: int
    write_version: int
    step_count: int
    sha256: bytes
    consent: bytes | None
    _chunk_offsets: list[int]
    skipped: Counter[str] = field(default_factory=Counter)
    _keyframe_offsets: list[int] = field(default_factory=list)
    limits: Limits = READER  # what reading it may take (collector/episode/limits.py)

    @property
    def chunk_count(self) -> int:
        return len(self._chunk_offsets)

    @property
    def keyframe_count(self) -> int:
        return len(self._keyframe_offsets)

    def steps(self, first_chunk: int = 0) -> Iterator[Step]:
        """Every step in order, validated; unknown kinds are skipped and counted in `skipped`.

        From `first_chunk` on when given (after a keyframe): the trailer's step count is then not checked.
        Edits are made as EditSteps from the columns (collector/episode/edit_structs.py), the other steps
        validated one at a time; a reader sees every step before the first bad one, then the error naming
        it.
        """
        self.skipped.clear()
        seen = 0
        for item in self._decoded(first_chunk, EditMaker()):
            step: Step
            if type(item) is dict:
                kind = item.get("kind")
                if kind not in STEP_KINDS:
                    self.skipped[str(kind)] += 1
                    seen += 1
                    continue
                try:
                    step = step_from_dict(item)
                except StepError as exc:
                    raise EpisodeError(f"step {seen} ({kind}) is invalid: {first_error(exc)}") from None
            else:
                step = item  # type: ignore[assignment]
            seen += 1
            yield step
        if seen != self.step_count and not first_chunk:
            raise EpisodeError(f"episode holds {seen} steps but its trailer says {self.step_count}")

    def step_dicts(self, first_chunk: int = 0) -> Iterator[dict[str, Any]]:
        """Plain step dicts, unvalidated, one chunk in memory at a time (from `first_chunk` on)."""
        return self._decoded(first_chunk, edit_dict)

    def _decoded(self, first_chunk: int, make_edit: MakeEdit[T]) -> Iterator[dict[str, Any] | T]:
        """The steps of the chunks from `first_chunk` on, edits made by `make_edit` (chunk.iter_chunk),
        the others plain dicts. Times never go backwards within a chunk (its columns hold increments), so
        only each chunk's first step is compared with the one before it."""
        encoding, limits = self.header.position_encoding, self.limits
        with open(self.path, "rb") as stream:
            last_t = 0
            for offset in self._chunk_offsets[first_chunk:]:
                data = decompress(frame_at(stream, offset, limits.payload), limit=limits.decompressed)
                chunk = unpack(data, f"steps frame at byte {offset}", limits.decoded)
                del data
                step: Any = None
                first = True
                for step in iter_chunk(chunk, encoding, make_edit):
                    if first:
                        if _t_ms(step) < last_t:
                            raise EpisodeError(f"step times go backwards in the steps frame at byte {offset}")
                        first = False
                    yield step
                if step is not None:
                    last_t = _t_ms(step)

    def frames(self) -> Iterator[EpisodeFrame]:
        """The steps frames and keyframes, in file order, each read again and CRC-checked."""
        offsets = sorted([*self._chunk_offsets, *self._keyframe_offsets])
        try:
            with open(self.path, "rb") as stream:
                for offset in offsets:
                    yield frame_at(stream, offset, self.limits.payload)
        except OSError as exc:
            raise EpisodeError(f"cannot read {self.path}: {exc.strerror}") from None


def open_episode(path: Path, limits: Limits = READER) -> Episode:
    """Check the container end to end (streaming, bounded by `limits`) and decode the header."""
    layout = read_layout(path, functools.partial(decode_header, limits=limits), limits.payload, limits.frames)
    return Episode(path, layout.header, layout.read_version, layout.write_version, layout.step_count,
                   layout.sha256, layout.consent, layout.chunk_offsets,
                   _keyframe_offsets=layout.keyframe_offsets, limits=limits)


def decode_header(frame: EpisodeFrame, limits: Limits = READER) -> EpisodeHeader:
    """The header frame as `EpisodeHeader`; EpisodeError naming the first invalid field."""
    data = unpack(decompress(frame, limit=limits.decompressed), "header frame", limits.decoded)
    try:
        return validated(data, EpisodeHeader)
    except msgspec.ValidationError as exc:
        raise EpisodeError(f"episode header is invalid: {first_error(exc)}") from None


def _t_ms(step: Any) -> Any:
    return step["t_ms"] if type(step) is dict else step.t_ms
