"""The least a Python proxy can be, for bench.lsp_overhead: bytes copied both ways, nothing else.

    python bench/pipe_relay.py SERVER ARGS...

Starts SERVER with its stdin and stdout piped to this process, then two threads copy bytes as they
come, stdin -> server and server -> stdout, with os.read and os.write: no framing, no parsing, no
recording (the shape of codetape's proxy without its work: the main thread reads the server, another
thread reads the editor). End of input closes the server's input; the relay exits with the server's
status once the server's output ends. Run by path (the benchmark's servers run in its workspace).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading

CHUNK = 256 * 1024


def copy(source: int, target: int) -> None:
    """Copy until end of input (or a broken pipe); every chunk written whole."""
    while True:
        try:
            data = os.read(source, CHUNK)
        except OSError:
            return
        if not data:
            return
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(target, view):]
        except OSError:
            return


def _editor_to_server(server: subprocess.Popen[bytes]) -> None:
    assert server.stdin is not None
    copy(0, server.stdin.fileno())
    server.stdin.close()


def main(argv: list[str]) -> int:
    if not argv:
        raise SystemExit("usage: python bench/pipe_relay.py SERVER ARGS...")
    server = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    threading.Thread(target=_editor_to_server, args=(server,), daemon=True).start()
    assert server.stdout is not None
    copy(server.stdout.fileno(), 1)
    return server.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
