"""Proxy mode's language server process, started first thing (before the proxy's own modules load), so
that its start overlaps the bridge's."""

from __future__ import annotations

import subprocess

from lsp_bridge.errors import BridgeError


def start_server(command: list[str]) -> subprocess.Popen[bytes]:
    """The language server's process, its stdin and stdout piped to the bridge."""
    try:
        return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    except OSError as exc:
        raise BridgeError(f"cannot start the language server {command[0]!r}: {exc.strerror or exc}") from None
