"""A scripted LSP client that types into a document one keystroke at a time, like an editor.

Hand-written JSON-RPC over stdio (collector never imports pygls). Used by the demo when no
Neovim is installed, and by tests and benchmarks that need a deterministic editor.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from collector.errors import CodetapeError
from collector.text.positions import caret_after, units
from schemas.common import PositionEncoding


def encode_message(payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class LspTypist:
    """Starts an LSP server command and plays the editor's side of the protocol."""

    def __init__(self, command: Sequence[str], root: Path, *, env: dict[str, str] | None = None,
                 encoding: str = "utf-16", client_name: str = "codetape-typist") -> None:
        self.root = root
        self.encoding = encoding
        self._proc = subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL, cwd=root, env=env)
        self._next_id = 0
        self._responses: dict[int, Any] = {}
        self._cond = threading.Condition()
        self.notifications: list[dict[str, Any]] = []
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()
        self._versions: dict[str, int] = {}
        self._texts: dict[str, str] = {}
        self._ends: dict[str, tuple[int, int]] = {}
        result = self.request("initialize", {
            "processId": None, "rootUri": root.as_uri(),
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            "clientInfo": {"name": client_name, "version": "1"},
            "capabilities": {"general": {"positionEncodings": [encoding]},
                             "textDocument": {"synchronization": {"didSave": True}},
                             "window": {"showMessage": {}}}})
        capabilities = result.get("capabilities", {})
        self.server_encoding: PositionEncoding = capabilities.get("positionEncoding", "utf-16")
        self.notify("initialized", {})

    def _send(self, payload: dict[str, Any]) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.write(encode_message({"jsonrpc": "2.0", **payload}))
        self._proc.stdin.flush()

    def _read_loop(self) -> None:
        stream = self._proc.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    with self._cond:
                        self._cond.notify_all()
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            message = json.loads(stream.read(length or 0))
            if "method" in message and "id" in message:
                self._send({"id": message["id"], "result": None})  # accept what the server asks
            elif "method" in message:
                self.notifications.append(message)
            else:
                with self._cond:
                    self._responses[message["id"]] = message
                    self._cond.notify_all()

    def request(self, method: str, params: Any, timeout: float = 20.0) -> Any:
        self._next_id += 1
        request_id = self._next_id
        self._send({"id": request_id, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        with self._cond:
            while request_id not in self._responses:
                left = deadline - time.monotonic()
                if left <= 0 or self._proc.poll() is not None:
                    raise CodetapeError(f"language server did not answer {method}")
                self._cond.wait(left)
        response = self._responses.pop(request_id)
        if "error" in response:
            raise CodetapeError(f"language server refused {method}: {response['error'].get('message')}")
        return response.get("result")

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def open(self, relpath: str, text: str, language_id: str = "python") -> None:
        uri = (self.root / relpath).as_uri()
        self._versions[uri] = 1
        self._texts[uri] = text
        self._ends[uri] = caret_after(0, 0, text, self.server_encoding)
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": language_id, "version": 1, "text": text}})

    def type_text(self, relpath: str, text: str, *, delay: float = 0.0) -> None:
        """Type `text` at the end of the document, one didChange per character."""
        uri = (self.root / relpath).as_uri()
        for ch in text:
            line, character = self._ends[uri]
            self._versions[uri] += 1
            self._texts[uri] += ch
            self._ends[uri] = caret_after(line, character, ch, self.server_encoding)
            position = {"line": line, "character": character}
            self.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": self._versions[uri]},
                "contentChanges": [{"range": {"start": position, "end": position}, "text": ch}]})
            if delay:
                time.sleep(delay)

    def replace(self, relpath: str, old: str, new: str) -> None:
        """Replace the first `old` (within one line) by `new` with one ranged didChange."""
        uri = (self.root / relpath).as_uri()
        text = self._texts[uri]
        start = text.index(old)
        line = text.count("\n", 0, start)
        column = start - (text.rfind("\n", 0, start) + 1)
        line_start = text[start - column : start]
        character = units(line_start, self.server_encoding)
        begin = {"line": line, "character": character}
        end = {"line": line, "character": character + units(old, self.server_encoding)}
        self._texts[uri] = text[:start] + new + text[start + len(old) :]
        self._ends[uri] = caret_after(0, 0, self._texts[uri], self.server_encoding)
        self._versions[uri] += 1
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": self._versions[uri]},
            "contentChanges": [{"range": {"start": begin, "end": end}, "text": new}]})

    def save(self, relpath: str) -> str:
        """Write the document to disk and send didSave with its text; returns the text saved."""
        uri = (self.root / relpath).as_uri()
        text = self._texts[uri]
        (self.root / relpath).write_text(text, encoding="utf-8", newline="")
        self.notify("textDocument/didSave", {"textDocument": {"uri": uri}, "text": text})
        return text

    def close(self, relpath: str) -> None:
        self.notify("textDocument/didClose", {"textDocument": {"uri": (self.root / relpath).as_uri()}})

    def shutdown(self, timeout: float = 10.0) -> int:
        try:
            self.request("shutdown", None, timeout=timeout)
            self.notify("exit", None)
        except (CodetapeError, BrokenPipeError, OSError):
            self._proc.kill()
        try:
            return self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            return self._proc.wait()
