from __future__ import annotations

from typing import Any

from msgspec.structs import replace

from collector.daemon.open_documents import OpenDocuments
from collector.reconstruct.workspace import workspace_at
from collector.text.digest import sha256_text
from schemas import Step, step_from_dict

EDITOR, OTHER = "editor", "another editor"  # the connections (owners) that send the steps


def step(kind: str, **fields: Any) -> Step:
    return step_from_dict({"kind": kind, "t_ms": 0, "source": "bridge", **fields})


def at(line: int, character: int) -> dict[str, Any]:
    position = {"line": line, "character": character}
    return {"start": position, "end": position}


def follow(docs: OpenDocuments, *steps: Step, owner: object = EDITOR) -> None:
    for s in steps:
        docs.note(s, "utf-16", owner)


EDIT = step("edit", path="a.py", changes=[{"text": "x"}])


def test_a_new_episode_opens_a_document_only_where_it_first_touches_it_with_its_current_text() -> None:
    docs = OpenDocuments()
    follow(docs, step("open", path="a.py", language_id="python", version=1, text="x = 1\n"),
           step("edit", path="a.py", version=2, changes=[{"range": at(1, 0), "text": "y = 😀\n"}]),
           step("edit", path="a.py", version=3, changes=[{"range": at(1, 6), "text": "!"}]),
           step("open", path="b.py", text="gone"), step("close", path="b.py"),
           step("open", path="c.py", text="c"),
           step("gap", reason="other", state=[{"path": "c.py", "text": None}, {"path": "d.py", "text": "d"}]),
           step("close", path="d.py"))
    assert docs.opening(EDIT) is None  # the episode that opened it holds it
    docs.episode_ended()
    here = at(0, 0)
    cursor = step("cursor", path="a.py", selections=[{"anchor": here["start"], "active": here["end"]}])
    assert docs.opening(cursor) is None  # needs no text: none is written
    assert docs.opening(replace(EDIT, path="b.py")) is None  # closed: never comes back
    opening = docs.opening(EDIT)
    assert opening == step("open", source="collector", path="a.py", language_id="python",
                           text="x = 1\ny = 😀!\n", version=3)
    assert docs.opening(EDIT) is None  # once per episode
    # the next episode replays on its own: its first edits apply to the text it opens with
    replayed = [opening, step("edit", path="a.py", version=4, changes=[{"range": at(2, 0), "text": "z"}])]
    assert workspace_at("utf-16", replayed).files() == {"a.py": "x = 1\ny = 😀!\nz"}


def test_saves_with_text_resynchronise_and_unknown_edits_are_ignored() -> None:
    docs = OpenDocuments()
    follow(docs, step("edit", path="never-opened.py", changes=[{"text": "x"}]))
    follow(docs, step("open", path="a.py", text="old"), step("save", path="a.py", text="from the editor"))
    docs.episode_ended()
    assert docs.opening(replace(EDIT, path="never-opened.py")) is None
    opening = docs.opening(step("save", path="a.py", sha256=sha256_text("from the editor")))
    assert opening is not None and opening.text == "from the editor"


def test_a_document_is_open_while_a_connection_that_opened_it_is() -> None:
    docs = OpenDocuments()
    follow(docs, step("open", path="a.py", text="a"), step("open", path="b.py", text="b"))
    follow(docs, step("open", path="b.py", text="b"), owner=OTHER)
    docs.release(EDITOR)  # the first editor exited: a.py is closed, the other editor still has b.py
    docs.episode_ended()
    assert docs.opening(EDIT) is None
    assert docs.opening(replace(EDIT, path="b.py")) is not None
    follow(docs, step("close", path="b.py"), owner=OTHER)
    docs.episode_ended()
    assert docs.opening(replace(EDIT, path="b.py")) is None


def test_a_close_by_one_of_two_editors_leaves_it_open_but_no_longer_held_by_the_episode() -> None:
    docs = OpenDocuments()
    follow(docs, step("open", path="a.py", text="a"))
    follow(docs, step("open", path="a.py", text="a"), owner=OTHER)
    follow(docs, step("close", path="a.py"))  # written: the episode's replay closed it
    assert docs.opening(EDIT) == step("open", source="collector", path="a.py", language_id="", text="a")


