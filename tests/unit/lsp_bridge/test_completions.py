"""A completion request's caret and its answer's items, whether the answer is a bare list or a list
object (CompletionList, InlineCompletionList); nothing when either is malformed."""

from __future__ import annotations

from lsp_bridge.steps.completions import caret_and_items
from schemas.steps.base import Position

PARAMS = {"textDocument": {"uri": "file:///w/a.py"}, "position": {"line": 2, "character": 4}}


def test_a_bare_list_and_a_list_object_give_the_same_items() -> None:
    items = [{"label": "print"}, {"label": "property"}]
    assert caret_and_items(PARAMS, items) == (Position(line=2, character=4), items)
    assert caret_and_items(PARAMS, {"isIncomplete": False, "items": items}) == (Position(line=2, character=4),
                                                                               items)


def test_no_list_or_no_caret_is_nothing() -> None:
    assert caret_and_items(PARAMS, None) is None
    assert caret_and_items(PARAMS, {"items": "print"}) is None
    assert caret_and_items({"position": {"line": -1}}, []) is None
    assert caret_and_items("params", []) is None
