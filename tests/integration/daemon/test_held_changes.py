"""A watcher change waits its hold for the editor's own steps, whatever else happens meanwhile: a
connection that leaves closes its documents only after the changes that came before then were recorded
at their time (the eglot echo failure: another connection's leaving recorded a save's echo early)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from collector.daemon.held_changes import HOLD_MS
from collector.daemon.leaving import LEAVING_MS
from collector.daemon.session import Session
from collector.home import Home
from collector.journal import JournalScanner, unpack_payload


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000_000

    def __call__(self) -> int:
        return self.now


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def recorded(session: Session) -> list[dict[str, Any]]:
    journal = session.close()
    assert journal is not None
    return [unpack_payload(frame) for frame in list(JournalScanner(journal).frames())[1:]]


def test_another_connection_leaving_does_not_record_a_held_change_before_its_save(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".codetape.toml").write_text("")
    clock = Clock()
    session = Session(root.resolve(), Home(tmp_path / "home"), clock=clock)
    editor, other = object(), object()
    start = clock.now
    session.add(start, {"kind": "open", "path": "x.py", "text": "a\n", "version": 1}, source="bridge",
                owner=editor)
    session.add(start, {"kind": "open", "path": "y.py", "text": "b\n", "version": 1}, source="bridge",
                owner=other)
    session.release(other)  # its documents close LEAVING_MS later
    clock.now = start + LEAVING_MS - 100
    written = {"kind": "file_change", "path": "x.py", "change": "modified", "text": "a\nc\n",
               "sha256": sha("a\nc\n")}
    session.add(clock.now, written, source="watcher")  # the editor's save, seen on disk first
    clock.now = start + LEAVING_MS + 10
    session.tick()  # the other connection's time is up; the change is still within its hold
    clock.now += 50  # the editor's own steps arrive, within the hold
    edit = {"kind": "edit", "path": "x.py", "version": 2,
            "changes": [{"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}},
                         "text": "c\n"}]}
    session.add(clock.now, edit, source="bridge", owner=editor)
    session.add(clock.now, {"kind": "save", "path": "x.py", "sha256": sha("a\nc\n")}, source="bridge",
                owner=editor)
    clock.now = start + LEAVING_MS - 100 + HOLD_MS
    session.tick()
    steps = recorded(session)
    assert [(s["kind"], s["path"]) for s in steps] == [("open", "x.py"), ("open", "y.py"), ("edit", "x.py"),
                                                       ("save", "x.py"), ("close", "y.py")]
    assert steps[-1]["source"] == "collector" and steps[-1]["reason"] == "editor_gone"


def test_the_documents_of_a_connection_that_left_still_take_its_unsaid_save(tmp_path: Path) -> None:
    """The watcher's view of a buffer written without a save step, seen just before the connection's
    documents close, is that save: the documents wait for it to leave its hold."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".codetape.toml").write_text("")
    clock = Clock()
    session = Session(root.resolve(), Home(tmp_path / "home"), clock=clock)
    editor = object()
    start = clock.now
    session.add(start, {"kind": "open", "path": "x.py", "text": "a\n", "version": 1}, source="bridge",
                owner=editor)
    edit = {"kind": "edit", "path": "x.py", "version": 2,
            "changes": [{"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}},
                         "text": "c\n"}]}
    session.add(start, edit, source="bridge", owner=editor)
    session.release(editor)
    clock.now = start + LEAVING_MS - 10
    session.add(clock.now, {"kind": "file_change", "path": "x.py", "change": "modified", "text": "a\nc\n",
                            "sha256": sha("a\nc\n")}, source="watcher")
    for clock.now in (start + LEAVING_MS, start + LEAVING_MS - 10 + HOLD_MS):
        session.tick()
    steps = recorded(session)
    assert [(s["kind"], s["path"], s.get("source")) for s in steps][-2:] == [("save", "x.py", "watcher"),
                                                                             ("close", "x.py", "collector")]


def test_a_seal_within_the_hold_records_the_held_changes_and_the_commit_behind_them(tmp_path: Path) -> None:
    """The first steps of an episode may all be held (a file written, then a commit, which waits behind
    it): a seal within the hold records them, the first of them opening the episode, and the collector
    stopping does too. They were left held for the next episode (or lost) before."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".codetape.toml").write_text("")
    clock = Clock()
    session = Session(root.resolve(), Home(tmp_path / "home"), clock=clock)
    written = {"kind": "file_change", "path": "f.txt", "change": "created", "text": "second",
               "sha256": sha("second")}
    session.add(clock.now, written, source="watcher")
    clock.now += 10
    commit = {"kind": "git", "op": "commit", "message": "second\n"}
    session.add(clock.now, commit, source="watcher")
    clock.now += 10  # the seal comes long before HOLD_MS
    journal = session.detach()
    assert journal is not None
    steps = [unpack_payload(frame) for frame in list(JournalScanner(journal).frames())[1:]]
    assert [(s["kind"], s.get("path"), s.get("op")) for s in steps] == [("file_change", "f.txt", None),
                                                                      ("git", None, "commit")]
    session.add(clock.now, written, source="watcher")  # held again, and the collector stops within the hold
    assert session.close() is not None


def test_the_watchers_late_view_of_an_earlier_save_without_a_hash_is_its_echo(tmp_path: Path) -> None:
    """The CI failure of test_dataset_labels: an editor's save that names no hash (nor text) wrote the
    document's text as followed; the file watcher's view of that write, late on a loaded machine, came
    after the developer had typed and saved again. It is the first save's echo, not somebody's write of
    the old text (which made the commit after it lose the fix)."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".codetape.toml").write_text("")
    clock = Clock()
    session = Session(root.resolve(), Home(tmp_path / "home"), clock=clock)
    start = clock.now
    first, second = "print(1)\ndef f(): return 1 - 1\n", "def f(): return 1 + 1\n"
    session.add(start, {"kind": "open", "path": "calc.py", "text": "def f(): return 1 - 1\n"},
                source="bridge")
    insert = {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
              "text": "print(1)\n"}
    session.add(start, {"kind": "edit", "path": "calc.py", "changes": [insert]}, source="bridge")
    session.add(start, {"kind": "save", "path": "calc.py"}, source="bridge")
    clock.now = start + 900
    retyped = {"kind": "edit", "path": "calc.py", "changes": [{"text": second}]}
    session.add(clock.now, retyped, source="bridge")
    session.add(clock.now, {"kind": "save", "path": "calc.py"}, source="bridge")
    late = {"kind": "file_change", "path": "calc.py", "change": "modified", "text": first,
            "sha256": sha(first)}
    session.add(start + 40, late, source="watcher")  # stamped when the first save wrote, come only now
    clock.now = start + 900 + HOLD_MS + 1
    session.tick()
    steps = recorded(session)
    assert [s["kind"] for s in steps] == ["open", "edit", "save", "edit", "save"], steps
    # a view of content no save of the episode wrote stays somebody else's write
    clock.now += 10_000
    other = Session(root.resolve(), Home(tmp_path / "home2"), clock=clock)
    other.add(clock.now, {"kind": "open", "path": "calc.py", "text": "x\n"}, source="bridge")
    other.add(clock.now, {"kind": "save", "path": "calc.py"}, source="bridge")
    outside = {**late, "text": "y\n", "sha256": sha("y\n")}
    other.add(clock.now + 10, outside, source="watcher")
    clock.now += HOLD_MS + 20
    other.tick()
    assert [s["kind"] for s in recorded(other)] == ["open", "save", "file_change"]
