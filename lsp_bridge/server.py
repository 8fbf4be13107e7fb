"""Proxy mode's language server process, started first thing (before argparse and the proxy's own
modules load), so that its start overlaps the bridge's."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence

from lsp_bridge.errors import BridgeError
from lsp_bridge.options import FLAGS, VALUED


def start_server(command: list[str]) -> subprocess.Popen[bytes]:
    """The language server's process, its stdin and stdout piped to the bridge."""
    try:
        return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    except OSError as exc:
        raise BridgeError(f"cannot start the language server {command[0]!r}: {exc.strerror or exc}") from None


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """The language server does not outlive the bridge (a no-op once it has exited)."""
    if server.poll() is None:
        server.kill()
        server.wait()


def early_command(argv: Sequence[str]) -> list[str] | None:
    """The language server command of a plainly formed proxy-mode command line (options the bridge knows,
    then `--` and the command), read before argparse loads; None for anything else, which argparse reads
    as always. The options' values are checked later, by argparse and the bridge."""
    at = 0
    while at < len(argv):
        arg = argv[at]
        if arg == "--":
            return list(argv[at + 1:]) or None
        if arg in FLAGS or (arg.partition("=")[0] in VALUED and "=" in arg):
            at += 1
        elif arg in VALUED and at + 1 < len(argv) and not argv[at + 1].startswith("-"):
            at += 2
        else:
            return None
    return None


def start_early(argv: Sequence[str]) -> subprocess.Popen[bytes] | None:
    """The language server of a plainly formed proxy-mode command line, started now; None when there is
    none, or when it does not start (the bridge then starts it after parsing, and says why it cannot)."""
    command = early_command(argv)
    if command is None:
        return None
    try:
        return start_server(command)
    except BridgeError:
        return None
