"""The bridge's copy of a document against the editor's (lsp_bridge/capture/sync.py, resync.py, issue 27 items
1-3): changes applied in version order however they arrive, a `resync` gap wherever the copy drifted, and a
save text that is the odd one out ignored. Each recording is replayed as the collector would, every save
checked against its hash."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collector.reconstruct.workspace import replay
from lsp_bridge.capture.files import OnDisk
from lsp_bridge.capture.handlers import EditorCapture
from lsp_bridge.capture.sync import HOLD_CHANGES, HOLD_MS
from lsp_bridge.documents.tracked import TrackedDocuments
from lsp_bridge.documents.workspaces import Workspaces
from lsp_bridge.recording.recorder import Recorder
from schemas import step_from_dict
from schemas.steps import SaveStep
from tests.unit.lsp_bridge.test_observe import Collected

Pos = tuple[int, int]


class Session:
    """An EditorCapture before a collector connection that keeps every step, and a file system it reads."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.collected = Collected()
        documents = TrackedDocuments()
        self.recorder = Recorder(lambda: self.collected, state=documents.file_states)
        self.disk: dict[str, bytes] = {}
        self.written: dict[str, int] = {}  # when a file on disk was written, if not at the last message
        found = Workspaces(lambda path: root if path == root or root in path.parents else None)
        self.capture = EditorCapture(self.recorder, found, documents, read=self._read)
        self.capture.initialized("utf-16", None, [root.as_uri()])
        self.at = 1000

    def _read(self, root: Path, relpath: str, limit: int) -> OnDisk | None:
        data = self.disk.get(relpath)
        return None if data is None else OnDisk(data, self.written.get(relpath, self.at))

    def uri(self, path: str) -> str:
        return (self.root / path).as_uri()

    def send(self, method: str, params: dict[str, Any], *, after: int = 1) -> None:
        self.at += after
        self.capture.handle(method, params, self.at)

    def open(self, path: str, text: str, version: int) -> None:
        self.send("textDocument/didOpen", {"textDocument": {
            "uri": self.uri(path), "languageId": "python", "version": version, "text": text}})

    def change(self, path: str, version: int, start: Pos, end: Pos, text: str, *, after: int = 1) -> None:
        span = {"start": {"line": start[0], "character": start[1]},
                "end": {"line": end[0], "character": end[1]}}
        self.send("textDocument/didChange", {"textDocument": {"uri": self.uri(path), "version": version},
                                             "contentChanges": [{"range": span, "text": text}]}, after=after)

    def save(self, path: str, text: str | None = None, *, disk: str | bytes | None = None) -> None:
        if disk is not None:
            self.disk[path] = disk.encode() if isinstance(disk, str) else disk
        params: dict[str, Any] = {"textDocument": {"uri": self.uri(path)}}
        if text is not None:
            params["text"] = text
        self.send("textDocument/didSave", params)

    def steps(self) -> list[dict[str, Any]]:
        self.capture.release(None, self.at)
        self.recorder.flush()
        return [{**step, "t_ms": index} for index, step in enumerate(self.collected.steps)]

    def texts_at_saves(self, path: str) -> list[str]:
        """The replayed text of `path` at each of its saves, each save's hash checked."""
        texts = []
        for _, step, workspace in replay("utf-16", [step_from_dict(s) for s in self.steps()]):
            if isinstance(step, SaveStep) and step.path == path:
                assert workspace.save_mismatch(step) is None
                text = workspace.text(path)
                assert text is not None
                texts.append(text)
        return texts


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    session = Session(tmp_path.resolve())
    session.recorder.start()
    try:
        yield session
    finally:
        session.recorder.flush()


def resyncs(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in steps if s["kind"] == "gap" and s["reason"] == "resync"]


def test_changes_that_arrive_out_of_version_order_apply_in_it(session: Session) -> None:
    """Helix after a buffer opens: 7, 9, 8, 11, 10 (each inserts after the one before)."""
    session.open("a.py", "x\n", 6)
    typed = {7: "é", 8: "中", 9: "😀", 10: "a", 11: "b"}
    column = {7: 0, 8: 1, 9: 2, 10: 4, 11: 5}  # utf-16: the emoji counts two
    for version in (7, 9, 8, 11, 10):
        session.change("a.py", version, (0, column[version]), (0, column[version]), typed[version])
    session.save("a.py", "é中😀abx\n", disk="é中😀abx\n")
    steps = session.steps()
    assert [s["version"] for s in steps if s["kind"] == "edit"] == [7, 8, 9, 10, 11]
    assert not resyncs(steps)
    assert session.texts_at_saves("a.py") == ["é中😀abx\n"]


