"""The gateway's HTTP server: a sealed request in, a sealed answer out.

The relay POSTs `message/ohttp-req`; the gateway opens it with its private key, decides what it may do
(rules.py), writes the object to the store with its own credential or serves its copy of the issuer's
record, and answers `message/ohttp-res` sealed for the client. It reads no header of the request but its
Content-Type and Content-Length: whatever a relay adds (`X-Forwarded-For`, `Forwarded`, `Via`) is never
read, used or logged. Its log (gateway.log, 0600) says when it started, what the store or the issuer
failed at, and when connections were shed, stamped with the UTC day only; never what a request held,
which object it named or where it came from.

Answers say as little as they can: a request that does not open (another key, altered, cut short, not
`message/ohttp-req`, over MAX_REQUEST) gets one plain 400 of fixed bytes; a request that opens and may not
be served gets one sealed refusal (403, nothing else), whatever the reason; a write gets 200, or 412 when
the object was there (an episode is never sent twice), or 502 when the store failed. Connections are
bounded as the issuer's are (collector/protocol/bounded_server.py).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Protocol

from collector.gateway.record import RecordCopy
from collector.gateway.rules import ReadRecord, Write, decide
from collector.ohttp import bhttp
from collector.ohttp.encapsulation import Unsealed, open_request
from collector.ohttp.keys import GatewayKey
from collector.ohttp.limits import MAX_OBJECT
from collector.protocol.bounded_server import MAX_CONNECTIONS, BoundedServer
from collector.upload.errors import TransferFailed
from collector.upload.relay import REQUEST_TYPE, RESPONSE_TYPE

READ_TIMEOUT_S = 60.0  # to send a whole request: an episode of MAX_OBJECT bytes over a slow relay
MAX_REQUEST = MAX_OBJECT + 64 * 1024  # the object, its Binary HTTP framing and the encapsulation
PLAIN_ERROR = b"not an oblivious request for this gateway\n"  # the one answer to what does not open
REFUSED = bhttp.Response(403)


class ObjectStore(Protocol):
    def put_checked(self, key: str, data: bytes, checksum: str, *, replace: bool, content_type: str) -> bool:
        """Store the object (False when one was there and `replace` is false)."""


class GatewayServer(BoundedServer):
    def __init__(self, address: tuple[str, int], key: GatewayKey, store: ObjectStore, record: RecordCopy,
                 log: Path, clock: Callable[[], datetime], *, max_connections: int = MAX_CONNECTIONS) -> None:
        super().__init__(address, Handler, max_connections=max_connections)
        self.key = key
        self.store = store
        self.record = record
        self.log = log
        self.clock = clock
        self._log_lock = threading.Lock()

    def note(self, line: str) -> None:
        """One line in gateway.log (0600), stamped with the UTC day only."""
        stamp = self.clock().astimezone(UTC).date().isoformat()
        with self._log_lock, open(self.log, "a", encoding="utf-8", opener=_private) as out:
            out.write(f"{stamp} {line}\n")

    def serve(self, request: bhttp.Request) -> bhttp.Response:
        """The answer to an opened request."""
        action = decide(request)
        if action is None:
            return REFUSED
        if isinstance(action, ReadRecord):
            body = self.record.current()
            if body is None:
                return bhttp.Response(503)
            return bhttp.Response(200, (("content-type", "application/json"),), body)
        return self._write(action)

    def _write(self, write: Write) -> bhttp.Response:
        try:
            written = self.store.put_checked(write.key, write.data, write.checksum, replace=write.replace,
                                             content_type=write.content_type)
        except TransferFailed as exc:
            self.note(f"the store did not take a write: {type(exc).__name__}")
            return bhttp.Response(502)
        return bhttp.Response(200 if written else 412)


class Handler(BaseHTTPRequestHandler):
    server: GatewayServer
    protocol_version = "HTTP/1.1"
    server_version = "codetape-gateway"
    sys_version = ""
    timeout = READ_TIMEOUT_S

    def log_message(self, format: str, *args: Any) -> None:
        """No access log: it would hold the relay's address and each request's size and time."""

    def do_POST(self) -> None:
        sealed = self._body()
        self.server.read(self.connection)
        if sealed is None:
            self._plain_error()
            return
        try:
            opened = open_request(self.server.key, sealed)
            request = bhttp.decode_request(opened.request)
        except (Unsealed, bhttp.MessageError):
            self._plain_error()
            return
        answer = self.server.serve(request)
        self._send(200, RESPONSE_TYPE, opened.seal_response(bhttp.encode_response(answer)))

    def do_GET(self) -> None:
        self.server.read(self.connection)
        self._plain_error()

    do_PUT = do_DELETE = do_HEAD = do_GET

    def _body(self) -> bytes | None:
        """The sealed request, or None when this is not one the gateway could open."""
        if self.headers.get("Content-Type", "").split(";")[0].strip().lower() != REQUEST_TYPE:
            return None
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return None
        if not 0 < length <= MAX_REQUEST:
            return None
        body = self.rfile.read(length)
        return body if len(body) == length else None

    def _plain_error(self) -> None:
        self._send(400, "text/plain", PLAIN_ERROR)

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.close_connection = True  # one request a connection; a body not read is never the next request
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)


def _private(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)
