"""`codetape issuer serve`: the enrolment protocol (collector/consent/enrol.py describes it) over HTTP.

The standard library's threading HTTP server, one SQLite connection per request. Requests are bounded
(1 MiB of body, at most enrol.MAX_PER_REQUEST blinded messages, each exactly the month key's size and
below its modulus). The server signs what it is sent and forgets it: blinded messages and blind
signatures are never written to the database or the log. The log (issuer.log) says who enrolled, how many
authorisations a member took for which month, and what was refused, each line stamped with the UTC day
only: a time of day would say when a member fetched keys; never a request's body, a credential, a secret
or a client's address. Plain HTTP: a real deployment puts TLS (and SSO, if the members should
authenticate with it) in front, as docs/unlinkable.md's issuer section says.

Anyone who can connect can hold a connection open without a credential, so the server bounds what idle
and half-sent requests can take (collector/protocol/bounded_server.py): a connection that sends nothing
for READ_TIMEOUT_S is closed, each serves one request, at most MAX_CONNECTIONS are open at once (when one
more comes, the oldest still sending its request is shed, one log line each), the listen backlog is
BACKLOG, and `serve` raises its open-file limit to the hard limit. A member's request then gets its
answer while hundreds of half-sent ones wait; a proxy with its own timeouts in front (docs/unlinkable.md)
is the rest.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

from collector.consent import blindrsa
from collector.consent.authorisation import b64, unb64
from collector.consent.enrol import MAX_PER_REQUEST, PATH_AUTHORISE, PATH_ENROL, PATH_RECORD
from collector.issuer.errors import Refused
from collector.issuer.members import enrol, member_of, open_db, reserve
from collector.issuer.state import IssuerState
from collector.protocol.bounded_server import MAX_CONNECTIONS, BoundedServer

MAX_BODY = 1024 * 1024
READ_TIMEOUT_S = 10.0  # to send a whole request (line, headers, body)


class IssuerServer(BoundedServer):
    def __init__(self, address: tuple[str, int], state: IssuerState, clock: Callable[[], datetime], *,
                 max_connections: int = MAX_CONNECTIONS) -> None:
        super().__init__(address, Handler, max_connections=max_connections)
        self.state = state
        self.clock = clock
        self._log_lock = threading.Lock()

    def note(self, line: str) -> None:
        """One line in issuer.log (0600), stamped with the UTC day only."""
        stamp = self.clock().astimezone(UTC).date().isoformat()
        with self._log_lock, open(self.state.log, "a", encoding="utf-8", opener=_private) as log:
            log.write(f"{stamp} {line}\n")


class Handler(BaseHTTPRequestHandler):
    server: IssuerServer
    protocol_version = "HTTP/1.1"
    server_version = "codetape-issuer"
    sys_version = ""
    timeout = READ_TIMEOUT_S  # a connection that sends nothing more for this long is closed

    def log_message(self, format: str, *args: Any) -> None:
        """No access log: the server's own lines (Server.note) say what happened, without addresses."""

    def do_GET(self) -> None:
        self.server.read(self.connection)
        if self.path != PATH_RECORD:
            self._answer(404, {"error": f"no such path: {self.path[:100]}"})
            return
        state = self.server.state
        now = self.server.clock()
        state.ensure_months(now)
        self._send(200, state.record(now))

    def do_POST(self) -> None:
        try:
            payload = self._payload()
            self.server.read(self.connection)
            if self.path == PATH_ENROL:
                answer = self._enrol(payload)
            elif self.path == PATH_AUTHORISE:
                answer = self._authorise(payload)
            else:
                raise Refused(f"no such path: {self.path[:100]}", 404)
        except Refused as exc:
            self.server.note(f"refused {self.path[:100]}: {exc}")
            self.close_connection = True  # a body it did not read must not be taken for the next request
            self._answer(exc.status, {"error": str(exc)})
            return
        except Exception as exc:  # a locked or full database, a key that fails its check: one line, no body
            self.server.note(f"failed {self.path[:100]}: {type(exc).__name__}")
            self.close_connection = True
            self._answer(500, {"error": f"the issuer failed ({type(exc).__name__}): ask its operator (its "
                                        "log has the line)"})
            return
        self._answer(200, answer)

    def _enrol(self, payload: dict[str, Any]) -> dict[str, Any]:
        secret = payload.get("secret")
        if not isinstance(secret, str) or not secret:
            raise Refused("an enrolment needs the secret", 400)
        with open_db(self.server.state.database) as db:
            member, credential = enrol(db, secret, self.server.clock().date().isoformat())
        self.server.note(f"enrolled member {member.name}")
        return {"credential": credential, "issuer": self.server.state.issuer}

    def _authorise(self, payload: dict[str, Any]) -> dict[str, Any]:
        credential = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        state = self.server.state
        epoch = payload.get("epoch")
        epochs = state.ensure_months(self.server.clock())
        if epoch not in epochs:
            said = json.dumps(str(epoch)[:20])[1:-1]  # escaped: a client's text goes into the log
            raise Refused(f"this issuer signs for {' and '.join(epochs)} only, not {said}", 400)
        key = state.month_key(epoch)
        if key is None:  # ensure_months made it; only a folder changed under the server gets here
            raise Refused(f"this issuer has no key for {epoch}", 500)
        blinded = self._blinded(payload.get("blinded"), key.public)
        with open_db(state.database) as db:
            member = member_of(db, credential)
            total = reserve(db, member, epoch, len(blinded))
        signatures = [b64(blindrsa.blind_sign(key, message)) for message in blinded]
        self.server.note(f"authorised {len(blinded)} for member {member.name} in {epoch} "
                         f"({total} of {member.quota})")
        return {"epoch": epoch, "blind_signatures": signatures}

    @staticmethod
    def _blinded(value: object, public: blindrsa.PublicKey) -> list[bytes]:
        if not isinstance(value, list) or not 0 < len(value) <= MAX_PER_REQUEST:
            raise Refused(f"an authorisation request holds 1 to {MAX_PER_REQUEST} blinded messages", 400)
        try:
            messages = [unb64(item, "blinded message") for item in value]
        except ValueError as exc:
            raise Refused(str(exc), 400) from None
        for message in messages:
            if len(message) != public.modulus_len or blindrsa.bytes_to_int(message) >= public.n:
                raise Refused("a blinded message is not of this month's key", 400)
        return messages

    def _payload(self) -> dict[str, Any]:
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            raise Refused("a request needs a Content-Length", 411) from None
        if not 0 <= length <= MAX_BODY:
            raise Refused("a request body is at most 1 MiB", 413)
        try:
            payload = json.loads(self.rfile.read(length))
        except (ValueError, RecursionError):
            payload = None
        if not isinstance(payload, dict):
            raise Refused("a request body is one JSON object", 400)
        return payload

    def _answer(self, status: int, document: dict[str, Any]) -> None:
        self._send(status, json.dumps(document).encode("utf-8"))

    def _send(self, status: int, body: bytes) -> None:
        self.close_connection = True  # one request a connection: an idle one is never kept open
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)


def _private(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)
