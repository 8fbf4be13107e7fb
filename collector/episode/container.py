"""The container around an episode: magic, versions, CRC-checked frames, the trailer.

Knows nothing about steps; see schemas/EPISODE_FORMAT.md.
"""

from __future__ import annotations

import struct
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, NoReturn

import zstandard

from collector.errors import EpisodeError, EpisodeTooLarge

MAGIC = b"\x89CTP\r\n\x1a\n"
READ_VERSION = 1  # the newest format version this codetape reads
WRITE_VERSION = 1

HEADER, STEPS, KEYFRAME, CONSENT, TRAILER = 0x48, 0x53, 0x4B, 0x43, 0x54
FRAME_NAMES = {HEADER: "header", STEPS: "steps", KEYFRAME: "keyframe", CONSENT: "consent", TRAILER: "trailer"}
OPTIONAL = 0x01

MAX_PAYLOAD = 64 * 1024 * 1024
MAX_DECOMPRESSED = 128 * 1024 * 1024
MAX_WINDOW = 32 * 1024 * 1024

_FRAME_HEAD = struct.Struct(">BBI")
_CRC = struct.Struct(">I")
TRAILER_PAYLOAD = struct.Struct(">Q32s")


def encode_frame(frame_type: int, payload: bytes, flags: int = 0) -> bytes:
    head = _FRAME_HEAD.pack(frame_type, flags, len(payload))
    return head + payload + _CRC.pack(zlib.crc32(payload, zlib.crc32(head)))


@dataclass(frozen=True)
class EpisodeFrame:
    type: int
    flags: int
    payload: bytes
    offset: int

    @property
    def name(self) -> str:
        return FRAME_NAMES.get(self.type, f"0x{self.type:02x}")


def read_preamble(stream: BinaryIO) -> tuple[int, int]:
    """Check the magic and return (read_version, write_version)."""
    head = stream.read(len(MAGIC) + 4)
    if head[: len(MAGIC)] != MAGIC:
        if head[:4] == MAGIC[:4]:
            raise EpisodeError("not an episode: the file signature is damaged (text-mode transfer?)")
        raise EpisodeError("not an episode file (wrong signature)")
    if len(head) < len(MAGIC) + 4:
        raise EpisodeError("episode is truncated inside its preamble")
    read_version, write_version = struct.unpack(">HH", head[len(MAGIC) :])
    if read_version > READ_VERSION:
        raise EpisodeError(f"episode needs format {read_version}; this codetape reads up to {READ_VERSION}")
    return read_version, write_version


def iter_frames(stream: BinaryIO, hasher: object | None = None,
                max_payload: int = MAX_PAYLOAD) -> Iterator[EpisodeFrame]:
    """Frames in order, each CRC-checked, none whose head declares more than `max_payload` bytes read;
    `hasher.update` sees every byte before the trailer frame."""
    update = getattr(hasher, "update", None)
    offset = stream.tell()
    while True:
        head = stream.read(_FRAME_HEAD.size)
        if not head:
            return
        if len(head) < _FRAME_HEAD.size:
            raise EpisodeError(f"episode is truncated inside a frame header at byte {offset}")
        frame_type, flags, length = _FRAME_HEAD.unpack(head)
        if length > max_payload:
            raise EpisodeTooLarge(f"frame at byte {offset} declares {length} bytes, above the {max_payload} "
                                  "cap")
        if flags & ~OPTIONAL:
            raise EpisodeError(f"frame at byte {offset} has reserved flag bits set")
        payload = stream.read(length)
        crc = stream.read(_CRC.size)
        if len(payload) < length or len(crc) < _CRC.size:
            raise EpisodeError(f"episode is truncated inside the {FRAME_NAMES.get(frame_type, 'unknown')} "
                               f"frame at byte {offset}")
        if _CRC.unpack(crc)[0] != zlib.crc32(payload, zlib.crc32(head)):
            raise EpisodeError(f"{FRAME_NAMES.get(frame_type, 'unknown')} frame at byte {offset} is damaged "
                               "(checksum mismatch)")
        frame = EpisodeFrame(frame_type, flags, payload, offset)
        if update is not None and frame_type != TRAILER:
            update(head)
            update(payload)
            update(crc)
        yield frame
        offset += _FRAME_HEAD.size + length + _CRC.size


