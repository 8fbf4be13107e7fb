"""Reader for episode format version 1. Every byte is untrusted: all sizes are capped."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic

from collector.batches import take
from collector.episode.chunk import iter_chunk
from collector.episode.container import Frame, decompress
from collector.episode.decoding import unpack
from collector.episode.layout import frame_at, read_layout
from collector.episode.limits import READER, Limits
from collector.errors import EpisodeError
from schemas import STEP_KINDS, EpisodeHeader, Step, StepError, step_from_dict, steps_from_dicts
from schemas.steps import step_error_line

VERSION = 1
BATCH = 16  # steps validated in one call: larger batches keep more young objects for the collector to walk


def first_error(exc: pydantic.ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else error["msg"]


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
        Steps are decoded and validated BATCH at a time (one validation call each), yet a reader sees what
        one at a time would give: every step before the first bad one, then the error naming it.
        """
        self.skipped.clear()
        seen = 0
        dicts = self.step_dicts(first_chunk)
        while True:
            batch, failure = take(dicts, BATCH, EpisodeError)
            valid, bad = self._validated(batch, seen)
            yield from valid
            if bad is not None:
                raise bad
            seen += len(batch)
            if failure is not None:
                raise failure
            if len(batch) < BATCH:
                break
        if seen != self.step_count and not first_chunk:
            raise EpisodeError(f"episode holds {seen} steps but its trailer says {self.step_count}")

    def _validated(self, batch: list[dict[str, Any]], first: int) -> tuple[list[Step], EpisodeError | None]:
        """The steps of known kinds in `batch` (whose first step is number `first`), validated, and the
        error naming the first invalid one (the steps returned are those before it)."""
        known = [step_dict for step_dict in batch if step_dict.get("kind") in STEP_KINDS]
        try:
            valid = steps_from_dicts(known)
        except StepError:
            pass
        else:
            if len(known) < len(batch):
                self.skipped.update(str(step_dict.get("kind")) for step_dict in batch
                                    if step_dict.get("kind") not in STEP_KINDS)
            return valid, None
        valid = []  # again one by one: the steps before the invalid one, and its number
        for number, step_dict in enumerate(batch, first):
            kind = step_dict.get("kind")
            if kind not in STEP_KINDS:
                self.skipped[str(kind)] += 1
                continue
            try:
                valid.append(step_from_dict(step_dict))
            except StepError as exc:
                return valid, EpisodeError(f"step {number} ({kind}) is invalid: {step_error_line(exc)}")
        raise AssertionError("a batch of steps failed validation, yet each step passed")

    def step_dicts(self, first_chunk: int = 0) -> Iterator[dict[str, Any]]:
        """Plain step dicts, unvalidated, one chunk in memory at a time (from `first_chunk` on)."""
        encoding, limits = self.header.position_encoding, self.limits
        with open(self.path, "rb") as stream:
            last_t = 0
            for offset in self._chunk_offsets[first_chunk:]:
                data = decompress(frame_at(stream, offset, limits.payload), limit=limits.decompressed)
                chunk = unpack(data, f"steps frame at byte {offset}", limits.decoded)
                del data
                for step in iter_chunk(chunk, encoding):
                    if step["t_ms"] < last_t:
                        raise EpisodeError(f"step times go backwards in the steps frame at byte {offset}")
                    last_t = step["t_ms"]
                    yield step

    def frames(self) -> Iterator[Frame]:
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


def decode_header(frame: Frame, limits: Limits = READER) -> EpisodeHeader:
    """The header frame as `EpisodeHeader`; EpisodeError naming the first invalid field."""
    data = unpack(decompress(frame, limit=limits.decompressed), "header frame", limits.decoded)
    try:
        return EpisodeHeader.model_validate(data)
    except pydantic.ValidationError as exc:
        raise EpisodeError(f"episode header is invalid: {first_error(exc)}") from None
