"""The socket framing: round trips, the 16 MiB cap, damaged and hostile input, over a real socket pair; the
msgpack library (the journal's) and the pytest plugin (the standard library's json) as the other end."""

from __future__ import annotations

import asyncio
import socket
import struct

import msgpack
import pytest

from collector.errors import FramingError
from collector.protocol.framing import (
    MAX_MESSAGE,
    decode_body,
    encode,
    encode_plain,
    read_message,
    recv_message,
)
from schemas import step_to_dict
from tests.support.sessions import generate


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


@pytest.mark.parametrize("body", [msgpack.packb([1, 2]), msgpack.packb(7), msgpack.packb("op"),
                                  msgpack.packb(msgpack.ExtType(5, b"x"))])
def test_bodies_that_are_not_a_map_are_refused(body: bytes) -> None:
    with pytest.raises(FramingError, match="expected a map"):
        decode_body(body)


HOSTILE_MSGPACK = {
    "invalid opcode": b"\xc1",
    "empty": b"",
    "trailing bytes": msgpack.packb({"op": "status"}) + b"\x00",
    "cut short": msgpack.packb({"op": "status", "text": "x" * 40})[:-3],
    "nested too deep": b"\x81\xa1a" + b"\x91" * 200_000 + b"\xc0",
    "invalid UTF-8 in a string": b"\x81\xa1a\xa2\xff\xfe",
    "invalid UTF-8 in a key": b"\x81\xa2\xc3\x28\x01",
    "a surrogate in UTF-8": b"\x81\xa1a\xa3\xed\xa0\x80",
    "a string of 4 GiB announced": b"\x81\xa1a\xdb\xff\xff\xff\xff",
    "an array of 4 billion announced": b"\x81\xa1a\xdd\xff\xff\xff\xff",
    "a map of 4 billion announced": b"\xdf\xff\xff\xff\xff",
    "a map as a key": b"\x81\x81\xa1a\x01\x01",
}


@pytest.mark.parametrize("body", HOSTILE_MSGPACK.values(), ids=HOSTILE_MSGPACK.keys())
def test_a_damaged_or_hostile_msgpack_body_is_one_line_framing_error(body: bytes) -> None:
    with pytest.raises(FramingError, match=r"^message is not valid msgpack: .") as caught:
        decode_body(body)
    assert "\n" not in str(caught.value)


def test_the_msgpack_library_reads_what_is_written_and_writes_what_is_read() -> None:
    """The other msgpack implementation (the journal's) as the other end: the same bytes both ways."""
    message = {"op": "steps", "items": [[1, {"kind": "edit", "path": "/w/é😀.py", "version": 2}]],
               "blob": b"\0\1", "big": 2**64 - 1, "small": -(2**63), "ratio": 0.5, "none": None, "yes": True}
    assert encode(message)[4:] == msgpack.packb(message, use_bin_type=True)
    assert decode_body(msgpack.packb(message, use_bin_type=True)) == message


def test_steps_as_structs_are_written_as_their_plain_form() -> None:
    """A client may put the `Step`s it built into a message: the collector reads the same message as from
    their plain dicts, for every kind a generated session has; the same bytes in JSON. (In msgpack a step
    of more than 15 fields, as `file_change`, is written with a 16-bit map header, msgspec's choice
    before it knows how many fields it leaves out, where the dict of fewer gets the short one.)"""
    steps = generate(1, "training", scale=0.02).steps
    assert len({step.kind for step in steps}) >= 8 and any(step.kind == "file_change" for step in steps)
    as_structs = {"op": "steps", "items": [[step.t_ms, step] for step in steps]}
    as_dicts = {"op": "steps", "items": [[step.t_ms, step_to_dict(step)] for step in steps]}
    assert decode_body(encode(as_structs)[4:]) == decode_body(encode(as_dicts)[4:]) == as_dicts
    assert encode(as_structs, as_json=True) == encode(as_dicts, as_json=True)


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


BAD_JSON = {
    "broken": b"{not json",
    "nested too deep": b'{"a":' + b"[" * 200_000 + b"]" * 200_000 + b"}",
    "invalid UTF-8": b'{"a": "\xff"}',
    "trailing bytes": b'{"a": 1} {}',
    "cut short": b'{"a": 1',
    "NaN": b'{"a": NaN}',
    "a lone surrogate escaped": b'{"a": "\\udcff"}',
    "an integer of 5,000 digits": b'{"a": ' + b"9" * 5000 + b"}",
}


@pytest.mark.parametrize("body", BAD_JSON.values(), ids=BAD_JSON.keys())
def test_a_bad_json_body_is_a_framing_error(body: bytes) -> None:
    with pytest.raises(FramingError, match=r"^message is not valid JSON: .") as caught:
        decode_body(body)
    assert "\n" not in str(caught.value)


def test_the_plain_json_client_and_the_daemon_read_each_other() -> None:
    """A short-lived command's dialect (`encode_plain`, `plain=True`: the standard library's json): the
    daemon's reader gets the message it sent, the same bytes msgspec writes, and the client reads the
    daemon's JSON answer, over a socket pair."""
    message = {"op": "note", "id": 2, "workspace": "/w/é😀", "text": "a \"quoted\" note\n", "n": -(2**63),
               "ratio": 0.5, "none": None, "yes": True, "argv": ["true", ""]}
    assert encode_plain(message) == encode(message, as_json=True)
    assert decode_body(encode_plain(message)[4:]) == message
    reply = {"id": 2, "ok": True, "result": {"workspaces": [{"root": "/w/é😀", "steps": 3}], "pid": 9}}
    left, right = socket.socketpair()
    left.sendall(encode(reply, as_json=True))
    left.close()
    assert [recv_message(right, plain=True), recv_message(right, plain=True)] == [reply, None]


def test_the_plain_json_client_writes_a_lone_surrogate_as_a_question_mark() -> None:
    """A path from an undecodable file name: as `encode` writes it for a JSON client, and the plugin."""
    assert decode_body(encode_plain({"path": "/w/\udcff.py"})[4:]) == {"path": "/w/?.py"}
    assert encode_plain({"path": "/w/\udcff.py"}) == encode({"path": "/w/\udcff.py"}, as_json=True)


def test_the_plain_json_client_refuses_messages_above_the_cap() -> None:
    with pytest.raises(FramingError, match="above the"):
        encode_plain({"blob": "x" * MAX_MESSAGE})


PLAIN_BAD = ("broken", "nested too deep", "invalid UTF-8", "trailing bytes", "cut short",
             "an integer of 5,000 digits")


@pytest.mark.parametrize("name", PLAIN_BAD)
def test_a_bad_json_body_read_plain_is_a_framing_error(name: str) -> None:
    """The plain reader refuses what the daemon's does, but NaN and an escaped lone surrogate, which the
    standard library reads and the daemon's answers (msgspec's JSON) never hold."""
    with pytest.raises(FramingError, match=r"^message is not valid JSON: .") as caught:
        decode_body(BAD_JSON[name], plain=True)
    assert "\n" not in str(caught.value)
