"""Padding a Binary HTTP message to a size bucket before it is sealed, so that the size of a sealed
request, which the relay sees, says which bucket an object falls in and nothing finer.

The buckets are 1 KiB and 1.5 KiB times each power of two (1, 1.5, 2, 3, 4, 6, 8, 12 KiB ... 32, 48,
64 MiB), the last one PADDED_MAX (MAX_OBJECT and 32 KiB for the request's framing and fields): a message
is padded with zero bytes to the smallest bucket that holds it, which RFC 9292 section 3.8 lets a message
carry after its end and the gateway's reader takes as padding (bhttp.py). At most a third of a message is
padding (half, below 1.5 KiB); sealing adds 55 bytes (the request header, HPKE's enc and the AEAD tag),
the same to every request.
"""

from __future__ import annotations

from collector.ohttp.limits import MAX_OBJECT

SMALLEST = 1024
PADDED_MAX = MAX_OBJECT + 32 * 1024  # the largest bucket: an object of MAX_OBJECT bytes and its framing


def bucket(size: int) -> int:
    """The bucket a message of `size` bytes is padded to (`size` itself above PADDED_MAX)."""
    if size > PADDED_MAX:
        return size
    step = SMALLEST
    while True:
        for candidate in (step, step + step // 2):
            if size <= candidate:
                return min(candidate, PADDED_MAX)
        step *= 2


def pad(message: bytes) -> bytes:
    """`message` with zero bytes after it, up to its bucket."""
    return message + bytes(bucket(len(message)) - len(message))
