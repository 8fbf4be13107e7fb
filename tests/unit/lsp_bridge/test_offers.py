"""lsp_bridge/authorship/offers.py: when an offer is decided and what the decision is, from the changes
that follow."""

from __future__ import annotations

from typing import Any

from lsp_bridge.authorship.offers import Offers, is_ai_server
from lsp_bridge.steps.translate import point
from schemas.steps.base import Position, Range
from schemas.steps.edit import ContentChange

DOC = "file:///w/a.py"
Recorded = list[tuple[dict[str, Any], tuple[int, int]]]  # (fields, the caret's line and character)


def offers() -> tuple[Offers, Recorded]:
    recorded: Recorded = []
    return Offers(lambda uri, fields, caret, variants, at: recorded.append(
        (fields, (caret.line, caret.character)))), recorded


def pos(line: int, character: int) -> Position:
    return Position(line=line, character=character)


def insert(line: int, character: int, text: str) -> list[ContentChange]:
    return [ContentChange(range=point(line, character), text=text)]


def inline(found: Offers, text: str, caret: tuple[int, int] = (1, 4), at: int = 0) -> None:
    params = {"position": {"line": caret[0], "character": caret[1]}}
    found.inline(DOC, params, {"items": [{"insertText": text}]}, "    ", "utf-16", "copilot-ls", at)


def test_typing_through_an_inline_suggestion_keeps_it_and_the_rest_accepted_is_accepted() -> None:
    found, recorded = offers()
    inline(found, "return a")
    found.changed(DOC, insert(1, 4, "r"), None, "utf-16", 1)  # its next character, typed
    assert recorded == []
    found.changed(DOC, insert(1, 5, "eturn a"), None, "utf-16", 2)
    [(fields, caret)] = recorded
    assert (fields["decision"], fields["taken"], fields["items"], caret) == \
        ("accepted", 0, [{"text": "eturn a"}], (1, 5))


def test_a_word_of_an_inline_suggestion_is_partly_accepted_and_a_different_keystroke_is_not_taken() -> None:
    found, recorded = offers()
    inline(found, "return a + b")
    found.changed(DOC, insert(1, 4, "return "), None, "utf-16", 1)
    inline(found, "x = 1", caret=(2, 0), at=2)
    found.changed(DOC, insert(2, 0, "y"), None, "utf-16", 3)
    assert [(f["decision"], f.get("taken_chars"), f["ai"]) for f, _ in recorded] == \
        [("partly_accepted", 7, True), ("not_taken", None, True)]


def test_a_completion_list_stays_open_while_typing_filters_it_and_a_refresh_replaces_it_silently() -> None:
    found, recorded = offers()
    found.completion(DOC, pos(1, 5), ["path", "pardir"], "pylsp", 0)
    found.changed(DOC, insert(1, 5, "t"), None, "utf-16", 1)  # filters the list
    found.completion(DOC, pos(1, 6), ["path"], "pylsp", 2)  # asked again further on: the same menu
    accepted = ContentChange(range=Range(start=pos(1, 3), end=pos(1, 6)), text="path")
    found.changed(DOC, [accepted], 0, "utf-16", 3)
    [(fields, caret)] = recorded
    assert (fields["decision"], fields["items"], fields.get("ai"), caret) == \
        ("accepted", [{"text": "path"}], None, (1, 6))
    found.completion(DOC, pos(3, 1), ["print"], "pylsp", 4)
    found.completion(DOC, pos(7, 0), ["os"], "pylsp", 5)  # another place: the first was not taken
    found.finish(6)
    assert [(f["items"][0]["text"], f["decision"]) for f, _ in recorded[1:]] == \
        [("print", "not_taken"), ("os", "not_taken")]


def test_only_ai_assistants_are_ai_servers() -> None:
    assert is_ai_server("GitHub Copilot Language Server") and is_ai_server("tabnine-lsp")
    assert not is_ai_server("pylsp") and not is_ai_server(None)
