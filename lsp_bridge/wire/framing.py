"""The LSP base protocol on the wire: `Content-Length` headers and bodies, split without judging them.

`Framer.feed` turns a byte stream into frames whose `raw` bytes, concatenated, are exactly the bytes
fed. Damage never stops the stream: bytes that do not form a message become a `junk` frame with an
`error` (a proxy drops them, so both ends stay in step), and a message larger than the cap is passed
through in pieces (`complete` is False until its last byte). Every message is forwarded as its `raw`
bytes, unchanged; only the recorder looks at `body`, and every look goes through `parse`, which refuses
what json.loads cannot read without raising anything else (deep nesting raises RecursionError there).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lsp_bridge.errors import MalformedMessage

MAX_BODY = 64 * 1024 * 1024
MAX_HEADER = 64 * 1024
_HEADER_END = b"\r\n\r\n"
_FIELD_START = re.compile(rb"content-length[ \t]*:", re.IGNORECASE)
_PLAIN_HEADER = re.compile(rb"Content-Length: ([0-9]{1,15})\r\n\r\n")


@dataclass(frozen=True, slots=True)
class LspFrame:
    """One piece of the stream. `body` is set only for a whole, well-delimited message."""

    raw: bytes
    body: bytes | None = None
    error: str | None = None
    complete: bool = True
    junk: bool = False


def _content_length(header: bytes) -> int | None:
    """The single Content-Length of a header block (without its final blank line), or None."""
    lengths = set()
    for line in header.split(b"\r\n"):
        name, sep, value = line.partition(b":")
        if not sep:
            return None
        if name.strip().lower() == b"content-length":
            value = value.strip()
            if not value.isdigit() or len(value) > 15:
                return None
            lengths.add(int(value))
    return lengths.pop() if len(lengths) == 1 else None


class Framer:
    """Incremental splitter for one direction of an LSP connection."""

    def __init__(self, *, max_body: int = MAX_BODY, max_header: int = MAX_HEADER) -> None:
        self.max_body = max_body
        self.max_header = max_header
        self._buffer = bytearray()
        self._passthrough = 0

    @property
    def in_message(self) -> bool:
        """True while an oversized message is being passed through (nothing may be inserted)."""
        return self._passthrough > 0

    @property
    def pending(self) -> int:
        """Bytes held back because they do not complete a frame yet."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[LspFrame]:
        """Frames completed by `data`, in order."""
        # most reads: one whole message with the plain header, framed without the buffer
        plain = None if self._buffer or self._passthrough else _PLAIN_HEADER.match(data)
        if plain is not None and len(data) - plain.end() == int(plain[1]) <= self.max_body:
            return [LspFrame(data, body=data[plain.end():])]
        frames: list[LspFrame] = []
        if self._passthrough and data:
            piece = data[: self._passthrough]
            self._passthrough -= len(piece)
            frames.append(LspFrame(piece, complete=self._passthrough == 0))
            data = data[len(piece) :]
        if data:
            self._buffer += data
        while self._buffer and not self._passthrough:
            frame = self._next()
            if frame is None:
                break
            frames.append(frame)
        return frames

    def finish(self) -> LspFrame | None:
        """At the end of the stream: whatever was held back, as a damaged frame."""
        if not self._buffer:
            return None
        raw = bytes(self._buffer)
        self._buffer.clear()
        return LspFrame(raw, error=f"stream ended inside a message ({len(raw)} bytes)", junk=True)

    def _take(self, n: int) -> bytes:
        piece = bytes(self._buffer[:n])
        del self._buffer[:n]
        return piece

    def _next(self) -> LspFrame | None:
        plain = _PLAIN_HEADER.match(self._buffer)
        if plain is not None:  # the header every client writes, read as `_content_length` reads it
            end, length = plain.end() - len(_HEADER_END), int(plain[1])
        else:
            end = self._buffer.find(_HEADER_END)
            if end < 0:
                if len(self._buffer) > self.max_header:
                    keep = len(_HEADER_END) - 1
                    raw = self._take(len(self._buffer) - keep)
                    return LspFrame(raw, error=f"{len(raw)} bytes without a message header", junk=True)
                return None
            junk = self._header_length(end)
            if isinstance(junk, LspFrame):
                return junk
            length = junk
        total = end + len(_HEADER_END) + length
        if length > self.max_body:
            raw = self._take(end + len(_HEADER_END))
            body_here = self._take(min(length, len(self._buffer)))
            self._passthrough = length - len(body_here)
            error = f"message of {length} bytes exceeds the {self.max_body} byte cap"
            return LspFrame(raw + body_here, error=error, complete=self._passthrough == 0)
        if len(self._buffer) < total:
            return None
        raw = self._take(total)
        return LspFrame(raw, body=raw[end + len(_HEADER_END) :])

    def _header_length(self, end: int) -> LspFrame | int:
        """The Content-Length of the header block ending at `end`, or the damaged frame it makes."""
        header = bytes(self._buffer[:end])
        length = _content_length(header)
        if length is None:
            start = self._resync_point(header)
            if start > 0:
                return LspFrame(self._take(start), error="bytes before a message header", junk=True)
            raw = self._take(end + len(_HEADER_END))
            shown = header[:80].decode("ascii", "backslashreplace")
            return LspFrame(raw, error=f"header without a valid Content-Length: {shown!r}", junk=True)
        return length

    @staticmethod
    def _resync_point(header: bytes) -> int:
        """Where a valid header starts inside a damaged block (0: nowhere better)."""
        for match in reversed(list(_FIELD_START.finditer(header))):
            if match.start() > 0 and _content_length(header[match.start() :]) is not None:
                return match.start()
        return 0


def parse(body: bytes | str, *,
          object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None) -> Any:
    """A message body as JSON values; MalformedMessage, with one line saying why, when it cannot be read.

    json.loads raises RecursionError, not ValueError, for a body nested deeper than the interpreter's
    recursion limit (about 3 KB of `[` and `]` is enough): caught here, so no reader of editor or server
    JSON stops on it.
    """
    try:
        return json.loads(body, object_pairs_hook=object_pairs_hook)
    except ValueError as exc:
        raise MalformedMessage(f"invalid JSON ({exc})") from None
    except RecursionError:
        raise MalformedMessage("JSON nested too deeply to read") from None


def encode(payload: dict[str, Any]) -> bytes:
    """One JSON-RPC message with its header, as the bridge writes its own messages."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body
