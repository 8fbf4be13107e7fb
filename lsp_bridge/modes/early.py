"""Observe mode's first answer: `initialize`, sent before the recording side of the bridge has loaded.

An editor waits for the `initialize` answer before it sends anything else, and the recording side (the
collector's client, the workspaces, the translator) takes a while to import on a loaded machine. So the
bridge reads the first frames itself and answers a well-formed `initialize` at once with the one answer
observe mode gives (`initialize.initialize_result`). Every frame read so far, that request too, is then
handed to the `Observer` in order with the time it arrived; it sets the session up from the request and
does not answer it again. An `initialize` not answered here (malformed, or not the first message) is
the `Observer`'s to answer or refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lsp_bridge.errors import MalformedMessage
from lsp_bridge.wire.framing import Framer, LspFrame, encode, parse
from lsp_bridge.wire.initialize import initialize_result
from lsp_bridge.wire.pipes import Stdin


@dataclass
class Early:
    """What was read before the `Observer`: the frames with their arrival ms, the framer holding any
    partial message, the ids of the requests answered, and whether the input ended."""

    frames: list[tuple[LspFrame, int]] = field(default_factory=list)
    framer: Framer = field(default_factory=Framer)
    answered: set[int | str] = field(default_factory=set)
    ended: bool = False


def _message(frame: LspFrame) -> dict[str, Any] | None:
    if frame.body is None:
        return None
    try:
        message = parse(frame.body)
    except MalformedMessage:  # the Observer's turn: the frame is handed over, and costs a gap there
        return None
    return message if isinstance(message, dict) else None


def answer_initialize(stdin: Stdin, write: Callable[[bytes], None], clock: Callable[[], int]) -> Early:
    """Read up to the editor's first message (its `initialize`), answer it when it is well formed, and
    return everything read."""
    early = Early()
    while True:
        data = stdin.take()
        at = clock()
        if not data:
            if (tail := early.framer.finish()) is not None:
                early.frames.append((tail, at))
            early.ended = True
            return early
        first = None
        for frame in early.framer.feed(data):
            early.frames.append((frame, at))
            message = _message(frame)
            if first is None and message is not None and "method" in message:
                first = message
        if first is None:
            continue
        key = first.get("id")
        if (first.get("method") == "initialize" and first.get("jsonrpc") == "2.0"
                and isinstance(key, int | str) and not isinstance(key, bool)):
            try:
                result = initialize_result(first.get("params"))
            except MalformedMessage:
                return early
            write(encode({"jsonrpc": "2.0", "id": key, "result": result}))
            early.answered.add(key)
        return early
