"""`codetape/*` belongs to the bridge: in proxy mode a language server may not send such a message to the
editor (an editor extension acts on `codetape/review` and shows `codetape/status`).

`reserved_method` finds, in a message from the server, a method an editor would read as `codetape/...`,
however the JSON spells it. Most messages are passed after two scans for bytes: the name can only be
written with the letters `codetape` in the clear or with a `\\u00XX` escape of one of them. Only a message
that has them is parsed, and a message that then cannot be read as JSON is refused too (an editor's
parser might read more into it than Python's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lsp_bridge.errors import MalformedMessage
from lsp_bridge.wire.framing import parse

PREFIX = "codetape/"
METHOD_NOT_FOUND = -32601
_ESCAPED_LETTER = re.compile(rb"\\u00(?:6[13-5fF]|7[04])")  # c o d e t a p as \u0063 ...


@dataclass(frozen=True, slots=True)
class Reserved:
    """A server's message naming a codetape method: which, and its request id (None: a notification)."""

    method: str
    request_id: int | str | None = None


def _keep_reserved(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose `method` is a reserved one whenever any of its (duplicate) `method` keys is."""
    obj = dict(pairs)
    for key, value in pairs:
        if key == "method" and isinstance(value, str) and value.startswith(PREFIX):
            obj["method"] = value
    return obj


def reserved_method(body: bytes) -> Reserved | None:
    """The codetape method `body` (one JSON-RPC message from the server) names, if any."""
    if b"codetape" not in body and (b"\\u00" not in body or _ESCAPED_LETTER.search(body) is None):
        return None
    try:
        message = parse(body.decode("utf-8"), object_pairs_hook=_keep_reserved)
    except (UnicodeDecodeError, MalformedMessage):  # not UTF-8, not JSON, or nested too deeply to read
        return Reserved("(a message that cannot be read as JSON and may name a codetape method)")
    for item in message if isinstance(message, list) else [message]:
        method = item.get("method") if isinstance(item, dict) else None
        if isinstance(method, str) and method.startswith(PREFIX):
            request_id = item.get("id")
            plain_id = isinstance(request_id, int | str) and not isinstance(request_id, bool)
            return Reserved(method, request_id if plain_id else None)
    return None


def refusal(reserved: Reserved) -> dict[str, Any]:
    """The error answer to a server's request for a reserved method, so that the server does not wait."""
    message = (f"codetape: {reserved.method} is the bridge's own; a language server's codetape/* messages "
               "are not forwarded to the editor")
    error = {"code": METHOD_NOT_FOUND, "message": message}
    return {"jsonrpc": "2.0", "id": reserved.request_id, "error": error}
