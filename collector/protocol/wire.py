"""The collector socket for a client that has only the standard library: framing.py's JSON dialect.

Two clients run where codetape's package cannot be imported: the agent hook
(collector/sources/agents/payloads.py, run by path as `PYTHON -P -S`) and the pytest plugin
(collector/sources/pytest_path/codetape_pytest.py, run by whatever interpreter runs pytest). Both load
this file by path (its name there is `codetape_wire`), so it imports only the standard library, and only
its C halves where the package would cost the hook's start-up (`_json`, not `json`, which imports `re` and
`enum`). It runs on Python 3.8 and later (the plugin records nothing on older ones).

What they share: `settings_root`, the pre-filter that finds a `.codetape.toml` at or above a folder (stat
calls only; the collector decides whether a workspace is opted in), and the framing (framing.py's: a
big-endian u32 length, then one JSON object, UTF-8), written by `write` and read by `read`, with the
standard library's JSON (`dumps`, `loads`: json.dumps's and json.loads's results, faster to load).
tests/unit/protocol/test_wire.py holds these bytes to framing.py's, both ways.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time (its import costs the hook a few ms)
    from typing import Any

SETTINGS_FILE = ".codetape.toml"  # schemas.settings.SETTINGS_FILE (this file imports no codetape)
MAX_REPLY = 1 << 20  # the longest answer a client reads; a longer one is no answer


def settings_root(path: str) -> str | None:
    """The nearest folder at or above `path` holding a `.codetape.toml` (stat calls only): a pre-filter;
    the collector decides whether it is an opted-in workspace."""
    current = os.path.abspath(path)
    while True:
        if os.path.isfile(os.path.join(current, SETTINGS_FILE)):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def write(sock: Any, *messages: dict[str, Any]) -> None:
    """Messages in the collector's framing, sent at once: each a big-endian u32 length, then a JSON
    object (a lone surrogate, which UTF-8 cannot hold, as `?`)."""
    out = b""
    for message in messages:
        body = dumps(message).encode("utf-8", "replace")
        out += len(body).to_bytes(4, "big") + body
    sock.sendall(out)


def read(sock: Any) -> dict[str, Any]:
    """The collector's next message (its answers to a JSON client are JSON); {} at the end of the stream,
    or for an answer above MAX_REPLY, not JSON or not an object."""
    head = _exactly(sock, 4)
    if len(head) < 4:
        return {}
    length = int.from_bytes(head, "big")
    if length > MAX_REPLY:
        return {}
    try:
        message = loads(_exactly(sock, length))
    except ValueError:
        return {}
    return message if isinstance(message, dict) else {}


def _exactly(sock: Any, size: int) -> bytes:
    chunks = []
    while size > 0:
        chunk = sock.recv(min(size, 65536))
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


class _Plain:
    """What json's C scanner reads of a decoder: json.loads's defaults."""

    strict = True
    object_hook = object_pairs_hook = None
    parse_float, parse_int = float, int
    parse_constant = float  # NaN, Infinity, -Infinity


def loads(data: bytes) -> object:
    """json.loads(data), through json's own C scanner where it is (the `json` package imports `re` and
    `enum`: a third of the hook's cost past the interpreter's start); anything the fast way does not take
    (and every error, so its message is json's) goes through json.loads."""
    try:
        # the hook's start-up: json's C half, not the json package
        import _json

        text = data.decode("utf-8")
        start = len(text) - len(text.lstrip(" \t\n\r"))
        value, end = _json.make_scanner(_Plain())(text, start)  # type: ignore[arg-type]
        if not text[end:].strip(" \t\n\r"):
            return value
    except RecursionError:
        raise
    except Exception:  # json.loads below says what is wrong
        pass
    # the hook's start-up: the json package only for what the C decoder does not take
    import json

    return json.loads(data)


def dumps(message: dict[str, Any]) -> str:
    """json.dumps(message, ensure_ascii=False, separators=(",", ":")), through json's C encoder if any."""
    try:
        # the hook's start-up: json's C half, not the json package
        import _json

        encode = _json.make_encoder(None, _unserializable, _json.encode_basestring, None, ":", ",", False,
                                    False, True)
        return "".join(encode(message, 0))
    except (ImportError, TypeError, ValueError):
        # the hook's start-up: the json package only when the C encoder is missing
        import json

        return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def _unserializable(value: object) -> object:
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