def test_a_change_whose_predecessor_never_comes_waits_no_longer_than_the_hold(session: Session) -> None:
    """Neovim's versions are `b:changedtick`: 0, then 5. The first hold runs out with nothing filled,
    so the editor's versions are known to skip, and no later change waits."""
    session.open("a.py", "x\n", 0)
    session.change("a.py", 5, (0, 0), (0, 0), "a")
    assert session.capture.holding
    session.change("a.py", 6, (0, 1), (0, 1), "b")
    session.send("workspace/didChangeWatchedFiles", {"changes": []}, after=HOLD_MS)
    assert not session.capture.holding
    session.change("a.py", 9, (0, 2), (0, 2), "c")
    assert not session.capture.holding  # applied as it arrived
    session.save("a.py", "abcx\n", disk="abcx\n")
    steps = session.steps()
    assert [s["version"] for s in steps if s["kind"] == "edit"] == [5, 6, 9]
    assert not resyncs(steps) and session.texts_at_saves("a.py") == ["abcx\n"]


def test_a_save_releases_what_was_sent_before_it(session: Session) -> None:
    session.open("a.py", "x\n", 1)
    session.change("a.py", 3, (0, 0), (0, 0), "a")  # version 2 never comes
    session.save("a.py", "ax\n", disk="ax\n")
    steps = session.steps()
    assert [s["kind"] for s in steps] == ["open", "edit", "save"]
    assert session.texts_at_saves("a.py") == ["ax\n"]


def test_a_lost_change_becomes_a_resync_at_the_save_and_the_episode_replays(session: Session) -> None:
    session.open("a.py", "one\n", 1)
    session.change("a.py", 2, (0, 3), (0, 3), " two")
    session.change("a.py", 4, (0, 0), (0, 0), "# ")  # version 3 (" three") never comes
    session.save("a.py", "# one two three\n", disk="# one two three\n")
    session.change("a.py", 5, (1, 0), (1, 0), "four\n")
    session.save("a.py", "# one two three\nfour\n", disk="# one two three\nfour\n")
    steps = session.steps()
    [resync] = resyncs(steps)
    assert resync["state"] == [{"path": "a.py", "text": "# one two three\n"}]
    assert resync["detail"] == ("a.py: the editor's save text is the true text; the edits the editor sent "
                                "do not make it (version 3 never arrived)")
    assert [s["kind"] for s in steps][-4:] == ["gap", "save", "edit", "save"]
    assert session.texts_at_saves("a.py") == ["# one two three\n", "# one two three\nfour\n"]


def test_a_save_without_text_is_checked_against_the_file_on_disk(session: Session) -> None:
    """clangd's utf-8 columns recorded as utf-16, or lsp-mode's code points: the copy drifted and the
    save says nothing but its hash; the file on disk is the truth."""
    session.open("a.py", "😀x\n", 1)
    session.change("a.py", 2, (0, 1), (0, 1), "!")  # meant after the emoji (code points), lands inside it
    session.save("a.py", disk="😀!x\n")
    steps = session.steps()
    [resync] = resyncs(steps)
    assert resync["state"] == [{"path": "a.py", "text": "😀!x\n"}]
    assert "the file on disk after the save is the true text" in resync["detail"]
    save = steps[-1]
    assert save["kind"] == "save" and save["sha256"] == hashlib.sha256("😀!x\n".encode()).hexdigest()
    assert session.texts_at_saves("a.py") == ["😀!x\n"]


def test_a_save_text_that_disagrees_with_both_the_copy_and_the_disk_is_ignored(session: Session) -> None:
    """ALE's didSave text carries a literal backslash-n where the newlines are."""
    session.open("a.vim", "let a = 1\n", 1)
    session.change("a.vim", 2, (1, 0), (1, 0), "let b = 2\n")
    session.save("a.vim", "let a = 1\\nlet b = 2\\n", disk="let a = 1\nlet b = 2\n")
    steps = session.steps()
    assert not resyncs(steps)
    assert "text" not in steps[-1]
    assert session.texts_at_saves("a.vim") == ["let a = 1\nlet b = 2\n"]


