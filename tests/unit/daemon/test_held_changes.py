from __future__ import annotations

from typing import Any

from collector.daemon.admission import HOLD_MS, PATIENT_MS, HeldChanges
from collector.daemon.open_documents import OpenDocuments
from collector.text.digest import sha256_text
from schemas import step_from_dict


def change(path: str, text: str, kind: str = "modified") -> dict[str, Any]:
    return {"kind": "file_change", "path": path, "change": kind, "sha256": sha256_text(text)}


def editing_a_py() -> OpenDocuments:
    """An editor has a.py open with the text "x"."""
    docs = OpenDocuments()
    docs.note(step_from_dict({"kind": "open", "t_ms": 0, "source": "bridge", "path": "a.py", "text": "x"}),
              "utf-16", "editor")
    return docs


def released(held: HeldChanges, now: int, docs: OpenDocuments) -> list[str]:
    return [step["path"] for _, step in held.due(now, unexplained=docs.awaits)]


def test_a_write_the_editors_copy_does_not_explain_yet_waits_for_its_edits_in_order() -> None:
    """Under load an editor's edits reached the collector over a second after the watcher's view of the
    file they were saved into: that change waits (and those behind it) until the copy explains it."""
    docs = editing_a_py()
    held = HeldChanges()
    held.hold(1, change("a.py", "typed"), now=0)
    held.hold(2, change("b.py", "other"), now=10)
    assert released(held, HOLD_MS + 10, docs) == []  # a.py is open with other text: its edits may come
    docs.note(step_from_dict({"kind": "edit", "t_ms": 0, "source": "bridge", "path": "a.py",
                              "changes": [{"text": "typed"}]}), "utf-16", "editor")
    assert released(held, HOLD_MS + 20, docs) == ["a.py", "b.py"]


def test_a_change_from_elsewhere_to_an_open_file_waits_no_longer_than_patient_ms() -> None:
    docs = editing_a_py()
    held = HeldChanges()
    held.hold(1, change("a.py", "a checkout wrote this"), now=0)
    held.hold(2, change("a.py", "", "deleted"), now=5)
    assert released(held, PATIENT_MS - 1, docs) == []
    assert released(held, PATIENT_MS, docs) == ["a.py", "a.py"]
    held.hold(3, change("a.py", "again"), now=PATIENT_MS)
    assert [step["path"] for _, step in held.due(PATIENT_MS + 1, everything=True,
                                                 unexplained=docs.awaits)] == ["a.py"]  # a seal takes all


def test_what_no_editor_has_open_or_the_copy_explains_leaves_after_hold_ms() -> None:
    docs = editing_a_py()
    held = HeldChanges()
    held.hold(1, change("a.py", "x"), now=0)
    held.hold(2, change("c.py", "new", "created"), now=0)
    held.hold(3, {"kind": "file_change", "path": "big.bin", "change": "modified", "sha256": None}, now=0)
    assert released(held, HOLD_MS - 1, docs) == []
    assert released(held, HOLD_MS, docs) == ["a.py", "c.py", "big.bin"]
