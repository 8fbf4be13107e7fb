"""Journal frames: `u32 length | u32 crc32 | u64 seq | payload`, big-endian, one frame per write.

The CRC-32 (zlib's) covers the length, the sequence number and the payload, so a frame names its own
damage and its own place in the journal. A length of 0 or above `MAX_PAYLOAD` is never valid.
Payloads are msgpack maps: seq 0 is `{"header": <EpisodeHeader JSON>}`, every later frame one step
in its plain JSON form (`schemas.step_to_dict`), which `frame_step` decodes straight into its struct.
"""

from __future__ import annotations

import functools
import struct
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgpack
import msgspec

from collector.errors import JournalError

if TYPE_CHECKING:
    from schemas.steps import Step

HEAD = struct.Struct(">IIQ")  # length, crc32, seq
_LENGTH = struct.Struct(">I")
_SEQ = struct.Struct(">Q")
MAX_PAYLOAD = 128 * 1024 * 1024
MAX_SEQ = 2**64 - 1

_LIMITS = {"max_str_len": 64 * 1024 * 1024, "max_bin_len": 64 * 1024 * 1024,
           "max_array_len": 4_000_000, "max_map_len": 100_000, "max_ext_len": 0}


@dataclass(frozen=True)
class JournalFrame:
    """One intact frame: its sequence number, where it starts, and its payload."""

    seq: int
    offset: int
    payload: bytes

    @property
    def size(self) -> int:
        return HEAD.size + len(self.payload)


def frame_crc(length: int, seq: int, payload: bytes) -> int:
    return zlib.crc32(payload, zlib.crc32(_LENGTH.pack(length) + _SEQ.pack(seq)))


def encode_frame(seq: int, payload: bytes) -> bytes:
    if not 0 < len(payload) <= MAX_PAYLOAD:
        raise JournalError(f"a journal frame holds 1 to {MAX_PAYLOAD} bytes, not {len(payload)}")
    return HEAD.pack(len(payload), frame_crc(len(payload), seq, payload), seq) + payload


def plausible_length(length: int) -> bool:
    return 0 < length <= MAX_PAYLOAD


def pack_header(header: dict[str, Any]) -> bytes:
    return bytes(msgpack.packb({"header": header}, use_bin_type=True))


def pack_step(step: dict[str, Any]) -> bytes:
    return bytes(msgpack.packb(step, use_bin_type=True))


def unpack_payload(frame: JournalFrame) -> dict[str, Any]:
    """The msgpack map a frame holds; JournalError when its payload is not one."""
    try:
        value = msgpack.unpackb(frame.payload, raw=False, strict_map_key=True, **_LIMITS)
    except (ValueError, msgpack.UnpackException, msgpack.ExtraData, TypeError, RecursionError) as exc:
        raise JournalError(f"frame {frame.seq} at byte {frame.offset} is not valid msgpack "
                           f"({type(exc).__name__})") from None
    if not isinstance(value, dict):
        raise JournalError(f"frame {frame.seq} at byte {frame.offset} holds a {type(value).__name__}, "
                           "not a map")
    return value


def frame_step(frame: JournalFrame) -> Step:
    """The step a frame holds, decoded from its msgpack straight into its struct; JournalError when the
    payload is not a msgpack map, StepError naming the first value the schema refuses. (A payload the
    decoder refuses is read again as a map, so that the refusal says which of the two it is.)"""
    try:
        step: Step = _step_decoder().decode(frame.payload)
    except msgspec.DecodeError:
        # the plain-map reading only to say why the decoder refused a frame
        from schemas.steps import step_from_dict

        return step_from_dict(unpack_payload(frame))
    return step


@functools.cache
def _step_decoder() -> msgspec.msgpack.Decoder[Step]:
    """The decoder of journal steps, made on first use (with the step structs, compiled as they load)."""
    # the step structs compile as they load: on the first frame decoded, not at import
    from schemas.steps import Step

    return msgspec.msgpack.Decoder(Step)


def unpack_header(frame: JournalFrame) -> dict[str, Any]:
    """The header dict held by frame 0."""
    value = unpack_payload(frame)
    header = value.get("header")
    if frame.seq != 0 or not isinstance(header, dict):
        raise JournalError(f"frame {frame.seq} at byte {frame.offset} is not a journal header")
    return header