def test_what_the_episode_does_not_hold_is_withheld_and_followed() -> None:
    docs = OpenDocuments()
    follow(docs, step("open", path="a.py", text="a"), step("open", path="b.py", text="b"))
    docs.episode_ended()
    close = step("close", path="b.py")
    assert docs.withhold(close, "utf-16", EDITOR) is None  # never written: b.py is closed all the same
    assert docs.withhold(replace(EDIT, path="b.py"), "utf-16", EDITOR) == replace(EDIT, path="b.py")
    assert docs.opening(replace(EDIT, path="b.py")) is None
    # a resync naming only documents the episode does not hold, having lost nothing: nothing to write
    resync = step("gap", reason="collector_unreachable",
                  state=[{"path": "a.py", "text": "a2"}, {"path": "new.py", "text": "n"}])
    assert docs.withhold(resync, "utf-16", EDITOR) is None
    assert docs.withhold(replace(resync, lost_steps=3), "utf-16", EDITOR) == step(
        "gap", reason="collector_unreachable", lost_steps=3)
    assert docs.opening(EDIT) == step("open", source="collector", path="a.py", language_id="", text="a2")
    follow(docs, step("open", path="a.py", source="collector", text="a2"))
    # once held, the gap's state for it is written (the episode's replay needs it), the rest kept back
    assert docs.withhold(replace(resync, lost_steps=3), "utf-16", EDITOR) == step(
        "gap", reason="collector_unreachable", lost_steps=3, state=[{"path": "a.py", "text": "a2"}])
    assert docs.withhold(replace(close, path="a.py"), "utf-16", EDITOR) == replace(close, path="a.py")
    assert docs.opening(replace(EDIT, path="new.py")).text == "n"  # type: ignore[union-attr]


def test_a_bridge_reconnecting_within_the_episode_resyncs_what_the_episode_holds() -> None:
    docs = OpenDocuments()
    follow(docs, step("open", path="a.py", text="a"))
    docs.leave(EDITOR)  # the collector dropped the connection: the bridge comes back before it is let go
    resync = step("gap", reason="collector_unreachable", lost_steps=2, state=[{"path": "a.py", "text": "a2"}])
    assert docs.withhold(resync, "utf-16", OTHER) == resync  # the episode's replay needs the new text
    follow(docs, resync, owner=OTHER)  # (written: the bridge that came back has it open)
    assert docs.release(EDITOR) == (0, [])  # the bridge that came back has it open: it stays open


def test_a_bridge_reconnecting_after_its_documents_closed_opens_them_again_where_it_touches_them() -> None:
    docs = OpenDocuments()
    follow(docs, step("open", path="a.py", text="a"))
    docs.leave(EDITOR)
    assert docs.release(EDITOR) == (1, ["a.py"])  # nobody has it open: the episode closes it
    follow(docs, step("close", path="a.py", source="collector", reason="editor_gone"), owner=None)
    resync = step("gap", reason="collector_unreachable", lost_steps=2, state=[{"path": "a.py", "text": "a2"}])
    assert docs.withhold(resync, "utf-16", OTHER) == step("gap", reason="collector_unreachable",
                                                          lost_steps=2)  # followed, kept for its edit
    assert docs.opening(EDIT).text == "a2"  # type: ignore[union-attr]


def test_a_change_on_disk_closes_first_a_document_only_connections_gone_have_open() -> None:
    """Issue 37, item 1: the editor quit without closing a.py; an agent's write before the collector lets
    the editor's documents go closes a.py in the episode first, so the replay reads the agent's text."""
    docs = OpenDocuments()
    follow(docs, step("open", path="a.py", text="x"), step("open", path="b.py", text="b"))
    follow(docs, step("open", path="b.py", text="b"), owner=OTHER)
    written = step("file_change", source="files", path="a.py", change="modified", sha256=sha256_text("agent"))
    assert docs.closing(written) is None  # its editor is still there: its buffer is what it edits
    docs.leave(EDITOR)
    assert docs.closing(replace(written, sha256=sha256_text("x"))) is None  # its own text: an echo
    assert docs.closing(replace(written, path="b.py")) is None  # another editor still has b.py open
    assert docs.closing(written) == "a.py"
    assert docs.release(EDITOR) == (0, [])  # (a.py closed already; b.py is OTHER's)


def test_an_edited_document_its_editors_left_closes_after_its_unsaid_save_or_before_another_change() -> None:
    docs = OpenDocuments()
    follow(docs, step("open", path="a.py", text="x"), step("edit", path="a.py", changes=[{"text": "typed"}]),
           step("open", path="b.py", text="y"), step("edit", path="b.py", changes=[{"text": "typed b"}]))
    docs.leave(EDITOR)
    assert docs.release(EDITOR) == (2, [])  # both wait for their unsaid saves
    assert docs.gone() == ["a.py", "b.py"]  # (closed when the episode ends if nothing comes)
    saved = step("file_change", source="files", path="a.py", change="modified", sha256=sha256_text("typed"))
    assert docs.unsaid_save(saved) and docs.closes_after(saved) and docs.closing(saved) is None
    other = step("file_change", source="files", path="b.py", change="modified", sha256=sha256_text("sed"))
    assert docs.closing(other) == "b.py"
    assert docs.gone() == ["a.py"]


