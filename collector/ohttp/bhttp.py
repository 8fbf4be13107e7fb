"""Binary HTTP messages (RFC 9292), the known-length form: a request or a response as bytes to be sealed.

Only what a gateway request needs: the control data, a field section, the content; trailers are read
and must be empty when written (none is ever sent); padding (trailing zero bytes) is accepted. Every
length is checked against what is left, so a hostile message raises `MessageError`, never reads past
its end or allocates more than its own size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KNOWN_LENGTH_REQUEST = 0
KNOWN_LENGTH_RESPONSE = 1


class MessageError(ValueError):
    """The bytes are not a known-length Binary HTTP message of the kind expected."""


@dataclass(frozen=True)
class Request:
    method: str
    scheme: str
    authority: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    content: bytes = b""

    def header(self, name: str) -> str | None:
        """The first value of the field `name` (names compared case-insensitively), or None."""
        return _first(self.headers, name)


@dataclass(frozen=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    content: bytes = b""
    informational: tuple[int, ...] = field(default=())

    def header(self, name: str) -> str | None:
        return _first(self.headers, name)


def _first(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in headers if key.lower() == wanted), None)


def varint(value: int) -> bytes:
    """QUIC's variable-length integer (RFC 9000 section 16), the shortest form."""
    if value < 0 or value >= 1 << 62:
        raise MessageError(f"{value} does not fit a variable-length integer")
    for prefix, size in ((0, 1), (1, 2), (2, 4), (3, 8)):
        if value < 1 << (8 * size - 2):
            return (value | prefix << (8 * size - 2)).to_bytes(size, "big")
    raise AssertionError("unreachable")  # pragma: no cover


def _string(data: bytes) -> bytes:
    return varint(len(data)) + data


def _fields(headers: tuple[tuple[str, str], ...]) -> bytes:
    body = b"".join(_string(name.lower().encode("ascii")) + _string(value.encode("latin-1"))
                    for name, value in headers)
    return _string(body)


def encode_request(request: Request) -> bytes:
    control = b"".join(_string(part.encode("ascii")) for part in
                       (request.method, request.scheme, request.authority, request.path))
    return (varint(KNOWN_LENGTH_REQUEST) + control + _fields(request.headers) + _string(request.content)
            + varint(0))


def encode_response(response: Response) -> bytes:
    if not 200 <= response.status <= 599:
        raise MessageError(f"{response.status} is not a final status")
    return (varint(KNOWN_LENGTH_RESPONSE) + varint(response.status) + _fields(response.headers)
            + _string(response.content) + varint(0))


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = memoryview(data)
        self.at = 0

    def varint(self) -> int:
        if self.at >= len(self.data):
            raise MessageError("the message ends inside a length")
        first = self.data[self.at]
        size = 1 << (first >> 6)
        if self.at + size > len(self.data):
            raise MessageError("the message ends inside a length")
        value = int.from_bytes(self.data[self.at:self.at + size], "big") & ((1 << (8 * size - 2)) - 1)
        self.at += size
        return value

    def string(self) -> bytes:
        size = self.varint()
        if size > len(self.data) - self.at:
            raise MessageError("a length runs past the message's end")
        value = bytes(self.data[self.at:self.at + size])
        self.at += size
        return value

    def fields(self) -> tuple[tuple[str, str], ...]:
        """A field section; none when the message ends before it (RFC 9292 3.8: a truncated message)."""
        if self.at == len(self.data):
            return ()
        section = _Reader(self.string())
        out: list[tuple[str, str]] = []
        while section.at < len(section.data):
            name, value = section.string(), section.string()
            try:
                out.append((name.decode("ascii"), value.decode("latin-1")))
            except UnicodeDecodeError:
                raise MessageError("a field name is not ASCII") from None
        return tuple(out)

    def end(self) -> None:
        """Whatever is left is padding: zero bytes only."""
        if any(self.data[self.at:]):
            raise MessageError("bytes after the message that are not padding")

    def trailer(self) -> None:
        """Trailers are read and dropped."""
        self.fields()


def decode_request(data: bytes) -> Request:
    reader = _Reader(data)
    if reader.varint() != KNOWN_LENGTH_REQUEST:
        raise MessageError("not a known-length request")
    try:
        method, scheme, authority, path = (reader.string().decode("ascii") for _ in range(4))
    except UnicodeDecodeError:
        raise MessageError("the request's control data is not ASCII") from None
    headers = reader.fields()
    content = reader.string() if reader.at < len(reader.data) else b""
    reader.trailer()
    reader.end()
    return Request(method, scheme, authority, path, headers, content)


def decode_response(data: bytes) -> Response:
    reader = _Reader(data)
    if reader.varint() != KNOWN_LENGTH_RESPONSE:
        raise MessageError("not a known-length response")
    informational: list[int] = []
    while True:
        status = reader.varint()
        if 100 <= status <= 199:
            informational.append(status)
            reader.fields()
            continue
        if not 200 <= status <= 599:
            raise MessageError(f"{status} is not an HTTP status")
        break
    headers = reader.fields()
    content = reader.string() if reader.at < len(reader.data) else b""
    reader.trailer()
    reader.end()
    return Response(status, headers, content, tuple(informational))
