"""An episode file's layout: where its frames are, checked end to end, nothing decoded but the header.

One streaming pass over the container (schemas/EPISODE_FORMAT.md): the preamble, every frame's CRC, the
order of the frames (one header first, steps frames and keyframes before the consent frame, the trailer
last, no unknown required frame), the trailer's size and its hash over everything before it. The header
frame is decoded where it stands, by the caller's function: the version-1 reader builds `EpisodeHeader`,
`codetape episodes` reads the fields it shows without the model (`listing.py`). The steps are left alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Generic, TypeVar

from collector.episode.container import (
    CONSENT,
    HEADER,
    KEYFRAME,
    MAX_PAYLOAD,
    OPTIONAL,
    STEPS,
    TRAILER,
    TRAILER_PAYLOAD,
    EpisodeFrame,
    iter_frames,
    read_preamble,
)
from collector.errors import EpisodeError, EpisodeTooLarge

H = TypeVar("H")


@dataclass(frozen=True)
class Layout(Generic[H]):
    """An intact container: its header as the caller decoded it, where its frames start, the trailer's
    step count and hash."""

    header: H
    read_version: int
    write_version: int
    step_count: int
    sha256: bytes
    consent: bytes | None
    chunk_offsets: list[int]
    keyframe_offsets: list[int]


def read_layout(path: Path, decode_header: Callable[[EpisodeFrame], H], max_payload: int = MAX_PAYLOAD,
                max_frames: int | None = None) -> Layout[H]:
    """The layout of the episode at `path`; EpisodeError (one line) when it is not intact, EpisodeTooLarge
    when a frame declares more than `max_payload` bytes or it holds more than `max_frames` steps frames
    and keyframes."""
    try:
        with open(path, "rb") as stream:
            return scan_layout(stream, decode_header, max_payload, max_frames)
    except OSError as exc:
        raise EpisodeError(f"cannot read {path}: {exc.strerror}") from None


def scan_layout(stream: BinaryIO, decode_header: Callable[[EpisodeFrame], H], max_payload: int = MAX_PAYLOAD,
                max_frames: int | None = None) -> Layout[H]:
    """The layout of the episode in `stream`, read from its start in one pass."""
    hasher = hashlib.sha256()
    read_version, write_version = read_preamble(stream)
    stream.seek(0)
    hasher.update(stream.read(12))
    headers: list[H] = []
    offsets: list[int] = []
    keyframes: list[int] = []
    consent: bytes | None = None
    trailer: EpisodeFrame | None = None
    for frame in iter_frames(stream, hasher, max_payload):
        if trailer is not None:
            raise EpisodeError(f"{frame.name} frame at byte {frame.offset} follows the trailer")
        if not headers and frame.type != HEADER:
            raise EpisodeError(f"episode starts with a {frame.name} frame, not the header")
        if frame.type == HEADER:
            if headers:
                raise EpisodeError(f"second header frame at byte {frame.offset}")
            headers.append(decode_header(frame))
        elif frame.type in (STEPS, KEYFRAME) and max_frames is not None and \
                len(offsets) + len(keyframes) >= max_frames:
            raise EpisodeTooLarge(f"episode holds more than {max_frames} steps frames and keyframes")
        elif frame.type == STEPS:
            if consent is not None:
                raise EpisodeError(f"steps frame at byte {frame.offset} follows the consent frame")
            offsets.append(frame.offset)
        elif frame.type == KEYFRAME:
            if consent is not None:
                raise EpisodeError(f"keyframe at byte {frame.offset} follows the consent frame")
            keyframes.append(frame.offset)
        elif frame.type == CONSENT:
            consent = frame.payload
        elif frame.type == TRAILER:
            trailer = frame
        elif not frame.flags & OPTIONAL:
            raise EpisodeError(f"episode has a required {frame.name} frame this codetape does not know")
    if not headers:
        raise EpisodeError("episode has no header frame")
    if trailer is None:
        raise EpisodeError("episode is truncated: it has no trailer")
    if len(trailer.payload) != TRAILER_PAYLOAD.size:
        raise EpisodeError("episode trailer has the wrong size")
    step_count, digest = TRAILER_PAYLOAD.unpack(trailer.payload)
    if digest != hasher.digest():
        raise EpisodeError("episode content does not match the hash in its trailer (modified or damaged)")
    return Layout(headers[0], read_version, write_version, step_count, digest, consent, offsets, keyframes)


def frame_at(stream: BinaryIO, offset: int, max_payload: int = MAX_PAYLOAD) -> EpisodeFrame:
    """The frame at `offset` of a file whose layout was read, CRC-checked again."""
    stream.seek(offset)
    frame = next(iter_frames(stream, max_payload=max_payload), None)
    if frame is None:
        raise EpisodeError(f"episode changed since it was opened: no frame at byte {offset}")
    return frame
