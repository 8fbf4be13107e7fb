"""The one table of text fields (schemas/text_fields.py): every step kind is in it or said to hold no text,
every field it names exists, and mapping reaches nested and listed fields."""

from __future__ import annotations

import msgspec

from schemas import steps as kinds
from schemas.text_fields import FILE_TEXT, FREE_TEXT, NO_TEXT, free_texts, map_free_text


def test_every_kind_is_in_a_table_or_holds_no_text() -> None:
    placed = set(FREE_TEXT) | set(FILE_TEXT) | set(NO_TEXT)
    assert placed == set(kinds.STEP_TYPES)
    assert not set(NO_TEXT) & (set(FREE_TEXT) | set(FILE_TEXT))


def test_every_field_named_exists() -> None:
    for table in (FREE_TEXT, FILE_TEXT):
        for kind, fields in table.items():
            for field in fields:
                model: object = kind
                for part in field.split("."):
                    name = part.removesuffix("[]")
                    hints = {f.name: f.type for f in msgspec.structs.fields(model)}  # type: ignore[arg-type]
                    assert name in hints, f"{kind.kind}: {field}"
                    model = _item_type(hints[name])


def _item_type(hint: object) -> object:
    """The struct a field's items are (for a nested path), else the hint itself."""
    for arg in getattr(hint, "__args__", ()) or ():
        found = _item_type(arg)
        if isinstance(found, type) and issubclass(found, msgspec.Struct):
            return found
    origin = getattr(hint, "__origin__", None)
    if origin is not None and getattr(hint, "__metadata__", None) is not None:
        return _item_type(origin)
    return hint


def test_map_reaches_lists_and_nested_fields_and_keeps_the_step_when_nothing_changes() -> None:
    run = kinds.TestRunStep(t_ms=0, source="pytest", args=["-k", "SECRET"],
                            tests=[kinds.TestOutcome(nodeid="t.py::SECRET", outcome="failed",
                                                     summary="SECRET at 13:14")])
    out = map_free_text(run, lambda text: text.replace("SECRET", "x"))
    assert list(free_texts(out)) == ["-k", "x", "t.py::x", "x at 13:14"]
    assert map_free_text(run, lambda text: text) is run
    git = kinds.GitStep(t_ms=0, source="git", op="commit", sha="a" * 40, message="m", ref=None)
    assert list(free_texts(git)) == ["m"]  # a field holding None is skipped
