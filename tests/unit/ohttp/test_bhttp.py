"""Binary HTTP: what is written reads back, every length spelt in any of QUIC's four sizes reads the same,
and a hostile message is one MessageError."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collector.ohttp import bhttp

tokens = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-0123456789", min_size=1, max_size=20)
values = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=40)
headers = st.lists(st.tuples(tokens, values), max_size=6).map(tuple)


@given(st.sampled_from(["PUT", "GET", "POST"]), tokens, headers, st.binary(max_size=300))
def test_a_request_reads_back(method: str, path: str, fields: tuple[tuple[str, str], ...],
                              content: bytes) -> None:
    request = bhttp.Request(method, "https", "gateway", "/" + path, fields, content)
    assert bhttp.decode_request(bhttp.encode_request(request)) == request
    # padding (zero bytes after the message) is accepted
    assert bhttp.decode_request(bhttp.encode_request(request) + bytes(17)) == request


@given(st.integers(200, 599), headers, st.binary(max_size=300))
def test_a_response_reads_back(status: int, fields: tuple[tuple[str, str], ...], content: bytes) -> None:
    response = bhttp.Response(status, fields, content)
    assert bhttp.decode_response(bhttp.encode_response(response)) == response


@given(st.integers(0, (1 << 62) - 1), st.integers(0, 3))
def test_a_length_in_any_of_its_sizes_reads_the_same(value: int, at_least: int) -> None:
    size = max(len(bhttp.varint(value)), 1 << at_least)
    spelt = (value | (size.bit_length() - 1) << (8 * size - 2)).to_bytes(size, "big")
    assert bhttp._Reader(spelt).varint() == value


def test_an_informational_response_comes_before_the_final_one() -> None:
    data = bytes([1]) + bhttp.varint(103) + bhttp.varint(0) + bhttp.varint(204) + bhttp.varint(0)
    assert bhttp.decode_response(data) == bhttp.Response(204, informational=(103,))


@given(st.binary(max_size=64))
def test_any_bytes_are_a_message_or_one_error(data: bytes) -> None:
    for decode in (bhttp.decode_request, bhttp.decode_response):
        with contextlib.suppress(bhttp.MessageError):
            decode(data)


@pytest.mark.parametrize("data", [
    b"", b"\x00", b"\x01", b"\x00\x7f", b"\x00\x03PUT\x05https\x00\x01/\xbf\xff\xff\xff\xff\xff\xff\xff",
    b"\x01\x40\x63",  # a status under 100
    bytes.fromhex("00034745540568747470730b6578616d706c652e636f6d012f") + b"\x01",  # not padding
    b"\x02",  # an indeterminate-length message
])
def test_hostile_messages_are_one_error(data: bytes) -> None:
    with pytest.raises(bhttp.MessageError):
        bhttp.decode_request(data) if data[:1] != b"\x01" else bhttp.decode_response(data)
