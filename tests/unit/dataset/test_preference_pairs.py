"""collector/reconstruct/offers.py `pair`: a preference's two sides over one span of the file's settled
text, so that context_before + chosen + context_after is that text and context_before + rejected +
context_after the text with the offered item in the developer's text's place (a whole line retyped over
its indentation, a word completed mid-word, an inline suggestion typed over)."""

from __future__ import annotations

from typing import Any

import pytest

from collector.reconstruct.offer_rule import preferred
from collector.reconstruct.offers import Places, outcome, pair
from collector.reconstruct.workspace import Workspace
from schemas.steps import EditStep, OfferStep, OpenStep, Step
from tests.structs import make


def at(line: int, character: int, to: tuple[int, int] | None = None) -> dict[str, Any]:
    end = to or (line, character)
    return {"start": {"line": line, "character": character}, "end": {"line": end[0], "character": end[1]}}


def offer(where: dict[str, Any], item: str, via: str = "inline", **more: Any) -> OfferStep:
    evidence = "lsp:textDocument/inlineCompletion" if via == "inline" else "lsp:textDocument/completion"
    return make(OfferStep, {"t_ms": 1, "source": "bridge", "path": "a.py", "range": where, "via": via,
                            "evidence": evidence, "ai": True, "items": [{"text": item}],
                            "decision": "not_taken", **more})


def edit(where: dict[str, Any], text: str) -> EditStep:
    return make(EditStep, {"t_ms": 2, "source": "bridge", "path": "a.py",
                           "changes": [{"range": where, "text": text}]})


def typing(line: int, character: int, text: str) -> list[EditStep]:
    """`text` typed a character at a time from (line, character), on one line."""
    return [edit(at(line, character + n), char) for n, char in enumerate(text)]


def replayed(text: str, steps: list[Step]) -> tuple[Places, Workspace]:
    workspace, places = Workspace("utf-16"), Places()
    opened = make(OpenStep, {"t_ms": 0, "source": "bridge", "path": "a.py", "text": text})
    for index, step in enumerate([opened, *steps]):
        places.before(index, step, workspace)
        workspace.apply(step)
    places.finish(workspace)
    return places, workspace


CASES = {
    # a whole line retyped over the caret after its indentation (Neovim's `cc`, a selected line typed over)
    "whole line": ("def mul(a, b):\n    \n\nprint(1)\n", offer(at(1, 4), "return a + b"),
                   [edit(at(1, 0, (1, 4)), "    return a * b")],
                   "def mul(a, b):\n    return a + b\n\nprint(1)\n",
                   ("def mul(a, b):\n    ", "return a * b", "return a + b", "\n\nprint(1)\n")),
    # the same with the indentation changed, and a line further down edited after: the settled text
    "whole line, indented anew": (
        "def mul(a, b):\n    \n\nprint(1)\n", offer(at(1, 4), "return a + b"),
        [edit(at(1, 0, (1, 4)), "  return a * b"), edit(at(3, 6, (3, 7)), "2")],
        "def mul(a, b):\n    return a + b\n\nprint(2)\n",
        ("def mul(a, b):\n  ", "return a * b", "  return a + b", "\n\nprint(2)\n")),
    # a completion item offered mid-word replaces what is typed of it; the developer typed on otherwise
    "mid-word": ("import os\nos.pa\n", offer(at(1, 5), "path", "completion"), typing(1, 5, "rent"),
                 "import os\nos.path\n", ("import os\nos.pa", "rent", "th", "\n")),
    # or wrote another word over it
    "word replaced": ("import os\nos.pa\n", offer(at(1, 5), "path", "completion"),
                      [edit(at(1, 3, (1, 5)), "getcwd()")], "import os\nos.path\n",
                      ("import os\nos.", "getcwd()", "path", "\n")),
    # an inline suggestion in the middle of a line, typed over a character at a time
    "inline": ("x = compute(\ny = 2\n", offer(at(0, 12), "a, b)"), typing(0, 12, "b, a)"),
               "x = compute(a, b)\ny = 2\n", ("x = compute(", "b, a)", "a, b)", "\ny = 2\n")),
    # partly accepted (a word), then the developer's own
    "inline, partly taken": (
        "def sub(a, b):\n    ", offer(at(1, 4), "return a - b  # minus", decision="partly_accepted", taken=0,
                                       taken_chars=7),
        [edit(at(1, 4), "return "), *typing(1, 11, "b - a")], "def sub(a, b):\n    return a - b  # minus",
        ("def sub(a, b):\n    ", "return b - a", "return a - b  # minus", "")),
}


@pytest.mark.parametrize("case", CASES)
def test_both_sides_make_the_file_with_the_context(case: str) -> None:
    text, offered, steps, applied, expected = CASES[case]
    places, workspace = replayed(text, [offered, *steps])
    [place] = places.all
    assert preferred(place), outcome(place)
    sides = pair(place)
    assert (sides.context_before, sides.chosen, sides.rejected, sides.context_after) == expected
    assert sides.context_before + sides.chosen + sides.context_after == workspace.text("a.py")
    assert sides.context_before + sides.rejected + sides.context_after == applied


def test_a_word_typed_as_offered_is_retyped_and_a_line_begun_after_the_typed_part_ignored() -> None:
    places, _ = replayed("import os\nos.pa\n", [offer(at(1, 5), "path", "completion"), *typing(1, 5, "th")])
    [place] = places.all
    assert (place.settled, outcome(place), preferred(place)) == ("path", "retyped", False)
    places, _ = replayed("import os\nos.pa", [offer(at(1, 5), "path", "completion"), edit(at(1, 5), "\n")])
    [place] = places.all
    assert (place.settled, outcome(place), preferred(place)) == ("pa", "ignored", False)
