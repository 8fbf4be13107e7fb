"""One connected client of the collector: its source name, its session after a recording hello, and the
messages sent to it (a client that stops reading is let go rather than buffered for without end)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from collector.protocol.framing import encode

if TYPE_CHECKING:
    from collector.daemon.session import Session
    from schemas import ClientInfo

log = logging.getLogger("codetape.collector")
MAX_PENDING_WRITE = 32 * 1024 * 1024  # a peer that leaves this much unread is disconnected


class Connection:
    """One client: its source name and, after a recording hello, its session."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.source = "client"
        self.session: Session | None = None
        self.client: ClientInfo | None = None  # the editor its hello named: an episode credits it its steps
        self.task = asyncio.current_task()
        self.as_json: bool | None = None  # the dialect of its first message (framing.py), kept in answers

    def send(self, message: dict[str, Any]) -> None:
        if self.writer.is_closing():
            return
        self.writer.write(encode(message, as_json=bool(self.as_json)))
        if self.writer.transport.get_write_buffer_size() > MAX_PENDING_WRITE:
            log.warning("disconnecting a client that stopped reading")
            self.writer.transport.abort()
