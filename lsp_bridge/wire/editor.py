"""The bridge's own messages to the editor, the same in both modes: notifications, and requests whose
answers come back among what the editor sends.

A request carries a string id `codetape-N`, so that its answer is told apart from the editor's traffic
with its language server (in proxy mode the answer is kept from the server). `write` takes one framed
message and may be called from any thread: observe mode's stdout, proxy mode's `Outlet` to the editor.
What an answer causes runs on a thread of its own, so neither the forwarding path nor observe mode's
reading waits for it.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

from lsp_bridge.errors import MalformedMessage
from lsp_bridge.wire.framing import encode, parse

Answered = Callable[[dict[str, Any]], None]


def _nobody(message: dict[str, Any]) -> None:
    """What an answer nobody waits for causes: nothing (it is still kept from the language server)."""


def _title(message: dict[str, Any]) -> str | None:
    """The action chosen in an answer to window/showMessageRequest (None: dismissed, or an error)."""
    result = message.get("result")
    title = result.get("title") if isinstance(result, dict) else None
    return title if isinstance(title, str) else None


class Editor:
    def __init__(self, write: Callable[[bytes], None]) -> None:
        self._write = write
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._waiting: dict[str, Answered] = {}

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._write(encode({"jsonrpc": "2.0", "method": method, "params": params}))

    def request(self, method: str, params: dict[str, Any], answered: Answered = _nobody) -> None:
        """Send a request; `answered` gets the editor's answer (a result or an error) when it comes."""
        key = f"codetape-{next(self._ids)}"
        with self._lock:
            self._waiting[key] = answered
        self._write(encode({"jsonrpc": "2.0", "id": key, "method": method, "params": params}))

    def ask(self, message: str, actions: tuple[str, ...], answer: Callable[[str | None], None]) -> None:
        """window/showMessageRequest; `answer` gets the chosen action's title, or None."""
        params = {"type": 3, "message": message, "actions": [{"title": a} for a in actions]}
        self.request("window/showMessageRequest", params, lambda reply: answer(_title(reply)))

    def answered(self, message: dict[str, Any]) -> bool:
        """True when `message` answers one of the bridge's own requests (what it causes then starts)."""
        key = message.get("id")
        if "method" in message or not isinstance(key, str):
            return False
        with self._lock:
            answered = self._waiting.pop(key, None)
        if answered is None:
            return False
        threading.Thread(target=answered, args=(message,), name="codetape-answer", daemon=True).start()
        return True

    def claim(self, body: bytes) -> bool:
        """(proxy mode's forwarding thread) `answered`, for a frame's body: only a small body that
        names a `codetape-` id is parsed at all."""
        if len(body) > 65536 or b'"codetape-' not in body:
            return False
        try:
            message = parse(body)
        except MalformedMessage:  # forwarded, and the translator makes it a gap
            return False
        return isinstance(message, dict) and self.answered(message)
