"""The watcher's changes held for the editor's steps (collector/daemon/held_changes.py): what is let go early
takes along what it depends on, so changes still leave in the order they came."""

from __future__ import annotations

from collector.daemon.held_changes import HeldChanges
from schemas import Step, step_from_dict


def change(change: str, path: str, new_path: str | None = None) -> Step:
    step = {"kind": "file_change", "change": change, "path": path, "new_path": new_path}
    return step_from_dict({"t_ms": 0, "source": "files", **step})


def test_a_rename_taken_early_takes_the_creation_of_its_file_along_and_leaves_the_rest() -> None:
    held = HeldChanges()
    temporary = change("created", "app.py.tmp.1")
    other = change("modified", "notes.md")
    written = change("modified", "app.py.tmp.1")
    renamed = change("renamed", "app.py.tmp.1", "app.py")
    later = change("modified", "app.py")
    for at_ms, step in enumerate((temporary, other, written, renamed, later)):
        held.hold(at_ms, step, now=0)
    taken = held.take(lambda _, step: step is renamed)
    assert [step for _, step in taken] == [temporary, written, renamed]
    # what came after it, on its path or not, and what no taken change depends on stay held, in order
    assert [step for _, step in held.due(10_000)] == [other, later]


def test_a_change_of_the_target_held_before_a_rename_over_it_leaves_before_the_rename() -> None:
    held = HeldChanges()
    saved = change("modified", "app.py")
    renamed = change("renamed", "app.py.tmp.1", "app.py")
    held.hold(1, saved, now=0)
    held.hold(2, renamed, now=0)
    assert [step for _, step in held.take(lambda _, step: step is renamed)] == [saved, renamed]
    assert not held


def test_nothing_wanted_takes_nothing() -> None:
    held = HeldChanges()
    held.hold(1, change("created", "a.py"), now=0)
    assert held.take(lambda _, step: False) == []
    assert held


def test_a_view_taken_off_the_queue_is_superseded_while_a_later_change_of_its_file_is_held() -> None:
    held = HeldChanges()
    cut, whole = change("modified", "app.py"), change("modified", "app.py")
    held.hold(1, cut, now=0)
    held.hold(2, whole, now=5)
    due = held.due(10_000)
    assert next(due) == (1, cut) and held.holds_path("app.py") and not held.holds_path("notes.md")
    assert next(due) == (2, whole) and not held.holds_path("app.py")
