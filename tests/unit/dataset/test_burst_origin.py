"""Whose work an edit burst's `transitions` row is (collector/dataset/rows/transitions.py `_Action.whose`)
when some of its edits only deleted (issue 54, item 8)."""

from __future__ import annotations

from typing import Any

from tests.unit.dataset.test_survival import edit, opened, tables


def keyed(data: dict[str, Any], detail: str) -> dict[str, Any]:
    return {**data, "origin_detail": detail}


def whose(*edits: dict[str, Any]) -> list[tuple[Any, Any]]:
    table = tables([opened(0, "import re\n"), *edits])["transitions"]
    return [(origin, detail) for kind, origin, detail in zip(
        *(table.column(name).to_pylist() for name in ("kind", "origin", "origin_detail")), strict=True)
        if kind == "edit"]


def test_an_origin_that_only_deleted_does_not_make_the_burst_mixed() -> None:
    """`x` then `u`: the row was `mixed`, `undo 100%`."""
    x = keyed(edit(100, 0, 1, "", origin="typed"), "nvim:normal x")
    u = keyed(edit(200, 0, 0, "i", origin="undo"), "nvim:undotree")
    assert whose(x, u) == [("undo", "nvim:undotree")]
    typed = keyed(edit(300, 9, 9, "  # ok", origin="typed"), "nvim:insert")
    assert whose(x, u, typed) == [("mixed", "typed 86%, undo 14%")]  # (both inserted: as before)


def test_a_burst_that_inserted_nothing_is_its_deleting_origins() -> None:
    x = keyed(edit(100, 0, 1, "", origin="typed"), "nvim:normal x")
    cut = edit(200, 0, 2, "", origin="cut")
    assert whose(x) == [("typed", "nvim:normal x")]
    assert whose(x, cut) == [("mixed", "cut, typed")]
