"""A language server that answers at byte level, for throughput's proxy mode only.

    python bench/raw_echo_server.py

Answers every request at once (`initialize` with incremental sync and hover, anything else with
`null`), ignores notifications, exits on `exit` or end of input. It parses only messages that may be
requests (a body holding `"id"`), and writes all the answers to one read's worth of input at once.

Why not `bench/echo_server.py` (pygls): measured in bench/README.md ("Why two clients and two echo
servers"), a pygls server answers about 2,000 messages/s, an order of magnitude below what the proxy in
front of it forwards, so the run would measure pygls. This one keeps up with any client on the machine.
"""

from __future__ import annotations

import json
import os
import sys

_HEADER_END = b"\r\n\r\n"
CAPABILITIES = {"capabilities": {"textDocumentSync": {"openClose": True, "change": 2, "save": True},
                                 "hoverProvider": True, "documentSymbolProvider": True},
                "serverInfo": {"name": "bench-raw-echo", "version": "1"}}


def answer(body: bytes) -> bytes | None:
    """The response to one message, or None (a notification)."""
    if b'"id"' not in body:
        return None
    message = json.loads(body)
    if "id" not in message or "method" not in message:
        return None
    result = CAPABILITIES if message["method"] == "initialize" else None
    out = json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result},
                     separators=(",", ":")).encode()
    return b"Content-Length: %d\r\n\r\n%b" % (len(out), out)


def _length(header: bytes) -> int:
    for line in header.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    raise SystemExit("bench/raw_echo_server.py: a message without Content-Length")


def serve(fd_in: int = 0, fd_out: int = 1) -> int:
    buffer = b""
    while data := os.read(fd_in, 1 << 20):
        buffer += data
        replies: list[bytes] = []
        position = 0
        while (end := buffer.find(_HEADER_END, position)) >= 0:
            start = end + len(_HEADER_END)
            stop = start + _length(buffer[position:end])
            if stop > len(buffer):
                break
            body = buffer[start:stop]
            position = stop
            if b'"exit"' in body and json.loads(body).get("method") == "exit":
                _write(fd_out, replies)
                return 0
            if (reply := answer(body)) is not None:
                replies.append(reply)
        buffer = buffer[position:]
        _write(fd_out, replies)
    return 0


def _write(fd: int, replies: list[bytes]) -> None:
    view = memoryview(b"".join(replies))
    while view:
        view = view[os.write(fd, view):]


if __name__ == "__main__":
    sys.exit(serve())
