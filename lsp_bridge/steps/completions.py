"""What a completion request and its answer hold for the bridge, inline or not: the caret and the items."""

from __future__ import annotations

from typing import Any

from lsp_bridge.errors import MalformedMessage
from lsp_bridge.steps.translate import obj, position
from schemas.steps.base import Position


def caret_and_items(params: Any, result: Any) -> tuple[Position, list[Any]] | None:
    """The request's caret and the answer's items (a bare list, or the `items` of a CompletionList or an
    InlineCompletionList); None when either is malformed or there is no list."""
    try:
        caret = position(obj(params, "params").get("position"))
    except MalformedMessage:
        return None
    raw = result.get("items") if isinstance(result, dict) else result
    return (caret, raw) if isinstance(raw, list) else None