def test_the_watchers_view_of_an_editor_write_is_recognised_before_the_save_step() -> None:
    docs = OpenDocuments()
    follow(docs, step("open", path="a.py", text="x"), step("edit", path="a.py", changes=[{"text": "typed"}]))
    written = step("file_change", source="files", path="a.py", change="modified", sha256=sha256_text("typed"))
    assert docs.holds(written)
    assert not docs.holds(replace(written, sha256=sha256_text("x")))
    assert not docs.holds(replace(written, change="deleted"))
    assert not docs.holds(replace(written, path="b.py"))


def test_a_write_is_an_unsaid_save_only_of_text_edited_since_it_was_opened_or_saved() -> None:
    """Issue 27, item 8: the watcher's view of an open document's text is a save the editor did not tell of
    only when that text was edited since the document was opened or saved (else it is the file as opened,
    or the echo of a save step)."""
    docs = OpenDocuments()
    opened = step("file_change", source="files", path="a.py", change="modified", sha256=sha256_text("x"))
    follow(docs, step("open", path="a.py", text="x"))
    assert docs.holds(opened) and not docs.unsaid_save(opened)  # the file as the editor opened it
    follow(docs, step("edit", path="a.py", changes=[{"text": "typed"}]))
    written = replace(opened, sha256=sha256_text("typed"))
    assert docs.unsaid_save(written) and not docs.unsaid_save(opened)
    follow(docs, step("save", path="a.py", sha256=sha256_text("typed")))
    assert docs.holds(written) and not docs.unsaid_save(written)  # the save step said so: its echo
    assert not docs.unsaid_save(replace(written, path="b.py"))


def test_the_unsaid_save_of_a_document_its_editor_left_is_known_by_its_content_in_the_episode() -> None:
    """The watcher's view of a buffer written just before the editor quit may come after the collector let
    the editor's documents go (under load: Neovim wrote, stopped, and the change came over 2 s later)."""
    docs = OpenDocuments()
    follow(docs, step("open", path="a.py", text="x"), step("edit", path="a.py", changes=[{"text": "typed"}]),
           step("open", path="b.py", text="b"))
    written = step("file_change", source="files", path="a.py", change="modified", sha256=sha256_text("typed"))
    assert docs.release(EDITOR) == (2, ["b.py"])  # a.py waits for its unsaid save
    assert docs.unsaid_save(written)  # edited, never saved: its write is still that save
    assert not docs.holds(replace(written, path="b.py", sha256=sha256_text("b")))  # b.py was never edited
    assert not docs.unsaid_save(replace(written, sha256=sha256_text("x")))  # other content: somebody else's
    follow(docs, step("save", path="a.py", sha256=sha256_text("typed")))
    assert not docs.unsaid_save(written)  # said once
    follow(docs, step("open", path="c.py", text="c"), step("edit", path="c.py", changes=[{"text": "cc"}]))
    docs.release(EDITOR)
    docs.episode_ended()
    assert not docs.unsaid_save(replace(written, path="c.py", sha256=sha256_text("cc")))  # another episode


def test_a_document_is_being_edited_from_its_first_edit_until_its_save_while_its_editor_is_here() -> None:
    """What lets a watcher's view wait for the editor's late steps (held_views.py `awaits_editor`): None once
    no editor still connected has it open, whatever it held."""
    docs = OpenDocuments()
    assert docs.editing("a.py") is None
    follow(docs, step("open", path="a.py", language_id="python", version=1, text="x = 1\n"))
    assert docs.editing("a.py") is False
    follow(docs, step("edit", path="a.py", version=2, changes=[{"range": at(1, 0), "text": "y"}]))
    assert docs.editing("a.py") is True
    follow(docs, step("save", path="a.py", sha256=sha256_text("x = 1\ny")))
    assert docs.editing("a.py") is False
    follow(docs, step("edit", path="a.py", version=3, changes=[{"range": at(1, 1), "text": " = 2\n"}]))
    docs.leave(EDITOR)  # gone, its documents not let go yet: it sends nothing more
    assert docs.editing("a.py") is None
