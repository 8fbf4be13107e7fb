"""The keystroke path reads a plainly formed change without building the checks' messages
(`translate._plain_change`); whatever it reads, the checked path reads alike, and whatever it leaves
goes through the checks (issue 14)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lsp_bridge import translate as t
from lsp_bridge.errors import MalformedMessage
from tests.examples import examples

NUMBERS = st.one_of(st.integers(-2, 3), st.just(t.MAX_POSITION), st.just(t.MAX_POSITION + 1), st.booleans(),
                    st.floats(0, 3), st.none(), st.text(max_size=2))
POSITIONS = st.one_of(st.fixed_dictionaries({"line": NUMBERS, "character": NUMBERS}), st.none(),
                      st.integers())
CHANGES = st.one_of(
    st.fixed_dictionaries({"range": st.one_of(st.fixed_dictionaries({"start": POSITIONS, "end": POSITIONS}),
                                              st.none(), st.lists(st.integers(), max_size=1)),
                           "text": st.one_of(st.text(max_size=3), st.integers(), st.none())}),
    st.text(max_size=2), st.none())


def checked(item: Any) -> t.Change | str:
    """The change as the checks read it, or their message."""
    try:
        where = item.get("range") if isinstance(item, dict) else None
        text = t.string(t.obj(item, "change").get("text"), "text")
        return t.Change(None if where is None else t.range_(where), text)
    except MalformedMessage as exc:
        return str(exc)


@settings(max_examples=examples(500), deadline=None)
@given(CHANGES)
def test_a_plain_change_is_what_the_checks_read(item: Any) -> None:
    plain = t._plain_change(item)
    if plain is not None:
        assert plain == checked(item)
    outcome: list[t.Change] | str
    try:
        outcome = t.content_changes({"contentChanges": [item]})
    except MalformedMessage as exc:
        outcome = str(exc).replace("contentChanges[0].", "").replace("contentChanges[0]", "change")
    expected = checked(item)
    assert outcome == ([expected] if isinstance(expected, t.Change) else expected)


@pytest.mark.parametrize("bad", [True, -1, t.MAX_POSITION + 1, 1.0, None])
def test_what_the_plain_read_leaves_still_fails_with_the_message(bad: Any) -> None:
    start, end = {"line": 0, "character": bad}, {"line": 0, "character": 0}
    item = {"range": {"start": start, "end": end}, "text": "x"}
    assert t._plain_change(item) is None
    with pytest.raises(MalformedMessage, match=r"contentChanges\[0\]\.range\.start\.character"):
        t.content_changes({"contentChanges": [item]})
