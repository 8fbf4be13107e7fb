"""A byte-level LSP client over a subprocess's pipes, for throughput's proxy mode only.

Every other benchmark drives servers with pygls's client (`tests/support/lsp_client.py`). Here a stream of
pre-framed messages is written from one thread while this one reads the answers; nothing but `os.read`,
a header scan and a `json.loads` of the answers stands between the pipe and the count. Why: measured in
bench/README.md ("Why two clients and two echo servers"), pygls's client gets through such a stream at
about a fifth of this client's rate with no proxy at all, and at about a quarter of it through
codetape, so the run would measure the client.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

_HEADER_END = b"\r\n\r\n"


class ServerGone(Exception):
    """The server closed its output or did not answer in time."""


def frame(payload: Mapping[str, Any]) -> bytes:
    """One LSP message, Content-Length framed (compact JSON, UTF-8)."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n%b" % (len(body), body)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class LspProcess:
    """One language server (or a proxy in front of one), driven from the calling thread."""

    def __init__(self, argv: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None = None,
                 stderr: Path | None = None, name: str = "") -> None:
        self.name = name or Path(argv[0]).name
        err = open(stderr, "ab") if stderr is not None else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.proc = subprocess.Popen(list(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=err, cwd=cwd, env=dict(env) if env is not None else None,
                                         bufsize=0)
        finally:
            if not isinstance(err, int):
                err.close()
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in = self.proc.stdin.fileno()
        self._out = self.proc.stdout.fileno()
        self._buffer = bytearray()
        self._ids = 0
        self.notifications = 0

    @property
    def pid(self) -> int:
        return self.proc.pid

    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    # -- writing -------------------------------------------------------------------------------------

    def send_raw(self, data: bytes) -> None:
        write_all(self._in, data)

    def notify(self, method: str, params: Any) -> None:
        self.send_raw(frame({"jsonrpc": "2.0", "method": method, "params": params}))

    def request_bytes(self, method: str, params: Any) -> tuple[int, bytes]:
        key = self.next_id()
        return key, frame({"jsonrpc": "2.0", "id": key, "method": method, "params": params})

    # -- reading -------------------------------------------------------------------------------------

    def _fill(self, deadline: float) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise ServerGone(f"{self.name}: no answer in time")
        ready, _, _ = select.select([self._out], [], [], left)
        if not ready:
            raise ServerGone(f"{self.name}: no answer in time")
        data = os.read(self._out, 1 << 20)
        if not data:
            raise ServerGone(f"{self.name}: the server closed its output")
        self._buffer += data

    def _take(self) -> bytes | None:
        end = self._buffer.find(_HEADER_END)
        if end < 0:
            return None
        length = None
        for line in bytes(self._buffer[:end]).split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            raise ServerGone(f"{self.name}: a message without Content-Length")
        start = end + len(_HEADER_END)
        if len(self._buffer) < start + length:
            return None
        body = bytes(self._buffer[start:start + length])
        del self._buffer[:start + length]
        return body

    def read_body(self, timeout: float = 30.0) -> bytes:
        """The next message's body, raw."""
        deadline = time.monotonic() + timeout
        while (body := self._take()) is None:
            self._fill(deadline)
        return body

    def wait_for(self, key: int, timeout: float = 30.0) -> dict[str, Any]:
        """Read until the response to request `key`; answer the server's requests on the way."""
        deadline = time.monotonic() + timeout
        while True:
            message: dict[str, Any] = json.loads(self.read_body(max(0.0, deadline - time.monotonic())))
            if "method" in message:
                if "id" in message:
                    self.send_raw(frame({"jsonrpc": "2.0", "id": message["id"], "result": None}))
                else:
                    self.notifications += 1
                continue
            if message.get("id") == key:
                return message

    def request(self, method: str, params: Any, timeout: float = 30.0) -> Any:
        key, data = self.request_bytes(method, params)
        self.send_raw(data)
        message = self.wait_for(key, timeout)
        if "error" in message:
            raise ServerGone(f"{self.name}: {method} failed: {message['error']}")
        return message.get("result")

    # -- the session ---------------------------------------------------------------------------------

    def initialize(self, root: Path, *, encoding: str = "utf-16") -> dict[str, Any]:
        result = self.request("initialize", {
            "processId": os.getpid(), "rootUri": root.as_uri(),
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            "clientInfo": {"name": "codetape-bench-raw", "version": "1"},
            "capabilities": {"general": {"positionEncodings": [encoding]},
                             "textDocument": {"synchronization": {"didSave": True},
                                              "hover": {"contentFormat": ["plaintext"]},
                                              "documentSymbol": {"hierarchicalDocumentSymbolSupport": True}},
                             "window": {"showMessage": {}}}}, timeout=60.0)
        self.notify("initialized", {})
        return result if isinstance(result, dict) else {}

    def shutdown(self, timeout: float = 20.0) -> int:
        """shutdown + exit, then wait; killed when it does not go."""
        with contextlib.suppress(ServerGone, OSError):
            self.request("shutdown", None, timeout=timeout)
            self.notify("exit", None)
        assert self.proc.stdin is not None
        with contextlib.suppress(OSError):
            self.proc.stdin.close()
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.proc.wait()

    def __enter__(self) -> LspProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        """Leaving the block by an exception kills the server; a normal exit expects `shutdown` first."""
        if exc[0] is not None:
            self.kill()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
