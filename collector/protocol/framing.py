"""Messages on the collector socket: a big-endian u32 length, then one msgpack map, at most 16 MiB.

A body may instead be a JSON object (it starts with `{`, which no msgpack map does): the pytest plugin and
the agent hook speak JSON, because they run where only the standard library is (wire.py, which they load
by path, writes and reads it). The daemon answers a connection in the dialect of its first message.

Both dialects are read and written by msgspec. A body that is not one msgpack value or one JSON value
(damaged, cut short, trailing bytes, invalid UTF-8, nested deeper than the interpreter's recursion limit,
NaN in JSON) or is not a map is a FramingError; what a map holds is left to whoever reads it (a step's
schema, the requests). A msgspec Struct in a message (a `Step`) is written as its plain form, the map
`schemas.step_to_dict` gives, so a client can send steps as it built them.

A short-lived command's client (`status`, `note`, `run`: Client's `as_json`) speaks the JSON dialect with
the standard library's json (`encode_plain`, `decode_body(plain=True)`), so that its start-up does not
load msgspec (~10 ms with what it imports): its messages are plain maps, and the daemon's answers in JSON
hold no NaN for the two readers to differ on.

Both ends use these functions: the client on a blocking socket, the daemon on an asyncio stream
(asyncio is imported only there, and msgspec at the first message: every short-lived CLI command loads this
module, and `status` of a collector not running sends none).
"""

from __future__ import annotations

import functools
import json
import struct

from collector.errors import FramingError

TYPE_CHECKING = False  # typing is not loaded at a command's start-up (~3 ms)
if TYPE_CHECKING:
    import _socket  # (socket's C half, which socket.socket extends: the package is no client's start-up)
    import asyncio
    from typing import Any

    import msgspec

MAX_MESSAGE = 16 * 1024 * 1024
_LENGTH = struct.Struct(">I")


class _Codecs:
    """msgspec's four codecs (a plain class: a NamedTuple's making costs every client's start-up ~1 ms)."""

    def __init__(self, to_msgpack: msgspec.msgpack.Encoder, to_json: msgspec.json.Encoder,
                 from_msgpack: msgspec.msgpack.Decoder[Any], from_json: msgspec.json.Decoder[Any]) -> None:
        self.to_msgpack, self.to_json = to_msgpack, to_json
        self.from_msgpack, self.from_json = from_msgpack, from_json


@functools.cache
def _codecs() -> _Codecs:
    """msgspec's encoders and decoders, made at the first message (msgspec takes ~10 ms to import)."""
    # msgspec at the first message (start-up: `status` with no collector sends none)
    import msgspec

    return _Codecs(msgspec.msgpack.Encoder(), msgspec.json.Encoder(enc_hook=str),  # JSON's str() of the rest
                   msgspec.msgpack.Decoder(), msgspec.json.Decoder())


def encode(message: dict[str, Any], *, as_json: bool = False) -> bytes:
    """The framed bytes of one message (msgpack, or JSON for a JSON client); refuses messages above
    MAX_MESSAGE."""
    if as_json:
        try:
            body = _codecs().to_json.encode(message)
        except UnicodeEncodeError:  # a lone surrogate (a path from an undecodable file name), which
            # UTF-8 cannot hold: the standard library writes it `?`, as the pytest plugin does
            body = _plain_body(message)
    else:
        body = _codecs().to_msgpack.encode(message)
    if len(body) > MAX_MESSAGE:
        raise FramingError(f"message of {len(body)} bytes is above the {MAX_MESSAGE}-byte cap")
    return _LENGTH.pack(len(body)) + body


def encode_plain(message: dict[str, Any]) -> bytes:
    """The framed bytes of one message in the JSON dialect, written by the standard library (what `encode`
    writes for a JSON client when msgspec cannot: a lone surrogate as `?`, anything not JSON as its str());
    refuses messages above MAX_MESSAGE."""
    body = _plain_body(message)
    if len(body) > MAX_MESSAGE:
        raise FramingError(f"message of {len(body)} bytes is above the {MAX_MESSAGE}-byte cap")
    return _LENGTH.pack(len(body)) + body


def _plain_body(message: dict[str, Any]) -> bytes:
    """A message as the standard library's compact JSON, UTF-8, a lone surrogate as `?`."""
    text = json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.encode("utf-8", "replace")


def is_json(body: bytes) -> bool:
    """Whether a message body is in the JSON dialect."""
    return body[:1] == b"{"


def decode_body(body: bytes, *, plain: bool = False) -> dict[str, Any]:
    """One message body (msgpack or JSON) back into its map; anything else is a FramingError. `plain`: a
    JSON body read by the standard library's json (a client of the JSON dialect: no msgspec loaded)."""
    json_body = is_json(body)
    try:
        if plain and json_body:
            message = json.loads(body)
        else:
            codecs = _codecs()
            message = (codecs.from_json if json_body else codecs.from_msgpack).decode(body)
    except (ValueError, RecursionError) as exc:  # msgspec.DecodeError and UnicodeDecodeError are ValueErrors
        raise FramingError(f"message is not valid {'JSON' if json_body else 'msgpack'}: {exc}") from None
    if not isinstance(message, dict):
        raise FramingError(f"message is a {type(message).__name__}, expected a map")
    return message


def check_length(head: bytes) -> int:
    """The body length announced by a 4-byte prefix, refused above MAX_MESSAGE."""
    length: int = _LENGTH.unpack(head)[0]
    if length > MAX_MESSAGE:
        raise FramingError(f"message of {length} bytes is above the {MAX_MESSAGE}-byte cap")
    return length


async def read_message(reader: asyncio.StreamReader) -> dict[str, Any] | None:
    """The next message from an asyncio stream, or None at a clean end of stream."""
    body = await read_body(reader)
    return None if body is None else decode_body(body)


async def read_body(reader: asyncio.StreamReader) -> bytes | None:
    """The next message's body, not decoded, from an asyncio stream; None at a clean end of stream."""
    # asyncio (~15 ms) only for the server's reads: clients of the socket read blocking
    import asyncio

    try:
        head = await reader.readexactly(_LENGTH.size)
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise FramingError("connection closed inside a message length") from None
        return None
    length = check_length(head)
    try:
        body = await reader.readexactly(length)
    except asyncio.IncompleteReadError:
        raise FramingError(f"connection closed inside a {length}-byte message") from None
    return body


def _recv_exactly(sock: _socket.socket, size: int) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def recv_message(sock: _socket.socket, *, plain: bool = False) -> dict[str, Any] | None:
    """The next message from a blocking socket, or None at a clean end of stream (`plain`: as
    `decode_body`'s)."""
    head = _recv_exactly(sock, _LENGTH.size)
    if not head:
        return None
    if len(head) < _LENGTH.size:
        raise FramingError("connection closed inside a message length")
    length = check_length(head)
    body = _recv_exactly(sock, length)
    if len(body) < length:
        raise FramingError(f"connection closed inside a {length}-byte message")
    return decode_body(body, plain=plain)
