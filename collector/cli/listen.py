"""`--listen HOST:PORT` as the servers codetape runs (the issuer, the gateway) read it."""

from __future__ import annotations

from collector.errors import UsageError


def listen_address(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        raise UsageError(f"--listen is HOST:PORT, not {listen!r}")
    return host.strip("[]"), int(port)
