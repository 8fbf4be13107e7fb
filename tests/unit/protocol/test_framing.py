"""The socket framing: round trips, the 16 MiB cap, damaged input, over a real socket pair."""

from __future__ import annotations

import asyncio
import socket
import struct

import msgpack
import pytest

from collector.errors import FramingError
from collector.protocol.framing import MAX_MESSAGE, decode_body, encode, read_message, recv_message


def test_round_trip_over_a_socket_pair_keeps_order_and_types() -> None:
    left, right = socket.socketpair()
    messages = [{"op": "step", "at": 1, "step": {"kind": "note", "text": "héllo 😀"}}, {"b": b"\0\1"}]
    for message in messages:
        left.sendall(encode(message))
    left.close()
    assert [recv_message(right), recv_message(right), recv_message(right)] == [*messages, None]


def test_encode_refuses_messages_above_the_cap() -> None:
    with pytest.raises(FramingError, match="above the"):
        encode({"blob": b"x" * MAX_MESSAGE})


def test_announced_length_above_the_cap_is_refused_before_reading_the_body() -> None:
    left, right = socket.socketpair()
    left.sendall(struct.pack(">I", MAX_MESSAGE + 1))
    with pytest.raises(FramingError, match="cap"):
        recv_message(right)


def test_a_message_cut_in_its_body_is_an_error_not_an_end() -> None:
    left, right = socket.socketpair()
    left.sendall(encode({"op": "status"})[:-2])
    left.close()
    with pytest.raises(FramingError, match="closed inside"):
        recv_message(right)


@pytest.mark.parametrize("body", [msgpack.packb([1, 2]), b"\xc1", msgpack.packb(7)])
def test_bodies_that_are_not_a_map_are_refused(body: bytes) -> None:
    with pytest.raises(FramingError):
        decode_body(body)


def test_asyncio_reader_round_trip_and_clean_end() -> None:
    async def run() -> list[object]:
        reader = asyncio.StreamReader()
        reader.feed_data(encode({"op": "hello"}) + encode({"op": "status", "id": 3}))
        reader.feed_eof()
        return [await read_message(reader), await read_message(reader), await read_message(reader)]

    assert asyncio.run(run()) == [{"op": "hello"}, {"op": "status", "id": 3}, None]


def test_asyncio_reader_refuses_oversized_length() -> None:
    async def run() -> None:
        reader = asyncio.StreamReader()
        reader.feed_data(struct.pack(">I", MAX_MESSAGE + 1))
        await read_message(reader)

    with pytest.raises(FramingError):
        asyncio.run(run())


def test_a_json_body_is_the_same_message_and_answers_can_be_json() -> None:
    """The pytest plugin's dialect (standard library only): a JSON object after the same length prefix."""
    message = {"op": "hello", "id": 1, "workspace": "/w", "source": "pytest", "client": None}
    body = b'{"op":"hello","id":1,"workspace":"/w","source":"pytest","client":null}'
    assert decode_body(body) == message
    framed = encode({"ok": True, "note": "héllo 😀"}, as_json=True)
    assert framed[4:5] == b"{" and struct.unpack(">I", framed[:4])[0] == len(framed) - 4
    assert decode_body(framed[4:]) == {"ok": True, "note": "héllo 😀"}
    assert decode_body(encode(message)[4:]) == message  # msgpack never starts with `{`


@pytest.mark.parametrize("body", [b"{not json", b"{" + b'"a":' * 1 + b"[" * 200_000 + b"]" * 200_000 + b"}",
                                  b'{"a": "\xff"}'], ids=["broken", "deep", "not-utf8"])
def test_a_bad_json_body_is_a_framing_error(body: bytes) -> None:
    with pytest.raises(FramingError, match="not valid JSON"):
        decode_body(body)
