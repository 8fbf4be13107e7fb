"""collector/reconstruct/offers.py: an offer's place followed through the changes after it, and its
outcome."""

from __future__ import annotations

from collector.reconstruct.offers import Place, move_place, outcome_of
from schemas.steps import OfferStep
from tests.structs import make

CARET = {"start": {"line": 0, "character": 4}, "end": {"line": 0, "character": 4}}
STEP = make(OfferStep, {"t_ms": 0, "source": "bridge", "path": "a.py", "range": CARET, "via": "inline",
                        "evidence": "lsp:textDocument/inlineCompletion", "items": [{"text": "x"}],
                        "decision": "not_taken"})


def place(start: int, end: int) -> Place:
    return Place(STEP, 0, start, end, "", "")


def apply(text: str, spot: Place, a: int, b: int, inserted: str) -> str:
    """`text` with [a, b) replaced, the place moved as the build moves it."""
    if not move_place(spot, a, b, len(inserted), inserted[:1] in ("\n", "\r")) and spot.growing:
        spot.growing = False
    return text[:a] + inserted + text[b:]


def test_typing_at_the_place_joins_it_until_a_line_is_begun_after_it() -> None:
    text, spot = "def f():\n    \n", place(13, 13)
    for at, typed in enumerate("return 1", start=13):
        text = apply(text, spot, at, at, typed)
    text = apply(text, spot, 21, 22, "\n\n")  # Neovim's `o`: the line break replaced by two
    text = apply(text, spot, 22, 22, "x = 2")
    assert text[spot.start:spot.end] == "return 1"


def test_the_place_moves_with_text_in_front_and_keeps_an_edit_inside_once_it_stopped_growing() -> None:
    text, spot = "a = 1\nb = 2\n", place(10, 11)  # the `2`
    text = apply(text, spot, 0, 0, "# head\n")  # in front: moves it, stops its growth
    assert text[spot.start:spot.end] == "2" and not spot.growing
    text = apply(text, spot, spot.end, spot.end, "0")  # right behind it: not its
    text = apply(text, spot, spot.start, spot.end, "3")  # written over, inside
    assert text[spot.start:spot.end] == "3"


def test_outcomes() -> None:
    assert outcome_of("accepted", "return a", "return a", "return a + 1") == "accepted"
    assert outcome_of("accepted", "return a", "return a", "return b") == "overwritten"
    assert outcome_of("partly_accepted", "return ", "return a", "return b") == "partly_accepted"
    assert outcome_of("not_taken", None, "return a", "return b") == "overwritten"
    assert outcome_of("not_taken", None, "return a", "return a") == "retyped"
    assert outcome_of("not_taken", None, "return a", "") == "ignored"
    assert outcome_of("not_taken", None, "return a", None) is None
