"""A threading HTTP server that bounds what idle and half-sent requests can take (the issuer, the gateway).

Anyone who can connect can hold a connection open, so: each connection serves one request, at most
`max_connections` are open at once (when one more comes, the oldest still sending its request is shed,
one `note` line each), the listen backlog is BACKLOG; the handler closes a connection that sends nothing
for its `timeout`. A request that was read whole is no longer one to shed (`read`).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from abc import ABCMeta, abstractmethod
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_CONNECTIONS = 128  # served at once
BACKLOG = 1024


class BoundedServer(ThreadingHTTPServer, metaclass=ABCMeta):
    daemon_threads = True
    request_queue_size = BACKLOG

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], *,
                 max_connections: int = MAX_CONNECTIONS) -> None:
        super().__init__(address, handler)
        self.max_connections = max_connections
        self._open_lock = threading.Lock()
        self._reading: dict[socket.socket, None] = {}  # connections still sending their request, oldest first
        self._open = 0

    @abstractmethod
    def note(self, line: str) -> None:
        """One line in the server's own log (each server says where)."""

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve a connection in a thread of its own; when `max_connections` are open, first shed the
        oldest still sending its request."""
        with self._open_lock:
            shed = next(iter(self._reading), None) if self._open >= self.max_connections else None
            if shed is not None:
                del self._reading[shed]
            self._open += 1
            self._reading[request] = None
        if shed is not None:
            with contextlib.suppress(OSError):
                shed.shutdown(socket.SHUT_RDWR)
            self.note(f"refused a connection still sending its request: {self.max_connections} were open")
        super().process_request(request, client_address)

    def read(self, request: socket.socket) -> None:
        """The connection has sent its whole request: it is no longer one to shed."""
        with self._open_lock:
            self._reading.pop(request, None)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._reading.pop(request, None)
            self._open -= 1
        super().shutdown_request(request)
