from __future__ import annotations

from typing import Any

from collector.daemon.open_documents import OpenDocuments
from collector.reconstruct.workspace import workspace_at
from collector.text.digest import sha256_text
from schemas import Step, step_from_dict


def step(kind: str, **fields: Any) -> Step:
    return step_from_dict({"kind": kind, "t_ms": 0, "source": "bridge", **fields})


def at(line: int, character: int) -> dict[str, Any]:
    position = {"line": line, "character": character}
    return {"start": position, "end": position}


def test_a_new_episode_opens_what_the_editor_has_open_with_its_current_text() -> None:
    docs = OpenDocuments()
    for s in (step("open", path="a.py", language_id="python", version=1, text="x = 1\n"),
              step("edit", path="a.py", version=2, changes=[{"range": at(1, 0), "text": "y = 😀\n"}]),
              step("edit", path="a.py", version=3, changes=[{"range": at(1, 6), "text": "!"}]),
              step("open", path="b.py", text="gone"), step("close", path="b.py"),
              step("open", path="c.py", text="c"),
              step("gap", reason="other", state=[{"path": "c.py", "text": None},
                                                 {"path": "d.py", "text": "d"}]),
              step("close", path="d.py")):
        docs.note(s, "utf-16")
    opening = docs.opening_steps()
    assert opening == [{"kind": "open", "source": "collector", "path": "a.py", "language_id": "python",
                        "text": "x = 1\ny = 😀!\n", "version": 3}]
    # the next episode replays on its own: its first edits apply to the text it opens with
    replayed = [step_from_dict({**opening[0], "t_ms": 0}),
                step("edit", path="a.py", version=4, changes=[{"range": at(2, 0), "text": "z"}])]
    assert workspace_at("utf-16", replayed).files() == {"a.py": "x = 1\ny = 😀!\nz"}


def test_saves_with_text_resynchronise_and_unknown_edits_are_ignored() -> None:
    docs = OpenDocuments()
    docs.note(step("edit", path="never-opened.py", changes=[{"text": "x"}]), "utf-8")
    docs.note(step("open", path="a.py", text="old"), "utf-8")
    docs.note(step("save", path="a.py", text="from the editor"), "utf-8")
    assert [s["text"] for s in docs.opening_steps()] == ["from the editor"]


def test_the_watchers_view_of_an_editor_write_is_recognised_before_the_save_step() -> None:
    docs = OpenDocuments()
    docs.note(step("open", path="a.py", text="x"), "utf-8")
    docs.note(step("edit", path="a.py", changes=[{"text": "typed"}]), "utf-8")
    written = {"kind": "file_change", "path": "a.py", "change": "modified", "sha256": sha256_text("typed")}
    assert docs.holds(written)
    assert not docs.holds(written | {"sha256": sha256_text("x")})
    assert not docs.holds(written | {"change": "deleted"})
    assert not docs.holds(written | {"path": "b.py"})
