from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest

from collector.errors import JournalError
from collector.journal.frames import (
    HEAD,
    MAX_PAYLOAD,
    JournalFrame,
    encode_frame,
    pack_header,
    pack_step,
    unpack_header,
    unpack_payload,
)
from collector.journal.recovery import read_frame


def test_a_frame_is_length_crc_seq_payload_big_endian() -> None:
    frame = encode_frame(0x0102030405060708, b"abc")
    assert frame[:4] == b"\x00\x00\x00\x03"
    assert frame[8:16] == b"\x01\x02\x03\x04\x05\x06\x07\x08"
    assert frame[16:] == b"abc"
    expected_crc = zlib.crc32(b"\x00\x00\x00\x03" + b"\x01\x02\x03\x04\x05\x06\x07\x08" + b"abc")
    assert struct.unpack(">I", frame[4:8])[0] == expected_crc


def test_a_frame_reads_back_at_its_offset() -> None:
    data = encode_frame(0, b"first") + encode_frame(1, b"second")
    stream = io.BytesIO(data)
    first = read_frame(stream, 0, 0, len(data))
    assert first == JournalFrame(0, 0, b"first")
    assert read_frame(stream, first.size, 1, len(data)) == JournalFrame(1, 21, b"second")


@pytest.mark.parametrize("byte", [3, 5, 8, 15, 16, 22])
def test_the_crc_covers_length_seq_and_payload(byte: int) -> None:
    data = bytearray(encode_frame(7, b"payload") + b"\0")
    data[byte] ^= 0x01
    seq = struct.unpack_from(">Q", data, 8)[0]  # expect whatever seq the damaged head now claims
    assert read_frame(io.BytesIO(bytes(data)), 0, seq, len(data)) is None
    data[byte] ^= 0x01
    assert read_frame(io.BytesIO(bytes(data)), 0, 7, len(data)) is not None


def test_a_frame_with_another_seq_is_not_the_one_expected() -> None:
    data = encode_frame(3, b"x")
    assert read_frame(io.BytesIO(data), 0, 3, len(data)) is not None
    assert read_frame(io.BytesIO(data), 0, 4, len(data)) is None


def test_length_zero_is_never_a_frame() -> None:
    with pytest.raises(JournalError, match="1 to"):
        encode_frame(0, b"")
    head = HEAD.pack(0, zlib.crc32(struct.pack(">IQ", 0, 0)), 0)
    assert read_frame(io.BytesIO(head + b"\0" * 16), 0, 0, len(head) + 16) is None


def test_a_length_above_the_cap_is_refused_even_with_a_matching_crc(tmp_path: Path) -> None:
    length = MAX_PAYLOAD + 1
    crc = zlib.crc32(struct.pack(">IQ", length, 0))
    zeros = bytes(1 << 20)
    for _ in range(length >> 20):
        crc = zlib.crc32(zeros, crc)
    crc = zlib.crc32(bytes(length & ((1 << 20) - 1)), crc)
    path = tmp_path / "huge"
    with open(path, "wb") as out:
        out.write(HEAD.pack(length, crc, 0))
        out.truncate(HEAD.size + length)  # sparse: no disk used
    with open(path, "rb") as stream:
        assert read_frame(stream, 0, 0, HEAD.size + length) is None


def test_payloads_are_msgpack_maps() -> None:
    header = JournalFrame(0, 0, pack_header({"format_version": 1}))
    assert unpack_header(header) == {"format_version": 1}
    step = JournalFrame(1, 40, pack_step({"kind": "note", "t_ms": 5, "source": "cli", "text": "é😀"}))
    assert unpack_payload(step) == {"kind": "note", "t_ms": 5, "source": "cli", "text": "é😀"}


@pytest.mark.parametrize("payload", [b"\xc1", b"\x93\x01\x02\x03", b"\x81\xa1a\x01\x00"])
def test_a_payload_that_is_not_one_map_is_refused_in_one_line(payload: bytes) -> None:
    with pytest.raises(JournalError) as error:
        unpack_payload(JournalFrame(4, 99, payload))
    assert "frame 4 at byte 99" in str(error.value)
    assert "\n" not in str(error.value)


def test_a_step_frame_is_not_a_header() -> None:
    with pytest.raises(JournalError, match="not a journal header"):
        unpack_header(JournalFrame(1, 0, pack_header({"x": 1})))
    with pytest.raises(JournalError, match="not a journal header"):
        unpack_header(JournalFrame(0, 0, pack_step({"kind": "note"})))