def test_ales_backslash_n_save_text_is_known_for_what_it_is_whatever_the_disk_holds(session: Session) -> None:
    """ALE joins the lines of its didSave text with a literal backslash-n, and may send it before Vim has
    written the file: the save text is the copy's, line breaks spelt out, so the copy stands."""
    session.open("a.py", 'x = "a\\nb"\n', 1)
    session.change("a.py", 2, (1, 0), (1, 0), "y = 2\n")
    session.save("a.py", 'x = "a\\nb"\\ny = 2\\n', disk='x = "a\\nb"\n')  # the disk: the save before
    steps = session.steps()
    assert not resyncs(steps) and "text" not in steps[-1]
    assert session.texts_at_saves("a.py") == ['x = "a\\nb"\ny = 2\n']


@pytest.mark.parametrize("disk", [b"\xef\xbb\xbfx = 1\n", None, b"\xff\xfe binary \0"])
def test_a_byte_order_mark_or_an_unreadable_file_is_no_drift(session: Session, disk: bytes | None) -> None:
    session.open("a.py", "x = 1\n", 1)
    if disk is not None:
        session.disk["a.py"] = disk
    session.save("a.py")
    steps = session.steps()
    assert not resyncs(steps) and session.texts_at_saves("a.py") == ["x = 1\n"]


def test_a_version_that_arrives_after_a_later_one_is_named_in_the_resync(session: Session) -> None:
    session.open("a.py", "x\n", 1)
    session.change("a.py", 3, (0, 1), (0, 1), "b")  # typed after version 2's "a"
    session.send("workspace/didChangeWatchedFiles", {"changes": []}, after=HOLD_MS)  # gives up on 2
    session.change("a.py", 2, (0, 0), (0, 0), "a")  # too late: applied as it comes
    session.save("a.py", "abx\n", disk="abx\n")
    [resync] = resyncs(session.steps())
    assert resync["detail"].endswith("(version 2 arrived after version 3)")
    assert session.texts_at_saves("a.py") == ["abx\n"]


def test_the_changes_held_for_a_document_are_bounded(session: Session) -> None:
    session.open("a.py", "\n", 1)
    for version in range(3, HOLD_CHANGES + 4):  # version 2 never comes
        session.change("a.py", version, (0, version - 3), (0, version - 3), "a")
    assert not session.capture.holding
    text = "a" * (HOLD_CHANGES + 1) + "\n"
    session.save("a.py", text, disk=text)
    assert session.texts_at_saves("a.py") == [text]


def test_an_editor_that_counts_code_points_is_found_out_at_its_first_save(session: Session) -> None:
    """lsp-mode negotiates utf-16 and counts columns in code points: each emoji shifts the later columns
    of its line by one. The first save resyncs and says so; from then on its positions are read as it
    counts them, and recorded in the negotiated utf-16."""
    session.open("a.py", "😀x\n", 1)
    session.change("a.py", 2, (0, 1), (0, 1), "a")  # after the emoji, in code points
    session.save("a.py", "😀ax\n", disk="😀ax\n")
    session.change("a.py", 3, (0, 2), (0, 2), "b")  # after the "a", in code points (utf-16: 3)
    session.change("a.py", 4, (0, 0), (0, 1), "é")  # replaces the emoji
    session.save("a.py", "éabx\n", disk="éabx\n")
    steps = session.steps()
    [resync] = resyncs(steps)
    assert "(the editor counts columns in utf-32 though it negotiated utf-16; read so from here on)" in \
        resync["detail"]
    edits = [s["changes"][0]["range"] for s in steps if s["kind"] == "edit"]
    assert [(r["start"]["character"], r["end"]["character"]) for r in edits[1:]] == [(3, 3), (0, 2)]
    assert session.texts_at_saves("a.py") == ["😀ax\n", "éabx\n"]