def compress(data: bytes, level: int, dictionary: bytes = b"") -> bytes:
    """One zstd frame with its content size and checksum; `dictionary`, when given, is raw content the
    frame may refer to (a keyframe's, see schemas/EPISODE_FORMAT.md), not a trained zstd dictionary."""
    return zstandard.ZstdCompressor(level=level, dict_data=_raw_dictionary(dictionary), write_checksum=True,
                                    write_content_size=True).compress(data)


def _raw_dictionary(dictionary: bytes) -> zstandard.ZstdCompressionDict | None:
    if not dictionary:
        return None
    return zstandard.ZstdCompressionDict(dictionary, dict_type=zstandard.DICT_TYPE_RAWCONTENT)


_LOCAL = threading.local()  # a zstd decompression context is not thread-safe: one per thread


def _decompressor(dictionary: bytes = b"") -> zstandard.ZstdDecompressor:
    if dictionary:
        return zstandard.ZstdDecompressor(dict_data=_raw_dictionary(dictionary), max_window_size=MAX_WINDOW)
    decompressor: zstandard.ZstdDecompressor | None = getattr(_LOCAL, "decompressor", None)
    if decompressor is None:
        decompressor = _LOCAL.decompressor = zstandard.ZstdDecompressor(max_window_size=MAX_WINDOW)
    return decompressor


# Compressed bytes fed at a time: a zstd block needs a few input bytes for up to 128 KiB of output, so
# this bounds what one call can produce (about 8 MiB) before the running total is checked.
_FEED = 256


def decompress(frame: EpisodeFrame, dictionary: bytes = b"", *, limit: int = MAX_DECOMPRESSED) -> bytes:
    """Decode one zstd payload after checking its declared parameters (its content size at most `limit`);
    never beyond the caps, into one buffer of the size it declares.

    `dictionary` is the raw content the frame was compressed against (keyframes only). An honest frame is
    decoded in one call; one that lies about its size, holds more than one frame or is damaged is decoded
    again a few bytes at a time, to say what is wrong with it without producing more than it declared."""
    what = f"{frame.name} frame at byte {frame.offset}"
    try:
        params = zstandard.get_frame_parameters(frame.payload)
    except zstandard.ZstdError as exc:
        raise EpisodeError(f"{what} is not a zstd frame ({exc})") from None
    size = params.content_size
    if size == zstandard.CONTENTSIZE_UNKNOWN or size == zstandard.CONTENTSIZE_ERROR:
        raise EpisodeError(f"{what} does not declare its decompressed size")
    if size > limit:
        raise EpisodeTooLarge(f"{what} declares {size} decompressed bytes, above the {limit} cap")
    if params.window_size > MAX_WINDOW:
        raise EpisodeError(f"{what} asks for a {params.window_size}-byte zstd window, above the cap")
    if params.dict_id or not params.has_checksum:
        raise EpisodeError(f"{what} uses a zstd dictionary or lacks a checksum")
    try:
        data = _decompressor(dictionary).decompress(frame.payload, max_output_size=size,
                                                    allow_extra_data=False)
    except zstandard.ZstdError:
        pass  # why, below
    else:
        if len(data) == size:
            return data
        del data
    _refuse(frame, size, dictionary, what)


def _refuse(frame: EpisodeFrame, size: int, dictionary: bytes, what: str) -> NoReturn:
    """EpisodeError saying why `frame`, declaring `size` bytes, does not decompress to them."""
    produced = fed = 0
    decoder = _decompressor(dictionary).decompressobj()
    payload = memoryview(frame.payload)
    try:
        while fed < len(payload) and not decoder.eof and produced <= size:
            part = decoder.decompress(payload[fed:fed + _FEED])
            fed = min(fed + _FEED, len(payload))
            produced += len(part)
    except zstandard.ZstdError as exc:
        raise EpisodeError(f"{what} does not decompress ({exc})") from None
    if produced != size or not decoder.eof:
        more = "more than " if produced > size else ""
        raise EpisodeError(f"{what} decompresses to {more}{produced} bytes, not the {size} it declares")
    if decoder.unused_data or fed < len(payload):
        raise EpisodeError(f"{what} has bytes after its zstd frame (the format allows exactly one)")
    raise EpisodeError(f"{what} does not decompress")
