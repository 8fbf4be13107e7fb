"""Sealed requests are padded to size buckets (issue 105, item 4): two requests of different sizes within
one bucket seal to the same length, the gateway's reader takes the padding as padding, the buckets are
1 and 1.5 KiB times powers of two up to PADDED_MAX, and a padded request fits what the gateway reads."""

from __future__ import annotations

import base64
import hashlib

import pytest

from collector.gateway.rules import Write, decide
from collector.ohttp import bhttp
from collector.ohttp.encapsulation import open_request, seal_request
from collector.ohttp.keys import new_key
from collector.ohttp.limits import MAX_OBJECT
from collector.ohttp.padding import PADDED_MAX, bucket, pad
from collector.upload.relay import AUTHORITY


def put(data: bytes) -> bhttp.Request:
    digest = hashlib.sha256(data).digest()
    fields = (("x-amz-checksum-sha256", base64.b64encode(digest).decode()), ("if-none-match", "*"))
    return bhttp.Request("PUT", "https", AUTHORITY, f"/episodes/{digest.hex()}.ctape", fields, data)


@pytest.mark.parametrize(("size", "padded"), [(0, 1024), (1024, 1024), (1025, 1536), (1537, 2048),
                                              (3000, 3072), (5 << 20, 6 << 20), (40 << 20, 48 << 20),
                                              (MAX_OBJECT + 1, PADDED_MAX), (PADDED_MAX + 5, PADDED_MAX + 5)])
def test_the_buckets(size: int, padded: int) -> None:
    assert bucket(size) == padded


def test_two_episodes_of_different_sizes_in_one_bucket_seal_to_one_length_and_open_as_sent() -> None:
    key = new_key()
    small, large = put(b"e" * 2100), put(b"f" * 2800)
    encoded = [bhttp.encode_request(small), bhttp.encode_request(large)]
    assert len(encoded[0]) != len(encoded[1]) and bucket(len(encoded[0])) == bucket(len(encoded[1]))
    sealed = [seal_request(key.config, pad(message))[0] for message in encoded]
    assert len(sealed[0]) == len(sealed[1]) == 3072 + 55
    for request, message in zip((small, large), sealed, strict=True):
        opened = bhttp.decode_request(open_request(key, message).request)
        assert opened == request
        assert isinstance(decide(opened), Write)


def test_padding_that_is_not_zero_is_not_padding() -> None:
    message = pad(bhttp.encode_request(put(b"x" * 100)))
    with pytest.raises(bhttp.MessageError, match="not padding"):
        bhttp.decode_request(message[:-1] + b"\x01")


def test_the_largest_request_fits_what_the_gateway_reads() -> None:
    from collector.gateway.server import MAX_REQUEST

    framing = len(bhttp.encode_request(put(b""))) + 8  # the content's length takes 8 bytes at 64 MiB
    assert bucket(MAX_OBJECT + framing) == PADDED_MAX and PADDED_MAX + 55 <= MAX_REQUEST