def test_when_the_save_text_the_copy_and_the_disk_all_differ_the_save_text_is_the_truth(
        session: Session) -> None:
    """The disk may already hold a later save (proxy mode reads it late; lsp-mode saved three times within
    20 ms): the save's own text wins."""
    session.open("a.py", "one\n", 1)
    session.change("a.py", 2, (1, 0), (1, 0), "two\n")  # version 3 (three) never comes
    session.save("a.py", "one\ntwo\nthree\n", disk="one\ntwo\nthree\nfour\n")
    steps = session.steps()  # no version known lost: "three" is the editor's change, sent in its save only
    assert [s["kind"] for s in steps] == ["open", "edit", "edit", "save"] and not resyncs(steps)
    assert session.texts_at_saves("a.py") == ["one\ntwo\nthree\n"]


@pytest.mark.parametrize("with_text", [True, False])
def test_a_file_written_after_the_save_arrived_is_a_later_save_not_this_ones(session: Session,
                                                                           with_text: bool) -> None:
    """Proxy mode's translator reads a save's file late: by then the editor may have saved again."""
    session.open("a.py", "one\n", 1)
    session.change("a.py", 2, (1, 0), (1, 0), "two\n")  # version 3 (three) never comes
    session.written["a.py"] = session.at + 5  # the next save's text, written 4 ms after this save arrived
    session.save("a.py", "one\ntwo\nthree\n" if with_text else None, disk="one\ntwo\nthree\nfour\n")
    steps = session.steps()
    if with_text:  # the save's text, the editor's change sent in it only (no version known lost)
        assert not resyncs(steps) and [s["kind"] for s in steps][-2:] == ["edit", "save"]
        assert session.texts_at_saves("a.py") == ["one\ntwo\nthree\n"]
    else:  # nothing to tell by: the save holds what the copy holds, and the next save corrects it
        assert not resyncs(steps) and session.texts_at_saves("a.py") == ["one\ntwo\n"]



def whole_change(session: Session, path: str, version: int, text: str, *, after: int = 1) -> None:
    """A change of the whole text, as Kate sends one per pause in typing."""
    session.send("textDocument/didChange", {"textDocument": {"uri": session.uri(path), "version": version},
                                            "contentChanges": [{"text": text}]}, after=after)


@pytest.mark.parametrize("late", ["before the save", "after the save", "never"])
def test_typing_the_editor_sends_only_in_its_save_is_its_edit_before_the_save(session: Session,
                                                                              late: str) -> None:
    """Kate saving as soon as the typing stops sends that typing in the didSave's text only, and its
    didChange of it after the save or never (issue 86): in every order, the typing is an `edit` of the
    editor's, the save comes after it and holds its text, and no resync is recorded (a late change of the
    same text is an edit that changes nothing, as every change the editor sends is one)."""
    session.open("a.py", "import os\n", 1)
    whole_change(session, "a.py", 2, "import os\nx = 1\n")
    typed = "import os\nx = 1\ny = 2\n"
    if late == "before the save":
        whole_change(session, "a.py", 3, typed)
    session.save("a.py", typed, disk=typed)
    if late == "after the save":
        whole_change(session, "a.py", 3, typed)
    whole_change(session, "a.py", 4, typed + "z\n")  # what the editor sends next applies to the save's text
    session.save("a.py", typed + "z\n")
    steps = session.steps()
    late_edit = ["edit"] if late == "after the save" else []  # (it changes nothing: its text is the copy's)
    assert [s["kind"] for s in steps] == ["open", "edit", "edit", "save", *late_edit, "edit", "save"]
    assert not resyncs(steps)
    assert [c["text"] for c in steps[2]["changes"]] == ["\ny = 2"]  # narrowed to what was typed
    assert session.texts_at_saves("a.py") == [typed, typed + "z\n"]


def test_a_save_text_the_copy_lacks_after_a_lost_version_is_still_a_resync(session: Session) -> None:
    session.open("a.py", "one\n", 1)
    whole_change(session, "a.py", 3, "one\ntwo\n")  # version 2 never came: the copy drifted
    session.save("a.py", "one\ntwo\nthree\n", disk="one\ntwo\nthree\n")
    assert len(resyncs(session.steps())) == 1
    assert session.texts_at_saves("a.py") == ["one\ntwo\nthree\n"]
